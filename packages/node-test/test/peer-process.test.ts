import { acceptsConnections, freePort, startPeer } from '../src';

// A tiny TCP server in a child Node process plays the peer.
const server = (port: number, before = '') =>
  `${before}; require('node:net').createServer(() => {}).listen(${port}, '127.0.0.1', () => console.log('{"listening":${port}}'))`;

describe('startPeer', () => {
  it('resolves once ready, passes stdout lines on, and stops the peer', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const peer = await startPeer(process.execPath, ['-e', server(port)], {
      // The port accepts before the child's stdout (a pipe, written asynchronously) reaches us: under
      // load a stop right after could kill it with the line unsent, so ready waits for both.
      ready: async () => lines.length > 0 && (await acceptsConnections(port)),
      onLine: (line) => lines.push(line),
    });
    expect(await acceptsConnections(port)).toBe(true);
    await peer.stop();
    expect(peer.child.signalCode).toBe('SIGTERM');
    expect(await acceptsConnections(port)).toBe(false);
    expect(lines).toEqual([`{"listening":${port}}`]);
  });

  it('fails with what the peer printed when it exits before it is ready', async () => {
    await expect(
      startPeer(process.execPath, ['-e', 'console.error("bad config: no port"); process.exit(3)'], {
        name: 'the fake broker',
        ready: () => false,
      }),
    ).rejects.toThrow(/^the fake broker exited \(code 3\) before it was ready:\nbad config: no port/);
  });

  it('kills a peer that is not ready in time, and says so', async () => {
    const port = await freePort();
    let pid: number | undefined;
    let printed: () => void = () => {};
    const pidPrinted = new Promise<void>((resolve) => (printed = resolve));
    const started = startPeer(process.execPath, ['-e', 'console.log(process.pid); setInterval(() => {}, 1000)'], {
      // Never ready, but not before it told its pid: a Node that starts slower than the 300 ms
      // under load would otherwise be killed with nothing to check its death by.
      ready: async () => {
        await pidPrinted;
        return false;
      },
      timeoutMs: 300,
      onLine: (line) => {
        pid = Number(line);
        printed();
      },
    });
    await expect(started).rejects.toThrow(`${process.execPath} was not ready within 300 ms`);
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid as number, 0)).toThrow(/ESRCH/);
    expect(await acceptsConnections(port)).toBe(false);
  });

  it('names a missing command and how to install it', async () => {
    await expect(startPeer('/usr/sbin/no-such-broker', [], { ready: () => true })).rejects.toThrow(
      '/usr/sbin/no-such-broker is missing: install it with bash scripts/system-deps.sh',
    );
  });
});
