import { hostname } from 'node:os';
import type { IClientOptions } from 'mqtt';
import {
  defineResource,
  filesPathProblems,
  isNodeError,
  NodeError,
  passwordEnvProperty,
  refuseConfig,
  sdkErrors,
  urlDestination,
} from '@tagflow/node-sdk';
import type { ConfigProblem, FilesRoot } from '@tagflow/node-sdk';
import { mqttErrors } from './error-codes';
import { brokerUrlProblems } from './topic-check';

export default defineResource({
  type: 'mqtt-broker',
  version: 1,
  description: 'A connection to an MQTT broker, shared by the MQTT nodes that name it.',
  docs: [
    '## Connection problems',
    '',
    'A failed connect is shown on every node using the resource, in plain words, and retried by the',
    'runtime with backoff (0.5 s doubling to 30 s); a deploy does not wait for it. For example:',
    '',
    '- `cannot connect to mqtt://10.0.0.5:1883: nothing is listening there (connection refused)`',
    '- `cannot connect to mqtt://10.0.0.5:1883: the broker refused the user name or password (...)`',
    "- `cannot connect to mqtts://broker:8883: the broker's certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN): set caFile to the CA that signed it`",
    '- `cannot connect to mqtts://broker:8883: the broker requires a client certificate: set certFile and keyFile`',
    '- `cannot read keyFile "certs/edge-7.key" in the files folder /var/lib/tagflow/files: ENOENT: no such file or directory, ...`',
    '- `the password for mqtt://10.0.0.5:1883 is to come from "PLANT_MQTT_PASSWORD", which is not set`',
    '',
    '## Sessions',
    '',
    'With `cleanSession` off (the default) the broker keeps the session of the client id while the',
    'runtime is away: its subscriptions, the QoS 1/2 messages it received but did not acknowledge',
    'yet, and those published meanwhile. MQTT 5 ends a session at the disconnect unless the client',
    'asks for more: `sessionExpirySeconds` (default 3600) is that time. Keep `clientId` stable (the',
    'default is built from the resource id and the host name) so that a restarted runtime finds its',
    'session again.',
    '',
    '## TLS',
    '',
    "Use an `mqtts://` URL. `caFile` is the CA that signed the broker's certificate (leave it out for",
    "a broker with a publicly trusted certificate); `certFile` and `keyFile` are the client's",
    'certificate and key when the broker asks for one (`require_certificate true` in Mosquitto). Keep',
    '`rejectUnauthorized` on: turning it off accepts any broker, including an impostor.',
    '',
    'TLS files are read from the files folder, like every file a flow names: put them in, e.g.,',
    '`<data dir>/files/certs/` and write their paths relative to that folder (`certs/plant-ca.pem`). An',
    'absolute path or one climbing out with `..` is refused at validate and deploy',
    '(`FILE_OUTSIDE_ROOT`), and a symbolic link leading out of the folder is refused when connecting, so',
    'a flow cannot make the runtime read its own tokens or secret key.',
    '',
    '## Passwords',
    '',
    'Passwords never go in the flow file: `passwordEnv` names the secret (`tagflow secret set NAME`) or,',
    'under `tagflow run`, the environment variable the runtime reads it from. The password goes only to',
    'the host and port of `url` (1883 for `mqtt://`, 8883 for `mqtts://`, 80/443 for `ws`/`wss`): bind',
    'the secret there (`tagflow secret set PLANT_MQTT_PASSWORD --allow broker.plant.local:8883`) and a',
    'deploy pointing it at any other broker is refused (`SECRET_NOT_ALLOWED`).',
    '',
    '## Example',
    '',
    "A broker over TLS with a user name, in the flow's `resources`:",
    '',
    '```json',
    '{',
    '  "id": "plant-broker",',
    '  "type": "mqtt-broker",',
    '  "config": {',
    '    "url": "mqtts://broker.plant.local:8883",',
    '    "caFile": "certs/plant-ca.pem",',
    '    "username": "edge-7",',
    '    "passwordEnv": "PLANT_MQTT_PASSWORD"',
    '  }',
    '}',
    '```',
  ].join('\n'),
  errors: mqttErrors.pick('SECRET_MISSING', 'MQTT_CONFIG', 'MQTT_CONNECT', 'MQTT_TLS_FILE', 'FILE_OUTSIDE_ROOT'),
  configSchema: {
    type: 'object',
    properties: {
      url: {
        type: 'string',
        description: 'Broker URL: mqtt://host:1883, mqtts://host:8883 (TLS), ws:// or wss://.',
        pattern: '^(mqtts?|wss?)://',
        'x-ui': { label: 'Broker URL' },
      },
      clientId: {
        type: 'string',
        description:
          'Client id; default tagflow-<resource id>-<host name>. Keep it stable so the broker keeps the session.',
        minLength: 1,
        'x-ui': { label: 'Client id' },
      },
      protocolVersion: {
        description: '4 = MQTT 3.1.1, 5 = MQTT 5.',
        default: 5,
        enum: [4, 5],
        'x-ui': { label: 'Protocol version' },
      },
      username: {
        type: 'string',
        description: 'User name, when the broker asks for one.',
        'x-ui': { label: 'User name' },
      },
      passwordEnv: passwordEnvProperty('Password variable'),
      caFile: {
        type: 'string',
        description: 'PEM file of the CA that signed the broker certificate (TLS), in the files folder.',
        'x-ui': { label: 'CA file' },
      },
      certFile: {
        type: 'string',
        description: 'PEM client certificate (TLS client authentication), in the files folder.',
        'x-ui': { label: 'Client certificate file' },
      },
      keyFile: {
        type: 'string',
        description: 'PEM private key of the client certificate, in the files folder.',
        'x-ui': { label: 'Client key file' },
      },
      rejectUnauthorized: {
        type: 'boolean',
        description: 'Refuse a broker certificate that does not verify.',
        default: true,
        'x-ui': { label: 'Verify the broker certificate' },
      },
      keepaliveSeconds: {
        type: 'integer',
        description: 'Longest silence before the client pings the broker; 0 turns keep-alive off.',
        default: 30,
        minimum: 0,
        'x-ui': { label: 'Keep-alive', unit: 's' },
      },
      cleanSession: {
        type: 'boolean',
        description: 'Off: the broker keeps subscriptions and queued QoS 1/2 messages while the runtime reconnects.',
        default: false,
        'x-ui': { label: 'Clean session' },
      },
      sessionExpirySeconds: {
        type: 'integer',
        description:
          'MQTT 5, clean session off: how long the broker keeps the session (subscriptions, unacknowledged and queued messages) after a disconnect.',
        default: 3600,
        minimum: 0,
        maximum: 4294967295,
        'x-ui': { label: 'Session expiry', unit: 's' },
      },
      connectTimeoutMs: {
        type: 'integer',
        description: 'How long a connection attempt may take before it counts as failed.',
        default: 5000,
        minimum: 100,
        'x-ui': { label: 'Connect timeout', unit: 'ms' },
      },
    },
    required: ['url'],
    additionalProperties: false,
  },

  check: (c) => brokerProblems(c),

  // The password goes to the broker only.
  secretDestinations: (c) => urlDestination(c.url, { 'mqtt:': 1883, 'mqtts:': 8883 }),

  async create(ctx) {
    const c = ctx.config;
    refuseConfig(brokerProblems(c));
    let password: string | undefined;
    if (c.passwordEnv !== undefined) {
      password = ctx.secret(c.passwordEnv);
      if (password === undefined)
        throw new NodeError(
          mqttErrors.code.SECRET_MISSING,
          `the password for ${c.url} is to come from "${c.passwordEnv}", which is not set`,
        );
    }
    const options: IClientOptions = {
      clientId: c.clientId ?? `tagflow-${ctx.id}-${hostname()}`,
      protocolVersion: c.protocolVersion,
      username: c.username,
      password,
      clean: c.cleanSession,
      // MQTT 5 ends a session at the disconnect unless it is given an expiry: without one, clean
      // session off would keep nothing across a restart.
      properties:
        c.protocolVersion === 5 && !c.cleanSession ? { sessionExpiryInterval: c.sessionExpirySeconds } : undefined,
      keepalive: c.keepaliveSeconds,
      connectTimeout: c.connectTimeoutMs,
      rejectUnauthorized: c.rejectUnauthorized,
      // The runtime reconnects, with backoff, for every connector alike.
      reconnectPeriod: 0,
      ca: await readPem(ctx.files, 'caFile', c.caFile),
      cert: await readPem(ctx.files, 'certFile', c.certFile),
      key: await readPem(ctx.files, 'keyFile', c.keyFile),
    };
    // The mqtt library loads here, when a flow first uses a broker, not with the palette.
    const { openMqttConnection } = require('./mqtt-connect') as typeof import('./mqtt-connect');
    return openMqttConnection(c.url, options, (reason) => ctx.lost(reason));
  },
});

const TLS_FILES = ['caFile', 'certFile', 'keyFile'] as const;

/** A URL without host, and TLS files outside the files folder, can never connect: refused at deploy. */
function brokerProblems(c: { url: string } & Partial<Record<(typeof TLS_FILES)[number], string>>): ConfigProblem[] {
  return [
    ...brokerUrlProblems(c.url),
    ...TLS_FILES.flatMap((field) => {
      const file = c[field];
      return file === undefined ? [] : filesPathProblems(`/${field}`, file);
    }),
  ];
}

/**
 * Reads a TLS file from the files folder: through `files.open`, so that a symbolic link out of the
 * folder (to the data dir's secret key, say) is refused rather than sent to the broker.
 */
async function readPem(files: FilesRoot, field: string, file: string | undefined): Promise<Buffer | undefined> {
  if (file === undefined) return undefined;
  let handle;
  try {
    handle = await files.open(file, 'r');
    return await handle.readFile();
  } catch (err) {
    if (isNodeError(err) && err.code === sdkErrors.code.FILE_OUTSIDE_ROOT)
      throw new NodeError(err.code, `cannot read ${field}: ${err.message}`, { ...err.details });
    throw new NodeError(
      mqttErrors.code.MQTT_TLS_FILE,
      `cannot read ${field} "${file}" in the files folder ${files.dir}: ${(err as Error).message}`,
    );
  } finally {
    await handle?.close();
  }
}
