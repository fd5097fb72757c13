// Figure 4's services: `tagflow start` with a stored flow and Node-RED's own start (`node-red`, its
// only mode), each as its user runs it, with its admin HTTP server, a flow ending in an MQTT
// publisher, and a Mosquitto the figure starts. Timed from spawn to the admin HTTP answering and to
// the flow's first message at a subscriber in the benchmark's process.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort, Mosquitto } from '@tagflow/node-test';
import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { THRESHOLD, WINDOW } from './nodered-reference';
import { Child, deadline, LAUNCHER_FLAGS, nodeFlags } from './run-child';
import { NODE_RED_PACKAGE } from './systems';
import type { NodeRedSystem } from './systems';

/** A service started the way its users start it. */
export type StartSubject = 'tagflow start' | `${NodeRedSystem} start`;

/** A started service: its pid, and two moments measured from spawn. */
export interface StartedService {
  pid: number;
  /** Resolves with ms from spawn to the first answer of the admin HTTP server. */
  admin: Promise<number>;
  /** Resolves with ms from spawn to the flow's first message at the subscriber. */
  first: Promise<number>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const launcher = () => join(dirname(require.resolve('tagflow/package.json')), 'bin', 'tagflow.js');
/** A sample every 100 ms from the start: the first value passes the switch (THRESHOLD + 50). */
const SOURCE_MS = 100;
const TAGFLOW_TOPIC = 'bench/cold/tagflow';

/** The reference flow of tagflow ending in mqtt-out; its messages carry their timestamp (format `message`). */
function tagflowFlow(brokerPort: number, topic: string): object {
  return {
    schemaVersion: 1,
    id: 'cold-start',
    resources: [{ id: 'broker', type: 'mqtt-broker', config: { url: `mqtt://127.0.0.1:${brokerPort}` } }],
    nodes: [
      {
        id: 'src',
        type: 'simulate',
        typeVersion: 1,
        config: { tag: 'bench', intervalMs: SOURCE_MS, signal: { kind: 'sine', amplitude: 0, offset: THRESHOLD + 50 } },
      },
      { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: WINDOW } } },
      {
        id: 'sw',
        type: 'switch',
        typeVersion: 1,
        config: { property: 'payload', rules: [{ op: 'gt', value: THRESHOLD }] },
      },
      { id: 'out', type: 'mqtt-out', typeVersion: 1, config: { broker: 'broker', topic, qos: 1, format: 'message' } },
    ],
    edges: [
      { source: 'src', target: 'avg' },
      { source: 'avg', target: 'sw' },
      { source: 'sw', sourcePort: 'out1', target: 'out' },
    ],
  };
}

/** The same flow in Node-RED: inject (at once, then every 100 ms) -> smooth -> switch -> mqtt out. */
function nodeRedFlow(brokerPort: number, topic: string): object[] {
  const z = 'cold';
  return [
    { id: z, type: 'tab', label: 'cold start' },
    {
      id: 'broker',
      type: 'mqtt-broker',
      name: 'bench',
      broker: '127.0.0.1',
      port: String(brokerPort),
      clientid: '',
      autoConnect: true,
      usetls: false,
      protocolVersion: '4',
      keepalive: '60',
      cleansession: true,
    },
    {
      id: 'src',
      type: 'inject',
      z,
      props: [{ p: 'payload' }],
      repeat: String(SOURCE_MS / 1000),
      once: true,
      onceDelay: '0',
      payload: String(THRESHOLD + 50),
      payloadType: 'num',
      x: 100,
      y: 100,
      wires: [['avg']],
    },
    {
      id: 'avg',
      type: 'smooth',
      z,
      property: 'payload',
      action: 'mean',
      count: String(WINDOW),
      round: '',
      mult: 'single',
      reduce: false,
      x: 250,
      y: 100,
      wires: [['sw']],
    },
    {
      id: 'sw',
      type: 'switch',
      z,
      property: 'payload',
      propertyType: 'msg',
      rules: [{ t: 'gt', v: String(THRESHOLD), vt: 'num' }],
      checkall: 'true',
      repair: false,
      outputs: 1,
      x: 400,
      y: 100,
      wires: [['out']],
    },
    { id: 'out', type: 'mqtt out', z, topic, qos: '1', retain: 'false', broker: 'broker', x: 550, y: 100, wires: [] },
  ];
}

/** Polls `url` every 5 ms until it answers 200; resolves with ms since `t0`. */
async function firstAnswer(url: string, t0: number, child: Child): Promise<number> {
  for (;;) {
    if (child.process.exitCode !== null || child.process.signalCode !== null)
      throw child.endError('before its admin HTTP server answered');
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return performance.now() - t0;
    await sleep(5);
  }
}

/**
 * The services' shared peers: one Mosquitto, one subscriber in this process (so that its clock is
 * the one that started the child), and `tagflow start`'s data dir with the flow stored in it by a
 * first start, copied fresh for each measured start.
 */
export class ServiceBench {
  private runs = 0;
  private readonly waiting = new Map<string, { t0Epoch: number; resolve: () => void }>();

  private constructor(
    private readonly broker: Mosquitto,
    private readonly subscriber: MqttClient,
    private readonly work: string,
    private readonly storedDataDir: string,
    private readonly deadlineMs: number,
  ) {
    subscriber.on('message', (topic, body) => {
      const w = this.waiting.get(topic);
      if (!w) return;
      // tagflow's body carries the message timestamp: a message older than this start (one left in
      // the copied data dir's outbox) is not this start's first.
      if (topic === TAGFLOW_TOPIC && (JSON.parse(body.toString('utf8')) as { timestamp: number }).timestamp < w.t0Epoch)
        return;
      this.waiting.delete(topic);
      w.resolve();
    });
  }

  /** Starts the broker and the subscriber, and stores the flow in a data dir with a first `tagflow start`. */
  static async open(work: string, deadlineMs: number): Promise<ServiceBench> {
    const broker = await Mosquitto.start({ persistence: false });
    const subscriber = connect({ host: '127.0.0.1', port: broker.port, protocolVersion: 4, clean: true });
    await new Promise<void>((resolve, reject) => {
      subscriber.once('error', reject);
      subscriber.once('connect', () =>
        subscriber.subscribe('bench/cold/#', { qos: 1 }, (err) => (err ? reject(err) : resolve())),
      );
    });
    const bench = new ServiceBench(broker, subscriber, work, join(work, 'tagflow-stored'), deadlineMs);
    try {
      const flowFile = join(work, 'cold-start-mqtt.json');
      writeFileSync(flowFile, JSON.stringify(tagflowFlow(broker.port, TAGFLOW_TOPIC)));
      const first = await bench.startTagflow(bench.storedDataDir, ['--flow', flowFile]);
      await first.first;
      await first.stop();
    } catch (err) {
      await bench.close();
      throw err;
    }
    return bench;
  }

  /** Starts `subject` afresh (a copy of the stored data dir, or a new Node-RED user dir). */
  async start(subject: StartSubject): Promise<StartedService> {
    const run = ++this.runs;
    if (subject === 'tagflow start') {
      const dataDir = join(this.work, `tagflow-${run}`);
      cpSync(this.storedDataDir, dataDir, { recursive: true });
      return this.startTagflow(dataDir, []);
    }
    return this.startNodeRed(subject.replace(/ start$/, '') as NodeRedSystem, run);
  }

  private async startTagflow(dataDir: string, extra: string[]): Promise<StartedService> {
    const port = await freePort();
    const args = [
      ...LAUNCHER_FLAGS,
      launcher(),
      'start',
      '--data-dir',
      dataDir,
      '--port',
      String(port),
      // No --nodes-dir: the MQTT nodes come with tagflow (issue 16).
      '--log-level',
      'warn',
      ...extra,
    ];
    return this.spawnService('tagflow start', args, `http://127.0.0.1:${port}/healthz`, TAGFLOW_TOPIC);
  }

  private async startNodeRed(system: NodeRedSystem, run: number): Promise<StartedService> {
    const port = await freePort();
    const userDir = mkdtempSync(join(this.work, `${system}-${run}-`));
    // node-red-node-smooth where Node-RED looks for node packages: the user dir's node_modules.
    mkdirSync(join(userDir, 'node_modules'));
    symlinkSync(
      dirname(require.resolve('node-red-node-smooth/package.json')),
      join(userDir, 'node_modules', 'node-red-node-smooth'),
      'dir',
    );
    writeFileSync(
      join(userDir, 'package.json'),
      JSON.stringify({ name: 'bench', private: true, dependencies: { 'node-red-node-smooth': '*' } }),
    );
    const topic = `bench/cold/${system}-${run}`;
    writeFileSync(join(userDir, 'flows.json'), JSON.stringify(nodeRedFlow(this.broker.port, topic)));
    // Its settings as a user of an edge box would have them: editor and admin API on, no projects,
    // no calls home (this machine has no network beyond the registry).
    writeFileSync(
      join(userDir, 'settings.js'),
      `module.exports = ${JSON.stringify({
        uiHost: '127.0.0.1',
        uiPort: port,
        flowFile: 'flows.json',
        credentialSecret: 'bench',
        logging: { console: { level: 'warn', metrics: false, audit: false } },
        telemetry: { enabled: false },
        diagnostics: { enabled: false },
        runtimeState: { enabled: false },
        editorTheme: { projects: { enabled: false } },
        externalModules: { autoInstall: false },
      })};\n`,
    );
    const redJs = join(dirname(require.resolve(`${NODE_RED_PACKAGE[system]}/package.json`)), 'red.js');
    const args = [...nodeFlags(system), redJs, '--settings', join(userDir, 'settings.js'), '--userDir', userDir];
    return this.spawnService(`${system} start`, args, `http://127.0.0.1:${port}/`, topic);
  }

  private spawnService(label: string, args: string[], adminUrl: string, topic: string): StartedService {
    const t0 = performance.now();
    const first = new Promise<number>((resolve) =>
      this.waiting.set(topic, { t0Epoch: Date.now(), resolve: () => resolve(performance.now() - t0) }),
    );
    const cp = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const child = new Child(label, cp, this.deadlineMs);
    const gone = child.exited.then(() => Promise.reject(child.endError('before its first message')));
    const admin = firstAnswer(adminUrl, t0, child);
    // Both reject when the child ends; whoever awaits them sees that, and one not awaited (the
    // child was stopped after its first message) must not count as an unhandled rejection.
    gone.catch(() => undefined);
    admin.catch(() => undefined);
    return {
      pid: cp.pid!,
      admin,
      first: Promise.race([first, gone]),
      stop: async () => {
        this.waiting.delete(topic);
        await child.kill();
      },
    };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.subscriber.end(true, {}, () => resolve()));
    await this.broker.down();
  }
}

/** The deadline of one service start: the first message within a minute, then alive until the last reading. */
export function serviceDeadline(idleAfterMs: number[]): number {
  return deadline(60_000 + Math.max(...idleAfterMs));
}
