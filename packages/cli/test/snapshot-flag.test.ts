// `tagflow run` keeps Node's start-up snapshot (a faster start) unless its flow may load
// isolated-vm, which asks for --no-node-snapshot: then it starts again with the flag.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliBin, ensureCliBuilt, finished } from '@tagflow/test-support';
import { loadRegistry } from '../src/load-registry';
import { flowNeedsNoSnapshot } from '../src/snapshot-flag';
import { fixtures, logLines } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);

const pumpMonitor = JSON.parse(readFileSync(path.join(fixtures, 'pump-monitor.flow.json'), 'utf8')) as {
  nodes: object[];
};
const fn = { id: 'f', type: 'function', typeVersion: 1, config: { code: 'return msg;' } };

describe('flowNeedsNoSnapshot', () => {
  it('says which flows may load isolated-vm', async () => {
    const { registry } = await loadRegistry([]);
    const needs = (flow: unknown) => flowNeedsNoSnapshot(flow, registry);
    expect(needs(pumpMonitor)).toBe(false);
    expect(needs({ ...pumpMonitor, nodes: [...pumpMonitor.nodes, fn] })).toBe(true);
    // In a subflow of the file.
    expect(needs({ ...pumpMonitor, subflows: [{ id: 's', nodes: [fn] }] })).toBe(true);
    expect(needs({ ...pumpMonitor, subflows: [{ id: 's', nodes: [{ id: 'd', type: 'debug' }] }] })).toBe(false);
    // A type no package of tagflow's defines (it may come from --nodes-dir), or a shape not understood.
    expect(needs({ nodes: [{ id: 'x', type: 'acme-sandbox' }] })).toBe(true);
    expect(needs({ nodes: [], resources: [{ id: 'r', type: 'acme-db' }] })).toBe(true);
    expect(needs({ nodes: 'all' })).toBe(true);
    expect(needs(null)).toBe(true);
  });
});

describe('tagflow run started without the flag', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'tagflow-snapshot-'));

  /** `node bin/tagflow.js run <flow> --for 1s` with nothing in NODE_OPTIONS (Jest puts the flag there). */
  function run(flow: object) {
    const file = path.join(work, `${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(flow));
    const args = [cliBin, 'run', file, '--for', '1s', '--data-dir', mkdtempSync(path.join(work, 'data-'))];
    const env = { ...process.env, NODE_OPTIONS: '', TAGFLOW_LOG_LEVEL: 'info', FORCE_COLOR: '0' };
    const child = spawn(process.execPath, args, { env });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    return finished(child);
  }

  it('runs a function node with --no-node-snapshot (no warning about the flag)', async () => {
    const flow = {
      schemaVersion: 1,
      id: 'fn',
      nodes: [
        { id: 's', type: 'simulate', typeVersion: 1, config: { tag: 't', intervalMs: 100 } },
        fn,
        { id: 'd', type: 'debug', typeVersion: 1, config: {} },
      ],
      edges: [
        { source: 's', target: 'f' },
        { source: 'f', target: 'd' },
      ],
    };
    const result = await run(flow);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean).length).toBeGreaterThan(0);
    const msgs = logLines(result.stderr).map((l) => l.msg);
    expect(msgs).toContain('stopped');
    expect(msgs.filter((m) => m.includes('--no-node-snapshot'))).toEqual([]);
  }, 60_000);
});
