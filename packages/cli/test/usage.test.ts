import { ensureCliBuilt } from '@tagflow/test-support';
import { runCli } from './cli-process';

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

  it('prints its version', async () => {
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
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
