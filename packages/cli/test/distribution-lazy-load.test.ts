// Issue 16: tagflow comes with its MQTT, Modbus, OPC UA and historian nodes, and a protocol stack
// loads only when a flow uses it. Loading every definition file of every package the distribution
// has (the palette, validate) loads none of these packages' own dependencies; a deploy using one
// loads that one. The definition files are read from the packages' manifests, so a new one is
// covered by being listed there.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureCliBuilt } from '@tagflow/test-support';

beforeAll(ensureCliBuilt, 120_000);

interface Probe {
  packages: Array<{ name: string; dependencies: string[]; files: Array<{ file: string; loaded: boolean }> }>;
  problems: string[];
  nodeTypes: string[];
  afterDiscovery: string[];
  deploy?: string;
  afterDeploy?: string[];
}

/** Runs load-probe.js in a new process (a fresh module cache), 60 s at most. */
function probe(flow?: object, expected: string[] = []): Promise<Probe> {
  const args = [path.join(__dirname, 'distribution', 'load-probe.js')];
  if (flow) {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tagflow-lazy-flow-')), 'flow.json');
    writeFileSync(file, JSON.stringify(flow));
    args.push(file, ...expected);
  }
  const child = spawn(process.execPath, ['--no-node-snapshot', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve, reject) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`load-probe.js ended with ${code ?? signal}:\n${stderr}`));
      else resolve(JSON.parse(stdout) as Probe);
    });
  });
}

/** A closed local port: connecting fails at once, after the connector's library has loaded. */
const CLOSED = '127.0.0.1:9';

function flowWith(resource: { type: string; config: object }, node: { type: string; config: object }): object {
  return {
    schemaVersion: 1,
    id: `lazy-${resource.type}`,
    resources: [{ id: 'peer', ...resource }],
    nodes: [{ id: 'n', typeVersion: 1, ...node, config: { ...node.config } }],
    edges: [],
  };
}

describe('the standard distribution', () => {
  let discovered: Probe;
  beforeAll(async () => {
    discovered = await probe();
  }, 70_000);

  it('has the core, MQTT, Modbus, OPC UA and historian nodes, every definition file loaded', () => {
    expect(discovered.problems).toEqual([]);
    expect(discovered.packages.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        '@tagflow/nodes-core',
        '@tagflow/nodes-historian',
        '@tagflow/nodes-modbus',
        '@tagflow/nodes-mqtt',
        '@tagflow/nodes-opcua',
      ]),
    );
    expect(discovered.nodeTypes).toEqual(
      expect.arrayContaining([
        'mqtt-in',
        'mqtt-out',
        'modbus-read',
        'modbus-write',
        'opcua-subscribe',
        'historian-out',
      ]),
    );
    const notLoaded = discovered.packages.flatMap((p) =>
      p.files.filter((f) => !f.loaded).map((f) => `${p.name}/${f.file}`),
    );
    expect(notLoaded).toEqual([]);
  });

  it("loads none of the node packages' own libraries (mqtt, modbus-serial, node-opcua, pg, node:sqlite...)", () => {
    const libraries = discovered.packages.flatMap((p) => p.dependencies.map((d) => ({ library: d, of: p.name })));
    expect(libraries.map((l) => l.library)).toEqual(
      expect.arrayContaining(['mqtt', 'modbus-serial', 'node-opcua', 'pg', 'isolated-vm', 'nats', 'protobufjs']),
    );
    const loaded = libraries.filter((l) => discovered.afterDiscovery.includes(l.library));
    expect(loaded).toEqual([]);
    // The local historian's SQLite is built into Node.js (no dependency to list), and as lazy: loading
    // it costs start-up time and, on Node.js 22, prints an experimental-feature warning.
    expect(discovered.afterDiscovery).not.toContain('node:sqlite');
    // Nor their transitive weight: the serial port stack, any part of node-opcua.
    expect(discovered.afterDiscovery.filter((name) => /^(node-opcua|@serialport\/|serialport$)/.test(name))).toEqual(
      [],
    );
  });

  it.each([
    {
      library: 'mqtt',
      flow: flowWith(
        { type: 'mqtt-broker', config: { url: `mqtt://${CLOSED}` } },
        { type: 'mqtt-in', config: { broker: 'peer', topic: 'a/#' } },
      ),
      others: ['modbus-serial', 'node-opcua'],
    },
    {
      library: 'modbus-serial',
      flow: flowWith(
        { type: 'modbus-device', config: { host: '127.0.0.1', port: 9 } },
        {
          type: 'modbus-read',
          config: { device: 'peer', tags: [{ name: 't', function: 'holding-register', address: 0 }] },
        },
      ),
      others: ['mqtt', 'node-opcua'],
    },
    {
      library: 'node-opcua',
      flow: flowWith(
        { type: 'opcua-server', config: { endpointUrl: `opc.tcp://${CLOSED}` } },
        { type: 'opcua-read', config: { server: 'peer', items: [{ nodeId: 'ns=1;s=Pump.Flow' }] } },
      ),
      others: ['mqtt', 'modbus-serial'],
    },
    {
      library: 'node:sqlite',
      flow: flowWith(
        { type: 'historian', config: { backend: 'local' } },
        { type: 'historian-out', config: { historian: 'peer' } },
      ),
      others: ['pg', 'mqtt', 'modbus-serial', 'node-opcua'],
    },
  ])(
    'a deploy using $library loads it, and only it',
    async ({ library, flow, others }) => {
      const deployed = await probe(flow, [library]);
      expect(deployed.deploy).toBe('ok');
      expect(deployed.afterDiscovery).not.toContain(library);
      expect(deployed.afterDeploy).toContain(library);
      expect(deployed.afterDeploy?.filter((name) => others.includes(name))).toEqual([]);
    },
    70_000,
  );
});
