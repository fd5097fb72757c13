import { CliError, EXIT_USAGE } from '../../src/cli-error';
import { flowFilesFor, flowIdOf, flowsOfRuntime } from '../../src/fleet/flow-plan';
import type { LoadedFile } from '../../src/fleet/flow-plan';

const runtime = (name: string, flows: string[]) => ({ name, url: `http://${name}`, tokenEnv: 'T', labels: {}, flows });

/** The CliError `fn` throws. */
function cliError(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error('expected a CliError');
}

describe('flowFilesFor', () => {
  it('gives every runtime the files named on the command line, once each, as absolute paths', () => {
    const files = flowFilesFor(
      [runtime('a', ['/f/x.json']), runtime('b', [])],
      ['p.json', 'q.json', './p.json'],
      {
        file: 'fleet.yaml',
      },
      '/work',
    );
    expect([...files]).toEqual([
      ['a', ['/work/p.json', '/work/q.json']],
      ['b', ['/work/p.json', '/work/q.json']],
    ]);
  });

  it('gives each runtime its fleet-file flows when none is named, and names the runtimes that have none', () => {
    expect([
      ...flowFilesFor([runtime('a', ['/f/x.json']), runtime('b', ['/f/y.json'])], [], { file: 'fleet.yaml' }),
    ]).toEqual([
      ['a', ['/f/x.json']],
      ['b', ['/f/y.json']],
    ]);
    const err = cliError(() =>
      flowFilesFor([runtime('a', ['/f/x.json']), runtime('b', [])], [], { file: 'fleet.yaml' }),
    );
    expect(err.message).toBe(
      'no flow to deploy: name flow files (tagflow deploy a.json b.json ...), or list them under "flows" in fleet.yaml, for every runtime or per runtime; b has none',
    );
    expect(err.exitCode).toBe(EXIT_USAGE);
    expect(cliError(() => flowFilesFor([runtime('a', [])], [], { file: 'fleet.yaml' })).message).toMatch(
      /; it lists none$/,
    );
  });
});

describe('flowIdOf', () => {
  it('takes the flow id, and refuses a flow without a usable one', () => {
    expect(flowIdOf({ id: 'pump-monitor' }, 'p.json')).toBe('pump-monitor');
    for (const flow of [{}, { id: 3 }, { id: '../x' }, null])
      expect(cliError(() => flowIdOf(flow, 'p.json')).message).toMatch(
        /^p\.json has no valid "id": a runtime knows each flow by its id/,
      );
  });
});

describe('flowsOfRuntime', () => {
  const loaded = new Map<string, LoadedFile>([
    ['/f/pump.json', { label: 'pump.json', flows: [{ id: 'pump', flow: { id: 'pump' }, file: 'pump.json' }] }],
    [
      '/f/line.bundle.tgz',
      {
        label: 'line.bundle.tgz',
        bundle: Buffer.from('tgz'),
        flows: [
          { id: 'alarms', flow: { id: 'alarms' }, file: 'line.bundle.tgz' },
          { id: 'report', flow: { id: 'report' }, file: 'line.bundle.tgz' },
        ],
      },
    ],
    ['/f/pump-v2.json', { label: 'pump-v2.json', flows: [{ id: 'pump', flow: { id: 'pump' }, file: 'pump-v2.json' }] }],
  ]);

  it("lists the runtime's flows in file order, with the bundles to send first", () => {
    const plan = flowsOfRuntime('a', ['/f/pump.json', '/f/line.bundle.tgz'], loaded);
    expect(plan.flows.map((f) => f.id)).toEqual(['pump', 'alarms', 'report']);
    expect(plan.bundles).toEqual([Buffer.from('tgz')]);
  });

  it('refuses two files holding the same flow id for one runtime, naming both', () => {
    expect(cliError(() => flowsOfRuntime('a', ['/f/pump.json', '/f/pump-v2.json'], loaded)).message).toBe(
      'pump.json and pump-v2.json both hold the flow "pump" for a: a runtime knows each flow by its id, so only one of them can be deployed there',
    );
  });
});
