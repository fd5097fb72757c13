import { testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import trigger from '../src/trigger.node';

// Cases from Node-RED's trigger node tests (test/nodes/core/function/89-trigger_spec.js),
// restated for tagflow's config; each names the Node-RED case it covers.

let h: NodeUnderTest | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(config: Record<string, unknown> = {}): Promise<NodeUnderTest> {
  h = await testNode(trigger, { config });
  return h;
}

describe('trigger: send, wait, send', () => {
  it('sends 1 at once and 0 after 250 ms by default, keeping the fields of the message', async () => {
    // "should output 1 then 0 when triggered (default)".
    const node = await start();
    await node.send({ payload: 'go', topic: 'led' });
    expect(node.outputs()).toMatchObject([{ payload: 1, topic: 'led' }]);
    await node.advance(249);
    expect(node.payloads()).toEqual([1]);
    await node.advance(1);
    expect(node.outputs()).toMatchObject([
      { payload: 1, topic: 'led' },
      { payload: 0, topic: 'led' },
    ]);
  });

  it('ignores messages while waiting (no extend)', async () => {
    // "should ignore any other inputs while triggered if extend is false".
    const node = await start({ durationMs: 100, firstValue: 'on', secondValue: 'off' });
    await node.send('a');
    await node.advance(50);
    await node.send('b');
    await node.advance(50);
    expect(node.payloads()).toEqual(['on', 'off']);
    await node.advance(500);
    expect(node.payloads()).toEqual(['on', 'off']);
    await node.send('c');
    expect(node.payloads()).toEqual(['on', 'off', 'on']);
  });

  it('extend: each message restarts the wait; the second is built on the latest message', async () => {
    // "should extend the timer if extend is true".
    const node = await start({ durationMs: 100, extend: true, firstSend: 'nothing', secondValue: 'timeout' });
    await node.send({ payload: 1, topic: 'x' });
    for (let i = 0; i < 5; i++) {
      await node.advance(90);
      await node.send({ payload: 2, topic: `x${i}` });
    }
    expect(node.outputs()).toEqual([]);
    await node.advance(100);
    expect(node.outputs()).toMatchObject([{ payload: 'timeout', topic: 'x4' }]);
  });

  it('firstSend message and secondSend first: the original payload comes back after the wait', async () => {
    // "should be able to return things from payload" (op1type pay, op2type pay).
    const node = await start({ firstSend: 'message', secondSend: 'first', durationMs: 20 });
    await node.send({ payload: 'Hello', extra: 1 });
    await node.send({ payload: 'World' });
    await node.advance(20);
    expect(node.outputs()).toMatchObject([
      { payload: 'Hello', extra: 1 },
      { payload: 'Hello', extra: 1 },
    ]);
  });

  it('secondSend latest: sends the latest message received while waiting', async () => {
    // "should be able to return the latest message" (op2type payl).
    const node = await start({ firstSend: 'nothing', secondSend: 'latest', durationMs: 50 });
    await node.send({ payload: 'a', topic: 't' });
    await node.send({ payload: 'b', topic: 'u' });
    await node.send({ payload: 'c', topic: 'v' });
    await node.advance(50);
    expect(node.outputs()).toMatchObject([{ payload: 'c', topic: 'v' }]);
  });

  it('secondSend nothing: only the first message; then ready again', async () => {
    // "should be able to not output anything on second edge".
    const node = await start({ secondSend: 'nothing', durationMs: 30 });
    await node.send('x');
    await node.advance(30);
    await node.send('y');
    expect(node.payloads()).toEqual([1, 1]);
  });

  it('timestamp: payloads are the time they are sent', async () => {
    // "should be able to send a timestamp on both edges" (op1type/op2type date).
    const node = await start({ firstSend: 'timestamp', secondSend: 'timestamp', durationMs: 40 });
    const t0 = node.now();
    await node.send('x');
    await node.advance(40);
    expect(node.payloads()).toEqual([t0, t0 + 40]);
  });

  it('secondOutput: the second message goes out on port second', async () => {
    // "should handle multiple outputs" (outputs: 2).
    const node = await start({ secondOutput: true, durationMs: 10 });
    await node.send('x');
    await node.advance(10);
    expect(node.payloads('out')).toEqual([1]);
    expect(node.payloads('second')).toEqual([0]);
  });

  it('overrideDelay: msg.delay sets the wait in milliseconds; 0 blocks until reset', async () => {
    // "should be able to apply a delay override (msg.delay)".
    const node = await start({ overrideDelay: true, durationMs: 1000 });
    await node.send({ payload: 'x', delay: 200 });
    await node.advance(199);
    expect(node.payloads()).toEqual([1]);
    await node.advance(1);
    expect(node.payloads()).toEqual([1, 0]);
    // msg.delay 0 waits to be reset, as a duration of 0 does in Node-RED.
    await node.send({ payload: 'y', delay: 0 });
    await node.advance(5000);
    expect(node.payloads()).toEqual([1, 0, 1]);
    await node.send({ payload: undefined, reset: true });
    await node.send({ payload: 'z', delay: '50' });
    await node.advance(50);
    expect(node.payloads()).toEqual([1, 0, 1, 1, 0]);
  });
});

describe('trigger: reset', () => {
  it('msg.reset stops the wait: no second message, the reset is not sent', async () => {
    // "should be able to reset correctly (msg.reset)".
    const node = await start({ durationMs: 100 });
    await node.send('x');
    await node.send({ payload: 'anything', reset: true });
    await node.advance(200);
    expect(node.payloads()).toEqual([1]);
    await node.send('again');
    expect(node.payloads()).toEqual([1, 1]);
  });

  it('a payload equal to resetPayload (as text) resets', async () => {
    // "should be able to reset correctly (payload equals reset)".
    const node = await start({ durationMs: 100, resetPayload: '42' });
    await node.send('x');
    await node.send(42);
    await node.advance(200);
    expect(node.payloads()).toEqual([1]);
  });
});

describe('trigger: block and resend', () => {
  it('block: sends the first message, then nothing until reset', async () => {
    // "should be able to wait for reset (duration 0)".
    const node = await start({ then: 'block' });
    await node.send('a');
    await node.advance(10_000);
    await node.send('b');
    expect(node.payloads()).toEqual([1]);
    expect(node.status).toMatchObject({ state: 'ok', text: 'active' });
    await node.send({ payload: undefined, reset: true });
    expect(node.status).toMatchObject({ state: 'idle' });
    await node.send('c');
    expect(node.payloads()).toEqual([1, 1]);
  });

  it('resend: repeats the first message every durationMs until reset; a new message restarts it', async () => {
    // "should handle repeat (negative duration)" and "... repeat with new message".
    const node = await start({ then: 'resend', firstSend: 'message', durationMs: 100 });
    await node.send('a');
    await node.advance(300);
    expect(node.payloads()).toEqual(['a', 'a', 'a', 'a']);
    await node.advance(50);
    await node.send('b');
    await node.advance(100);
    expect(node.payloads()).toEqual(['a', 'a', 'a', 'a', 'b', 'b']);
    await node.send({ payload: undefined, reset: true });
    await node.advance(500);
    expect(node.payloads()).toHaveLength(6);
  });
});

describe('trigger: per topic', () => {
  it('keeps one stream per topic; reset only stops its own topic', async () => {
    // "should handle multiple topics as one if not asked to handle" / "... separately".
    const node = await start({ perTopic: true, durationMs: 100 });
    await node.send({ payload: 'x', topic: 'A' });
    await node.send({ payload: 'x', topic: 'B' });
    await node.send({ payload: 'x', topic: 'A' });
    expect(node.status).toMatchObject({ text: '2 active' });
    await node.send({ payload: 'x', topic: 'B', reset: true });
    await node.advance(100);
    expect(node.outputs().map((m) => [m.topic, m.payload])).toEqual([
      ['A', 1],
      ['B', 1],
      ['A', 0],
    ]);
  });

  it('treats all topics as one stream by default', async () => {
    const node = await start({ durationMs: 100 });
    await node.send({ payload: 'x', topic: 'A' });
    await node.send({ payload: 'x', topic: 'B' });
    await node.advance(100);
    expect(node.outputs().map((m) => [m.topic, m.payload])).toEqual([
      ['A', 1],
      ['A', 0],
    ]);
  });

  it('logs the second messages still due when it stops', async () => {
    const node = await start({ perTopic: true, durationMs: 1000 });
    await node.send({ payload: 'x', topic: 'A' });
    await node.send({ payload: 'x', topic: 'B' });
    await node.close();
    h = undefined;
    expect(node.logs.map((l) => l.message)).toContain(
      '2 second messages were not sent: the node stopped while waiting',
    );
  });
});
