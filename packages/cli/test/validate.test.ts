import { ensureCliBuilt } from '@tagflow/test-support';
import { runCli } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);

describe('tagflow validate', () => {
  it('prints a one-line summary and exits 0 for a valid flow', async () => {
    const result = await runCli(['validate', 'pump-monitor.flow.json']);
    expect(result.stdout).toBe('flow "pump-monitor" is valid: 3 nodes, 2 edges\n');
    expect(result.code).toBe(0);
  });

  it('lists every problem, one per line, and exits 1 for an invalid flow', async () => {
    const result = await runCli(['validate', 'invalid.flow.json']);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    // The unknown type, the bad config and the edge to a missing node are each reported.
    expect(lines.find((l) => l.includes('no-such-node-type'))).toContain('mystery');
    expect(lines.some((l) => l.includes('avg') && l.includes('window'))).toBe(true);
    expect(lines.some((l) => l.includes('ghost'))).toBe(true);
    expect(lines.some((l) => l.includes('flow-sensor'))).toBe(false);
    expect(result.stderr).toMatch(/^error: invalid\.flow\.json is not a valid flow: \d+ errors\n$/m);
  });

  it('says where a file that is not JSON goes wrong, and exits 1', async () => {
    const result = await runCli(['validate', 'bad-json.flow.json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: bad-json\.flow\.json is not valid JSON: .*line 6/m);
  });

  it('says plainly that a flow file does not exist, and exits 1', async () => {
    const result = await runCli(['validate', 'missing.json']);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error: cannot read flow file missing.json: no such file\n',
    });
  });

  it('prints warnings without failing, and counts them in the summary', async () => {
    // A lone node is suspicious (nothing wired to it) but can run.
    const result = await runCli(['validate', 'unplugged.flow.json', '--nodes-dir', 'extra-nodes']);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^warning: .*"flow-sensor".*not connected/);
    expect(lines[1]).toBe('flow "unplugged" is valid: 1 node, 0 edges (1 warning)');
    expect(result.code).toBe(0);
  });

  it('knows the node types of packages in --nodes-dir', async () => {
    const without = await runCli(['validate', 'unplugged.flow.json']);
    expect(without.code).toBe(1);
    expect(without.stdout).toContain('unplugged-sensor');
    const withDir = await runCli(['validate', 'unplugged.flow.json', '--nodes-dir', 'extra-nodes']);
    expect(withDir.stdout).toMatch(/flow "unplugged" is valid: 1 node, 0 edges/);
    expect(withDir.code).toBe(0);
    // The refused fixture package is reported on stderr, not hidden.
    expect(withDir.stderr).toContain(
      'warning: node package skipped: cli-test-broken 0.0.1 needs @tagflow/node-sdk ^9.0.0',
    );
  });
});
