import { CliError, EXIT_FAILURE, EXIT_USAGE } from '../../src/cli-error';
import { parseFleet } from '../../src/fleet/fleet-file';
import { parseLabel, selectRuntimes, withTokens } from '../../src/fleet/select-targets';
import type { Selection } from '../../src/fleet/select-targets';

const fleet = parseFleet(
  `
runtimes:
  - { name: a1, url: "http://10.0.0.1:1990", tokenEnv: T_A1, labels: { site: plant-a, line: l1 } }
  - { name: a2, url: "http://10.0.0.2:1990", tokenEnv: T_A2, labels: { site: plant-a, line: l2 } }
  - { name: b1, url: "http://10.0.0.3:1990", tokenEnv: T_B1, labels: { site: plant-b, line: l1 } }
`,
  'fleet.yaml',
);

const names = (selection: Selection) => selectRuntimes(fleet, selection).map((r) => r.name);

function cliError(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error('expected a CliError');
}

describe('selectRuntimes', () => {
  it('selects by name, in fleet-file order whatever order --to gives', () => {
    expect(names({ to: ['b1', 'a1'] })).toEqual(['a1', 'b1']);
    expect(names({ to: ['a2', 'a2'] })).toEqual(['a2']);
  });

  it('selects by labels, all of which must match', () => {
    expect(names({ label: ['site=plant-a'] })).toEqual(['a1', 'a2']);
    expect(names({ label: ['site=plant-a', 'line=l1'] })).toEqual(['a1']);
    expect(names({ label: ['line=l1'] })).toEqual(['a1', 'b1']);
  });

  it('selects everything with --all', () => {
    expect(names({ all: true })).toEqual(['a1', 'a2', 'b1']);
  });

  it('names unknown runtimes and lists the known ones', () => {
    const err = cliError(() => names({ to: ['a1', 'c9'] }));
    expect(err.message).toBe('fleet.yaml has no runtime named "c9" (it has: a1, a2, b1)');
    expect(err.exitCode).toBe(EXIT_FAILURE);
  });

  it('says when no runtime has the labels', () => {
    expect(cliError(() => names({ label: ['site=plant-a', 'line=l9'] })).message).toBe(
      'no runtime in fleet.yaml has the labels site=plant-a and line=l9',
    );
  });

  it('is a usage error to give no selection, or two kinds at once', () => {
    expect(cliError(() => names({}))).toMatchObject({
      exitCode: EXIT_USAGE,
      message: 'say which runtimes: --to NAME[,NAME], --label key=value or --all',
    });
    expect(cliError(() => names({ to: ['a1'], all: true }))).toMatchObject({
      exitCode: EXIT_USAGE,
      message: expect.stringMatching(/^use only one of them/),
    });
  });
});

describe('parseLabel', () => {
  it('splits at the first "="', () => {
    expect(parseLabel('site=plant-a')).toEqual(['site', 'plant-a']);
    expect(parseLabel('expr=a=b')).toEqual(['expr', 'a=b']);
    expect(cliError(() => parseLabel('site')).exitCode).toBe(EXIT_USAGE);
  });
});

describe('withTokens', () => {
  const runtimes = selectRuntimes(fleet, { all: true });

  it('reads each token from the variable the fleet file names', () => {
    const targets = withTokens(runtimes, { T_A1: 'tf_1', T_A2: ' tf_2\n', T_B1: 'tf_3' });
    expect(targets.map((t) => [t.name, t.token])).toEqual([
      ['a1', 'tf_1'],
      ['a2', 'tf_2'],
      ['b1', 'tf_3'],
    ]);
  });

  it('names the unset variable, before anything is sent', () => {
    expect(cliError(() => withTokens(runtimes, { T_A1: 'tf_1', T_B1: 'tf_3', T_A2: '' })).message).toBe(
      'no token for a2: the environment variable T_A2 is not set (its tokenEnv in the fleet file)',
    );
    expect(cliError(() => withTokens(runtimes, { T_A1: 'tf_1' })).message).toBe(
      'no token for 2 runtimes: these environment variables (their tokenEnv) are not set:\n  a2: T_A2\n  b1: T_B1',
    );
  });
});
