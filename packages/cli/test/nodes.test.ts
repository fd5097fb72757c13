import { ensureCliBuilt } from '@tagflow/test-support';
import { runCli } from './cli-process';

beforeAll(ensureCliBuilt, 120_000);

interface NodesJson {
  nodes: Array<{
    type: string;
    category: string;
    version: number;
    package: { name: string; version: string };
    origin: string;
  }>;
  resources: Array<{ type: string; origin: string }>;
  packages: Array<{ name: string; version: string; nodes: string[]; origin: string }>;
  problems: Array<{ package: string; message: string }>;
  searchDirs: string[];
}

async function nodesJson(...args: string[]): Promise<NodesJson> {
  const result = await runCli(['nodes', '--json', ...args]);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as NodesJson;
}

describe('tagflow nodes', () => {
  it('lists the core nodes the CLI ships with, with their package', async () => {
    const json = await nodesJson();
    const average = json.nodes.find((n) => n.type === 'moving-average');
    expect(average).toMatchObject({
      category: 'processor',
      package: { name: '@tagflow/nodes-core', version: expect.any(String) },
    });
    const core = json.packages.find((p) => p.name === '@tagflow/nodes-core');
    expect(core?.nodes).toEqual(expect.arrayContaining(['moving-average', 'simulate', 'debug']));
    expect(json.problems).toEqual([]);
  });

  it('says which nodes have as many outputs as their config asks (the switch)', async () => {
    const json = await nodesJson();
    const byType = new Map(json.nodes.map((n) => [n.type, n]));
    expect(byType.get('switch')).toMatchObject({ numberedOutputs: { prefix: 'out', countField: 'outputs' } });
    expect(byType.get('moving-average')).not.toHaveProperty('numberedOutputs');
  });

  // Issue 16: the standard distribution, with no install step and no --nodes-dir.
  it('lists the core, MQTT, Modbus, OPC UA and historian nodes as built in', async () => {
    const json = await nodesJson();
    const origins = Object.fromEntries(json.packages.map((p) => [p.name, p.origin]));
    expect(origins).toEqual({
      '@tagflow/nodes-core': 'built-in',
      '@tagflow/nodes-historian': 'built-in',
      '@tagflow/nodes-modbus': 'built-in',
      '@tagflow/nodes-mqtt': 'built-in',
      '@tagflow/nodes-nats': 'built-in',
      '@tagflow/nodes-opcua': 'built-in',
    });
    const types = json.nodes.map((n) => n.type);
    expect(types).toEqual(expect.arrayContaining(['mqtt-in', 'mqtt-out', 'modbus-read', 'modbus-write']));
    expect(types).toEqual(expect.arrayContaining(['opcua-subscribe', 'opcua-read', 'opcua-write', 'historian-out']));
    expect(json.resources.map((r) => [r.type, r.origin])).toEqual(
      expect.arrayContaining([
        ['mqtt-broker', 'built-in'],
        ['modbus-device', 'built-in'],
        ['opcua-server', 'built-in'],
        ['historian', 'built-in'],
      ]),
    );

    const table = await runCli(['nodes']);
    expect(table.stdout).toMatch(/^ {2}modbus-read +@tagflow\/nodes-modbus \d+\.\d+\.\d+ +built in +\S/m);
    expect(table.stdout).toMatch(/^ {2}opcua-server +@tagflow\/nodes-opcua \d+\.\d+\.\d+ +built in +\S/m);
    expect(table.stdout).toMatch(
      /node types from 6 packages \(6 built in: they come with tagflow, nothing to install\)/,
    );
  });

  it('adds the packages of --nodes-dir, searched first, and reports the refused ones', async () => {
    const json = await nodesJson('--nodes-dir', 'extra-nodes');
    expect(json.nodes.find((n) => n.type === 'unplugged-sensor')?.package).toEqual({
      name: 'cli-test-nodes',
      version: '1.4.2',
    });
    expect(json.packages.find((p) => p.name === 'cli-test-nodes')?.origin).toBe('nodes-dir');
    expect(json.problems).toEqual([
      expect.objectContaining({
        package: 'cli-test-broken',
        message: expect.stringContaining('needs @tagflow/node-sdk ^9.0.0'),
      }),
    ]);
    expect(json.searchDirs[0]).toMatch(/extra-nodes$/);
  });

  it('prints a table grouped by category, then the problems', async () => {
    const result = await runCli(['nodes', '--nodes-dir', 'extra-nodes']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const source = lines.indexOf('source:');
    const processor = lines.indexOf('processor:');
    expect(source).toBeGreaterThanOrEqual(0);
    expect(processor).toBeGreaterThan(source);
    const row = lines.find((l) => l.trimStart().startsWith('moving-average '));
    expect(lines.indexOf(row as string)).toBeGreaterThan(processor);
    expect(row).toMatch(/^ {2}moving-average +@tagflow\/nodes-core \d+\.\d+\.\d+ +\S/);
    expect(result.stdout).toContain('problems (1 package skipped):');
    expect(result.stdout).toContain('cli-test-broken 0.0.1 needs @tagflow/node-sdk ^9.0.0');
  });
});
