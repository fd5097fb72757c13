import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { mqttBroker, mqttIn, mqttOut } from '../src';
import { Mosquitto, until } from '@tagflow/node-test';
import { makeCertificates } from '@tagflow/test-support';
import type { TestCertificates } from '@tagflow/test-support';

// Brokers locked down the way a plant's are: a password file, TLS with a private CA, client certificates.
let certs: TestCertificates;
/** The files folder of every flow here: the TLS files are copied into its certs/ folder. */
let filesDir: string;
let passwordBroker: Mosquitto;
let tlsBroker: Mosquitto;
const open: FlowUnderTest[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  certs = makeCertificates();
  filesDir = mkdtempSync(join(tmpdir(), 'tagflow-mqtt-files-'));
  mkdirSync(join(filesDir, 'certs'));
  copyFileSync(certs.caFile, join(filesDir, 'certs', 'plant-ca.pem'));
  copyFileSync(certs.clientCertFile, join(filesDir, 'certs', 'edge.crt'));
  copyFileSync(certs.clientKeyFile, join(filesDir, 'certs', 'edge.key'));
  passwordBroker = await Mosquitto.start({ users: { edge: 's3cret-pw' } });
  tlsBroker = await Mosquitto.start({
    users: { edge: 's3cret-pw' },
    tls: {
      caFile: certs.caFile,
      certFile: certs.serverCertFile,
      keyFile: certs.serverKeyFile,
      requireClientCertificate: true,
    },
  });
  process.env.TAGFLOW_TEST_MQTT_PASSWORD = 's3cret-pw';
  process.env.TAGFLOW_TEST_MQTT_WRONG = 'not-the-password';
}, 30_000);
afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
  for (const c of clients.splice(0)) c.end(true);
});
afterAll(async () => {
  await passwordBroker.down();
  await tlsBroker.down();
});

/** The flow under test: one broker resource with this config, a publisher and a subscriber on it. */
async function flow(brokerConfig: Record<string, unknown>): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'mqtt-security',
      resources: [{ id: 'plant', type: 'mqtt-broker', config: brokerConfig }],
      nodes: [
        { id: 'pub', type: 'mqtt-out', typeVersion: 1, config: { broker: 'plant', topic: 'secure/out' } },
        { id: 'sub', type: 'mqtt-in', typeVersion: 1, config: { broker: 'plant', topic: 'secure/in' } },
      ],
      edges: [],
    },
    { nodes: [mqttIn, mqttOut], resources: [mqttBroker], fakeTime: false, filesDir },
  );
  open.push(f);
  return f;
}

/** An independent mqtt.js client subscribed to `secure/out`, publishing nothing. */
async function watcher(url: string, options: IClientOptions): Promise<string[]> {
  const client = connect(url, { reconnectPeriod: 0, ...options });
  clients.push(client);
  await new Promise((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  const got: string[] = [];
  client.on('message', (_topic, payload) => got.push(payload.toString()));
  await new Promise((resolve, reject) =>
    client.subscribe('secure/out', { qos: 1 }, (err) => (err ? reject(err) : resolve(undefined))),
  );
  return got;
}

/** Publishes on `secure/in` and checks the flow's subscriber got it, and that `secure/out` reaches the watcher. */
async function roundTrip(f: FlowUnderTest, url: string, options: IClientOptions): Promise<void> {
  await until(() => f.statuses('sub').some((s) => s.text?.startsWith('subscribed')), 15_000, 'the subscription');
  const got = await watcher(url, options);
  await f.inject('pub', { payload: { reading: 7 } });
  await until(() => got.length === 1, 15_000, 'the published message');
  expect(JSON.parse(got[0])).toEqual({ reading: 7 });
  clients[0].publish('secure/in', '12.5', { qos: 1 });
  await until(() => f.payloads('sub').length === 1, 15_000, 'the subscribed message');
  expect(f.payloads('sub')).toEqual([12.5]);
}

const lastText = (f: FlowUnderTest, id: string) => f.statuses(id).at(-1)?.text ?? '';

describe('mqtt-broker with a username and a password from the environment', () => {
  it('connects with the right password and carries messages both ways', async () => {
    const f = await flow({ url: passwordBroker.url, username: 'edge', passwordEnv: 'TAGFLOW_TEST_MQTT_PASSWORD' });
    await roundTrip(f, passwordBroker.url, { username: 'edge', password: 's3cret-pw' });
  });

  it('shows a refused password on the nodes and keeps what was published for later', async () => {
    // A broker of its own: the test changes its password file. The watcher has its own user, as
    // Mosquitto drops clients whose credentials a reload made invalid.
    const broker = await Mosquitto.start({ users: { edge: 's3cret-pw', watcher: 'w4tch-pw' } });
    try {
      const f = await flow({ url: broker.url, username: 'edge', passwordEnv: 'TAGFLOW_TEST_MQTT_WRONG' });
      await f.inject('pub', { payload: { reading: 1 } });
      await until(
        () => lastText(f, 'sub').includes('the broker refused the user name or password'),
        15_000,
        'the refusal in the status',
      );
      expect(f.statuses('sub').at(-1)?.state).toBe('reconnecting');
      await until(() => f.statuses('pub').some((s) => s.backlog === 1), 15_000, 'the backlog of 1 in the status');

      // The broker is given the password the flow has (the operator fixed the credential): the
      // runtime's next reconnect gets in, and the message kept since then is delivered, once.
      const got = await watcher(broker.url, { username: 'watcher', password: 'w4tch-pw' });
      broker.setPassword('edge', 'not-the-password');
      await until(() => got.length === 1, 40_000, 'the kept message at the watcher');
      expect(JSON.parse(got[0])).toEqual({ reading: 1 });
      await until(() => f.statuses('pub').at(-1)?.backlog === 0, 15_000, 'an empty backlog in the status');
      expect(got).toHaveLength(1);
    } finally {
      for (const f of open.splice(0)) await f.stop();
      await broker.down();
    }
  }, 90_000);

  it('refuses to connect, in plain words, when the named password is not set', async () => {
    const f = await flow({ url: passwordBroker.url, username: 'edge', passwordEnv: 'TAGFLOW_TEST_MQTT_UNSET' });
    await until(
      () => lastText(f, 'sub').includes('TAGFLOW_TEST_MQTT_UNSET'),
      15_000,
      'the missing secret in the status',
    );
    expect(lastText(f, 'sub')).toMatch(/is to come from "TAGFLOW_TEST_MQTT_UNSET", which is not set/);
  });
});

describe('mqtt-broker over TLS with a client certificate', () => {
  // Paths relative to the files folder, as a flow writes them.
  const trusted = () => ({ caFile: 'certs/plant-ca.pem', certFile: 'certs/edge.crt', keyFile: 'certs/edge.key' });

  it('connects with the CA and a client certificate, plus a password, and carries messages both ways', async () => {
    const f = await flow({
      url: tlsBroker.url,
      username: 'edge',
      passwordEnv: 'TAGFLOW_TEST_MQTT_PASSWORD',
      ...trusted(),
    });
    await roundTrip(f, tlsBroker.url, {
      username: 'edge',
      password: 's3cret-pw',
      ca: readFileSync(certs.caFile),
      cert: readFileSync(certs.clientCertFile),
      key: readFileSync(certs.clientKeyFile),
    });
  });

  it('refuses a broker whose certificate is not signed by the configured CA', async () => {
    const other = makeCertificates('another-plant');
    copyFileSync(other.caFile, join(filesDir, 'certs', 'another-ca.pem'));
    const f = await flow({
      url: tlsBroker.url,
      username: 'edge',
      passwordEnv: 'TAGFLOW_TEST_MQTT_PASSWORD',
      ...trusted(),
      caFile: 'certs/another-ca.pem',
    });
    await until(() => /certificate/i.test(lastText(f, 'sub')), 15_000, 'the certificate error in the status');
    expect(lastText(f, 'sub')).toMatch(
      /cannot connect to mqtts:\/\/127\.0\.0\.1:\d+: the broker's certificate is not trusted \(\w+\): set caFile/,
    );
  });

  it('is refused by a broker that requires a client certificate when it has none', async () => {
    const f = await flow({
      url: tlsBroker.url,
      username: 'edge',
      passwordEnv: 'TAGFLOW_TEST_MQTT_PASSWORD',
      caFile: 'certs/plant-ca.pem',
    });
    await until(() => lastText(f, 'sub').includes('cannot connect'), 15_000, 'the refusal in the status');
    expect(f.statuses('sub').some((s) => s.text?.startsWith('subscribed'))).toBe(false);
    expect(lastText(f, 'sub')).toMatch(/the broker requires a client certificate: set certFile and keyFile/);
  });
});

describe('mqtt-broker TLS files outside the files folder', () => {
  const tls = (files: Record<string, string>) => ({
    url: tlsBroker.url,
    username: 'edge',
    passwordEnv: 'TAGFLOW_TEST_MQTT_PASSWORD',
    caFile: 'certs/plant-ca.pem',
    certFile: 'certs/edge.crt',
    keyFile: 'certs/edge.key',
    ...files,
  });

  it('refuses an absolute caFile at deploy, in plain words', async () => {
    // The CA that would work: refused for where it is, not for what it holds.
    const refused = flow(tls({ caFile: certs.caFile }));
    await expect(refused).rejects.toThrow('/resources/0/config/caFile: resource ');
    await expect(refused).rejects.toThrow(`: "${certs.caFile}" is an absolute path, outside the files folder`);
    await expect(refused).rejects.toThrow('[FILE_OUTSIDE_ROOT]');
  });

  it('refuses a keyFile climbing out with ".." at deploy, in plain words', async () => {
    const refused = flow(tls({ keyFile: '../secret.key' }));
    await expect(refused).rejects.toThrow('/resources/0/config/keyFile: resource ');
    await expect(refused).rejects.toThrow(': "../secret.key" climbs out of the files folder with ".."');
    await expect(refused).rejects.toThrow('[FILE_OUTSIDE_ROOT]');
  });

  it('refuses at connect a keyFile that is a symbolic link out of the folder, naming the resource and the path', async () => {
    // The link leads to the real client key: followed, the broker would let the flow in.
    symlinkSync(certs.clientKeyFile, join(filesDir, 'certs', 'linked.key'));
    const f = await flow(tls({ keyFile: 'certs/linked.key' }));
    await until(() => lastText(f, 'sub').includes('cannot read keyFile'), 15_000, 'the refusal in the status');
    expect(lastText(f, 'sub')).toContain(
      `cannot read keyFile: resource "plant": "certs/linked.key" leads outside the files folder ${filesDir} through a symbolic link (to ${certs.clientKeyFile})`,
    );
    expect(lastText(f, 'sub')).not.toContain('PRIVATE KEY');
    expect(f.statuses('sub').some((s) => s.text?.startsWith('subscribed'))).toBe(false);
    expect(f.statuses('sub').some((s) => s.text === 'connected')).toBe(false);
  });
});
