import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureCliBuilt } from '@tagflow/test-support';
import { runCli } from './cli-process';

const launcher = path.resolve(__dirname, '..', 'bin', 'tagflow.js');

beforeAll(ensureCliBuilt, 120_000);

describe('tagflow usage', () => {
  it('shows the commands and examples with --help, and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['run', 'validate', 'nodes'])
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(result.stdout).toContain('$ tagflow run pump-monitor.json --for 1m');
  });

  it('shows examples in the help of each command', async () => {
    const run = await runCli(['run', '--help']);
    expect(run.stdout).toContain('--for <duration>');
    expect(run.stdout).toContain('$ tagflow run pump-monitor.json --for 30s > values.jsonl');
    const nodes = await runCli(['help', 'nodes']);
    expect(nodes.stdout).toContain('$ tagflow nodes --json');
  });

  it('prints its version and the Node.js it runs on', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+ \(Node\.js v\d+\.\d+\.\d+\)\n$/);
    expect(result.stdout).toContain(`(Node.js ${process.version})`);
  });

  it.each(['20.20.2', '22.12.0'])('stops at once with the Node.js it needs when started on %s', (version) => {
    // The launcher is what users start; a preload makes this Node report itself as that version.
    const older =
      `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '${version}' } });` +
      `Object.defineProperty(process, 'version', { value: 'v${version}' });`;
    const child = spawnSync(process.execPath, ['-e', `${older} require(${JSON.stringify(launcher)})`], {
      encoding: 'utf8',
    });
    expect(child.status).toBe(1);
    expect(child.stderr).toContain(`tagflow needs Node.js 24 (or 22.13 or later); this is Node.js v${version}`);
    expect(child.stderr).toContain('scripts/tagflow');
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['run'], /missing required argument 'flow'/],
    [['validate', 'a.json', '--strict'], /unknown option '--strict'/],
    [['run', 'simulate-debug.flow.json', '--for', '10x'], /'10x' is invalid\. Use a number with a unit: ms, s, m or h/],
  ])('exits 2 on wrong usage: %j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('exits 2 and shows the help when no command is given', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: tagflow');
  });
});
