import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mosquitto, until } from '@tagflow/node-test';
import { cliBin, ensureCliBuilt } from '@tagflow/test-support';
import { num, SparkplugPeer } from './sparkplug-peer';
import type { Seen } from './sparkplug-peer';

// The edge node in a real runtime process (`tagflow run`, the nodes tagflow comes with), killed
// with SIGKILL: the broker publishes the NDEATH will, with the bdSeq of the NBIRTH.
let broker: Mosquitto;
let peer: SparkplugPeer | undefined;
const runtimes: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  ensureCliBuilt();
  broker = await Mosquitto.start();
  peer = await SparkplugPeer.connect(broker.url);
}, 120_000);
afterAll(async () => {
  for (const r of runtimes) if (r.exitCode === null && r.signalCode === null) r.kill('SIGKILL');
  peer?.close();
  await broker?.down();
});

function startRuntime(flowFile: string, dataDir: string): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--no-node-snapshot', cliBin, 'run', flowFile, '--data-dir', dataDir], {
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  runtimes.push(child);
  child.stdout.resume();
  child.stderr.resume();
  return child;
}

const bdSeqOf = (s: Seen) => num(s.payload.metrics.find((m) => m.name === 'bdSeq')?.value);

it('sends NDEATH with the bdSeq of its NBIRTH when the runtime is SIGKILLed, and is born again after a restart', async () => {
  const p = peer;
  if (p === undefined) throw new Error('no Sparkplug peer: see beforeAll');
  const dir = mkdtempSync(join(tmpdir(), 'tagflow-sparkplug-kill-'));
  const flowFile = join(dir, 'flow.json');
  writeFileSync(
    flowFile,
    JSON.stringify({
      schemaVersion: 1,
      id: 'edge-kill',
      resources: [
        { id: 'edge', type: 'sparkplug-edge-node', config: { url: broker.url, groupId: 'kill', edgeNodeId: 'edge7' } },
      ],
      nodes: [
        { id: 'tick', type: 'timer', typeVersion: 1, config: { intervalMs: 100, topic: 'count', payload: 1 } },
        { id: 'out', type: 'sparkplug-out', typeVersion: 1, config: { edgeNode: 'edge', device: 'pump3' } },
      ],
      edges: [{ source: 'tick', sourcePort: 'out', target: 'out', targetPort: 'in' }],
    }),
  );
  const dataDir = join(dir, 'data');
  const first = startRuntime(flowFile, dataDir);
  await until(() => p.of('DDATA').length >= 3, 30_000, 'NBIRTH, DBIRTH and DDATA from the runtime');
  const [nbirth] = p.of('NBIRTH');
  expect(p.of('DBIRTH', 'pump3')).toHaveLength(1);
  expect(p.of('NDEATH')).toEqual([]);

  first.kill('SIGKILL');
  await until(() => p.of('NDEATH').length === 1, 30_000, 'NDEATH, the will of the killed runtime');
  expect(bdSeqOf(p.of('NDEATH')[0])).toBe(bdSeqOf(nbirth));

  // The same data dir: the next connection has the next bdSeq.
  startRuntime(flowFile, dataDir);
  await until(() => p.of('NBIRTH').length === 2, 30_000, 'NBIRTH of the restarted runtime');
  expect(bdSeqOf(p.of('NBIRTH')[1])).toBe((bdSeqOf(nbirth) + 1) % 256);
}, 90_000);
