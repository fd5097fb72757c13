import { EngineCallError, RpcClient, serveRpc } from '../../src/supervisor/engine-rpc';
import type { RpcReply, RpcRequest } from '../../src/supervisor/engine-rpc';
import { supervisorErrors } from '../../src/error-codes';

/** A client wired to a server in the same process, the way IPC would carry them, with a switch to stop answering. */
function pair(handlers: Record<string, (...args: never[]) => unknown>) {
  let answering = true;
  const sent: RpcRequest[] = [];
  const replies: { to?: RpcClient } = {};
  const serve = serveRpc(handlers, (reply: RpcReply) => setImmediate(() => replies.to?.handle(reply)));
  const client = new RpcClient((request) => {
    sent.push(request);
    if (answering) setImmediate(() => serve(request));
    return true;
  });
  replies.to = client;
  return { client, sent, stopAnswering: () => (answering = false) };
}

describe('engine RPC', () => {
  it('answers a call with the handler result, matched by id', async () => {
    const { client } = pair({ add: (a: number, b: number) => a + b, slow: async () => 'later' });
    const [slow, sum] = await Promise.all([client.call('slow', []), client.call('add', [2, 3])]);
    expect([slow, sum]).toEqual(['later', 5]);
    expect(client.waiting).toBe(0);
  });

  it('carries a handler error back in plain words, with its code', async () => {
    const { client } = pair({
      boom: () => {
        throw new Error('resource "db" cannot answer history queries now');
      },
    });
    const err = await client.call('boom', []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineCallError);
    expect(err).toMatchObject({
      code: supervisorErrors.code.ENGINE_FAILED,
      message: 'resource "db" cannot answer history queries now',
    });
    await expect(client.call('nope', [])).rejects.toThrow('no such engine call: nope');
  });

  it('rejects a call to a stuck engine at its deadline, and drops the late answer', async () => {
    const { client, stopAnswering } = pair({ stop: () => 'stopped' });
    stopAnswering();
    const err = await client.call('stop', [], 50).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: supervisorErrors.code.ENGINE_TIMEOUT,
      message: 'the engine did not answer stop within 50 ms',
    });
    expect(client.waiting).toBe(0);
    // An answer that comes after the deadline finds no caller, and changes nothing.
    client.handle({ t: 'reply', id: 1, ok: true, value: 'too late' });
    expect(client.waiting).toBe(0);
  });

  it('fails pending and later calls at once when the engine process ends', async () => {
    const { client, stopAnswering } = pair({ deploy: () => 'ok' });
    stopAnswering();
    const pending = client.call('deploy', [{}]);
    client.close('the engine process was killed by SIGKILL');
    await expect(pending).rejects.toMatchObject({
      code: supervisorErrors.code.ENGINE_ENDED,
      message: 'the engine ended before it answered deploy: the engine process was killed by SIGKILL',
    });
    await expect(client.call('deploy', [{}])).rejects.toThrow(
      'the engine cannot run deploy: the engine process was killed by SIGKILL',
    );
  });

  it('fails a call at once when the channel is gone', async () => {
    const gone = new RpcClient(() => false);
    await expect(gone.call('stats', [])).rejects.toMatchObject({
      code: supervisorErrors.code.ENGINE_ENDED,
      message: 'the engine cannot run stats: its process is gone',
    });
    const broken = new RpcClient(() => {
      throw new Error('channel closed');
    });
    await expect(broken.call('stats', [], 1000)).rejects.toThrow('the request could not be sent (channel closed)');
    expect(broken.waiting).toBe(0);
  });
});
