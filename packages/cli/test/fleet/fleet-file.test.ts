import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CliError } from '../../src/cli-error';
import { loadFleetFile, parseFleet } from '../../src/fleet/fleet-file';

const fixtures = path.join(__dirname, 'fixtures');

/** The message of the CliError `fn` throws. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return (err as Error).message;
  }
  throw new Error('expected a CliError');
}

describe('parseFleet', () => {
  it('refuses a file nested thousands of levels deep in plain words, not with a stack overflow', () => {
    const deep = `runtimes: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
    expect(errorOf(() => parseFleet(deep, 'fleet.yaml'))).toBe(
      'fleet.yaml is nested too deeply to read: a fleet file needs a few levels, not thousands',
    );
  });

  it('reads runtimes in file order, with URLs without a trailing slash and labels as text', async () => {
    const fleet = await loadFleetFile(path.join(fixtures, 'fleet.yaml'));
    expect(fleet.runtimes).toEqual([
      {
        name: 'plant-a-l1',
        url: 'http://10.0.0.5:1990',
        tokenEnv: 'TAGFLOW_TOKEN_PLANT_A_L1',
        labels: { site: 'plant-a', line: 'l1' },
        variables: {},
        flows: [],
      },
      {
        name: 'plant-a-l2',
        url: 'http://10.0.0.6:1990',
        tokenEnv: 'TAGFLOW_TOKEN_PLANT_A_L2',
        labels: { site: 'plant-a', line: 'l2' },
        variables: {},
        flows: [],
      },
      // YAML reads `line: 1` as a number; labels are compared as text.
      {
        name: 'plant-b-l1',
        url: 'https://edge-b1.example.com/tagflow',
        tokenEnv: 'TAGFLOW_TOKEN_PLANT_B_L1',
        labels: { site: 'plant-b', line: '1' },
        variables: {},
        flows: [],
      },
    ]);
  });

  it('reads JSON fleet files', async () => {
    const fleet = await loadFleetFile(path.join(fixtures, 'fleet.json'));
    expect(fleet.runtimes).toEqual([
      {
        name: 'lab',
        url: 'http://127.0.0.1:1990',
        tokenEnv: 'TAGFLOW_TOKEN_LAB',
        labels: {},
        variables: {},
        flows: [],
      },
    ]);
  });

  it('gives each runtime its variables: the fleet, then matching labels (later wins), then its own', () => {
    const fleet = parseFleet(
      `variables: { SAMPLE_MS: 1000, SITE: none, LINE: '0' }
labelVariables:
  - labels: { site: plant-a }
    variables: { SITE: plant-a, BROKER: a.broker }
  - labels: { site: plant-a, line: '2' }
    variables: { BROKER: a2.broker }
runtimes:
  - { name: a1, url: "http://10.0.0.1:1990", tokenEnv: T_A1, labels: { site: plant-a, line: 1 }, variables: { LINE: 1 } }
  - { name: a2, url: "http://10.0.0.2:1990", tokenEnv: T_A2, labels: { site: plant-a, line: 2 }, variables: { LINE: 2 } }
  - { name: b1, url: "http://10.0.0.3:1990", tokenEnv: T_B1, labels: { site: plant-b, line: 1 } }
`,
      'fleet.yaml',
    );
    expect(Object.fromEntries(fleet.runtimes.map((r) => [r.name, r.variables]))).toEqual({
      a1: { SAMPLE_MS: '1000', SITE: 'plant-a', LINE: '1', BROKER: 'a.broker' },
      a2: { SAMPLE_MS: '1000', SITE: 'plant-a', LINE: '2', BROKER: 'a2.broker' },
      b1: { SAMPLE_MS: '1000', SITE: 'none', LINE: '0' },
    });
  });

  it("gives each runtime the fleet's flows, then its own, as paths from the fleet file's folder", () => {
    const fleet = parseFleet(
      [
        'flows: [pump-monitor.flow.json, shared/alarms.flow.json]',
        'runtimes:',
        '  - { name: a, url: "http://a:1990", tokenEnv: T_A, flows: [line-a.flow.json, pump-monitor.flow.json] }',
        '  - { name: b, url: "http://b:1990", tokenEnv: T_B }',
        '',
      ].join('\n'),
      'sites/fleet.yaml',
      '/etc/tagflow/sites',
    );
    expect(fleet.runtimes.map((r) => [r.name, r.flows])).toEqual([
      [
        'a',
        [
          '/etc/tagflow/sites/pump-monitor.flow.json',
          '/etc/tagflow/sites/shared/alarms.flow.json',
          '/etc/tagflow/sites/line-a.flow.json',
        ],
      ],
      ['b', ['/etc/tagflow/sites/pump-monitor.flow.json', '/etc/tagflow/sites/shared/alarms.flow.json']],
    ]);
  });

  it('refuses a "flows" that is not a list of flow files, in plain words', () => {
    const message = errorOf(() =>
      parseFleet(
        [
          'flows: pump-monitor.flow.json',
          'runtimes:',
          '  - { name: a, url: "http://a:1990", tokenEnv: T_A, flows: [a.json, "", { file: b.json }, a.json] }',
          '',
        ].join('\n'),
        'fleet.yaml',
        '/x',
      ),
    );
    expect(message.split('\n')).toEqual([
      'fleet.yaml is not a valid fleet file (4 problems):',
      '  "flows" must be a list of flow files, like [pump-monitor.flow.json, alarms.flow.json] (paths relative to the fleet file)',
      '  runtimes[0] (a): "flows"[1] must be the path of a flow file, like [pump-monitor.flow.json, alarms.flow.json] (paths relative to the fleet file)',
      '  runtimes[0] (a): "flows"[2] must be the path of a flow file, like [pump-monitor.flow.json, alarms.flow.json] (paths relative to the fleet file)',
      '  runtimes[0] (a): "flows"[3]: "a.json" is listed twice',
    ]);
  });

  it('refuses a bad variable name or value, naming where', () => {
    expect(
      errorOf(() =>
        parseFleet(
          `variables: { "bad name": x }
labelVariables: [{ labels: {}, variables: {} }]
runtimes:
  - { name: a1, url: "http://10.0.0.1:1990", tokenEnv: T_A1, variables: { OK: [1, 2] } }
`,
          'fleet.yaml',
        ),
      ),
    ).toBe(
      [
        'fleet.yaml is not a valid fleet file (3 problems):',
        '  variables: "bad name" is not a variable name (letters, digits and "_", starting with a letter or "_")',
        '  labelVariables[0] must have "labels" (at least one) and "variables", like [{ labels: { site: plant-a }, variables: { BROKER_HOST: 10.0.1.2 } }]',
        '  runtimes[0] (a1): "variables": variable OK must be a text or a number',
      ].join('\n'),
    );
  });

  it('reports every problem at once, naming the runtime and the key', () => {
    const text = `
runtimes:
  - name: a
    url: http://10.0.0.5:1990
    tokenEnv: TOKEN_A
    lables: { site: x }
  - name: a
    url: http://10.0.0.6:1990
    tokenEnv: TOKEN_A2
  - name: b
    tokenEnv: TOKEN_B
  - name: c
    url: not a url
    tokenEnv: TOKEN_C
  - name: d
    url: ftp://10.0.0.7
    tokenEnv: 1BAD
`;
    const message = errorOf(() => parseFleet(text, 'fleet.yaml'));
    expect(message.split('\n')).toEqual([
      'fleet.yaml is not a valid fleet file (6 problems):',
      '  runtimes[0] (a): unknown key "lables" (did you mean "labels"?)',
      '  runtimes[1]: the name "a" is already used by runtimes[0]; names must be unique',
      '  runtimes[2] (b): "url" is missing',
      '  runtimes[3] (c): url "not a url" is not a URL; write it like http://10.0.0.5:1990',
      '  runtimes[4] (d): url "ftp://10.0.0.7" must start with http:// or https://',
      '  runtimes[4] (d): tokenEnv "1BAD" is not an environment variable name (letters, digits and "_", e.g. TAGFLOW_TOKEN_PLANT_A)',
    ]);
  });

  it('refuses tokens in the file, as a key or in the URL', () => {
    const text = JSON.stringify({
      runtimes: [
        { name: 'a', url: 'http://10.0.0.5:1990', tokenEnv: 'T_A', token: 'tf_secret' },
        { name: 'b', url: 'http://admin:tf_secret@10.0.0.6:1990', tokenEnv: 'T_B' },
      ],
    });
    const message = errorOf(() => parseFleet(text, 'fleet.json'));
    expect(message).toContain('runtimes[0] (a): "token" is not allowed: tokens never go in the fleet file');
    expect(message).toContain('runtimes[1] (b): url must not hold a user or password');
    // The token itself is not repeated back.
    expect(message).not.toContain('tf_secret');
  });

  it('explains a file without runtimes, and unknown top-level keys', () => {
    expect(errorOf(() => parseFleet('hosts: []\n', 'f.yaml'))).toMatch(
      /unknown key "hosts" at the top.*\n.*"runtimes" is missing: list the runtimes, like runtimes: \[/s,
    );
    expect(errorOf(() => parseFleet('runtimes: []\n', 'f.yaml'))).toContain('"runtimes" must be a non-empty list');
    expect(errorOf(() => parseFleet('- a\n- b\n', 'f.yaml'))).toContain(
      'the file must hold an object with a "runtimes" list',
    );
  });

  it('says where YAML and JSON syntax goes wrong', () => {
    expect(errorOf(() => parseFleet('runtimes:\n  - name: a\n   url: x\n', 'f.yaml'))).toMatch(
      /^f\.yaml is not valid YAML: .*line 3/,
    );
    expect(errorOf(() => parseFleet('{ "runtimes": [ }', 'f.json'))).toMatch(
      /^f\.json is not valid JSON: line 1, column/,
    );
    // Duplicate keys are a YAML error, not a silent override.
    expect(errorOf(() => parseFleet('runtimes:\n  - name: a\n    name: b\n', 'f.yaml'))).toMatch(
      /not valid YAML: .*[Mm]ap keys must be unique/,
    );
  });
});

describe('loadFleetFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tagflow-fleet-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses ./fleet.yaml, then ./fleet.json, when no file is given', async () => {
    await expect(loadFleetFile(undefined, dir)).rejects.toThrow(
      'no fleet file: there is no fleet.yaml or fleet.json here; pass one with --fleet FILE',
    );
    copyFileSync(path.join(fixtures, 'fleet.json'), path.join(dir, 'fleet.json'));
    expect((await loadFleetFile(undefined, dir)).file).toBe('fleet.json');
    copyFileSync(path.join(fixtures, 'fleet.yaml'), path.join(dir, 'fleet.yaml'));
    expect((await loadFleetFile(undefined, dir)).runtimes).toHaveLength(3);
  });

  it('says plainly that a named fleet file does not exist', async () => {
    await expect(loadFleetFile('sites.yaml', dir)).rejects.toThrow('cannot read fleet file sites.yaml: no such file');
  });
});
