import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineSupervisor } from '../../src/supervisor/engine-supervisor';
import { MemoryLogger } from '../helpers';

/**
 * A node package (no dependencies: a definition is a plain object) with a source that writes its
 * node context and the global context in a loop, each value `{ n, check: n * 2 }`.
 */
function writerPackage(root: string): string {
  const dir = join(root, 'node_modules', 'context-writer-nodes');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'context-writer-nodes',
      version: '1.0.0',
      keywords: ['tagflow-nodes'],
      tagflow: { nodes: ['writer.node.js'] },
      peerDependencies: { '@tagflow/node-sdk': '^0.1.0' },
    }),
  );
  writeFileSync(
    join(dir, 'writer.node.js'),
    `'use strict';
module.exports = {
  type: 'context-writer', version: 1, category: 'source', description: 'writes context in a loop',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: [], outputs: ['out'],
  create(ctx) {
    // Goes on from what it kept, as a node with persist does (the supervisor may run it again).
    let n = (ctx.context.node.get('state') || { n: 0 }).n;
    let timer;
    return {
      start() {
        timer = setInterval(() => {
          for (let i = 0; i < 50; i++) {
            n++;
            ctx.context.node.set('state', { n, check: n * 2, pad: 'x'.repeat(20000) });
            ctx.context.global.set('n', n);
          }
        }, 1);
      },
      close() { clearInterval(timer); },
    };
  },
};
`,
  );
  return root;
}

describe('flow state in an engine process killed with SIGKILL', () => {
  it('keeps what was written before the kill, whole, and the next engine reads it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tagflow-context-kill-'));
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    const logger = new MemoryLogger();
    const supervisor = new EngineSupervisor({ searchDirs: [writerPackage(join(root, 'nodes'))], dataDir, logger });
    try {
      await supervisor.start();
      const result = await supervisor.deploy({
        schemaVersion: 1,
        id: 'plant',
        nodes: [{ id: 'w', type: 'context-writer', typeVersion: 1 }],
        edges: [],
      });
      expect(result).toMatchObject({ ok: true });
      const nodeFile = join(dataDir, 'context', 'flows', 'plant', 'nodes', 'w.json');
      // Written by the engine on its own (nobody flushed): wait for a few of its writes.
      let onDisk = 0;
      for (let i = 0; i < 200 && onDisk < 2000; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        try {
          onDisk = (JSON.parse(readFileSync(nodeFile, 'utf8')) as { state: { n: number } }).state.n;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      expect(onDisk).toBeGreaterThanOrEqual(2000);
      const ended = new Promise((resolve) => supervisor.onEnded(resolve));
      process.kill(supervisor.pid as number, 'SIGKILL');
      await ended;

      // The files parse, and the next engine process reads at least what was on disk.
      const stored = JSON.parse(readFileSync(nodeFile, 'utf8')) as { state: { n: number; check: number } };
      expect(stored.state.check).toBe(stored.state.n * 2);
      const view = await supervisor.readContext({ scope: 'node', flowId: 'plant', nodeId: 'w' });
      const state = view.entries[0].value as { n: number; check: number; pad: string };
      expect(state.n).toBeGreaterThanOrEqual(onDisk);
      expect(state.check).toBe(state.n * 2);
      expect(state.pad).toHaveLength(20000);
      // Each scope is written on its own schedule: the global one holds what its file held.
      const globalFile = JSON.parse(readFileSync(join(dataDir, 'context', 'global.json'), 'utf8')) as { n: number };
      const global = await supervisor.readContext({ scope: 'global' });
      expect(global.entries).toEqual([{ key: 'n', value: globalFile.n }]);
      expect(globalFile.n).toBeGreaterThan(0);
      expect((await supervisor.contextSummary()).problems).toEqual([]);
    } finally {
      await supervisor.shutdown(5000);
    }
  }, 90_000);
});
