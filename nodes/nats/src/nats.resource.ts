import { hostname } from 'node:os';
import {
  defineResource,
  NodeError,
  passwordEnvProperty,
  refuseConfig,
  secretNameProperty,
  urlDestination,
} from '@tagflow/node-sdk';
import type { ConfigProblem } from '@tagflow/node-sdk';
import { natsErrors } from './error-codes';
import type { NatsAuth } from './nats-connect';

const SERVER_PORTS = { 'nats:': 4222, 'tls:': 4222 };

export default defineResource({
  type: 'nats',
  version: 1,
  description: 'A connection to a NATS server (JetStream included), shared by the NATS nodes that name it.',
  docs: [
    '## Connection problems',
    '',
    'A failed connect is shown on every node using the resource, in plain words, and retried by the',
    "runtime with backoff (0.5 s doubling to 30 s); the client's own reconnect is off, so a lost",
    'connection is reported at once and each attempt tries the listed servers in turn. A deploy does',
    'not wait for the first connection. For example:',
    '',
    '- `cannot connect to nats://10.0.0.5:4222: nothing is listening there (connection refused)`',
    '- `cannot connect to nats://10.0.0.5:4222: the server refused our credentials (...)`',
    '- `the token for nats://10.0.0.5:4222 is to come from "PLANT_NATS_TOKEN", which is not set`',
    '',
    '## Credentials',
    '',
    'At most one of: a token (`tokenEnv`), a user name with a password (`user`, `passwordEnv`), or an',
    'NKey seed (`nkeySeedEnv`, the `SU...` seed of a user NKey). Each `...Env` field names a secret',
    '(`tagflow secret set NAME`) or, under `tagflow run`, the environment variable holding it: never',
    'the value itself. Secrets go only to the hosts and ports of `servers` (4222 by default); bind',
    'them there (`tagflow secret set PLANT_NATS_TOKEN --allow nats.plant.local:4222`).',
    '',
    '## Example',
    '',
    '```json',
    '{',
    '  "id": "plant-nats",',
    '  "type": "nats",',
    '  "config": { "servers": ["nats://10.0.0.5:4222"], "user": "edge-7", "passwordEnv": "PLANT_NATS_PASSWORD" }',
    '}',
    '```',
  ].join('\n'),
  errors: natsErrors.pick('SECRET_MISSING', 'NATS_CONFIG', 'NATS_CONNECT'),
  configSchema: {
    type: 'object',
    properties: {
      servers: {
        type: 'array',
        description: 'Server URLs, tried in turn: nats://host:4222.',
        items: { type: 'string', pattern: '^(nats|tls)://' },
        minItems: 1,
        'x-ui': { label: 'Servers' },
      },
      name: {
        type: 'string',
        description: 'Connection name shown by the server (default tagflow-<resource id>-<host name>).',
        minLength: 1,
        'x-ui': { label: 'Connection name' },
      },
      tokenEnv: secretNameProperty('Token variable', 'Name of the environment variable (or secret) holding the token.'),
      user: {
        type: 'string',
        description: 'User name, with passwordEnv.',
        minLength: 1,
        'x-ui': { label: 'User name' },
      },
      passwordEnv: passwordEnvProperty('Password variable'),
      nkeySeedEnv: secretNameProperty(
        'NKey seed variable',
        'Name of the environment variable (or secret) holding the user NKey seed (SU...).',
      ),
      connectTimeoutMs: {
        type: 'integer',
        description: 'How long a connection attempt may take before it counts as failed.',
        default: 5000,
        minimum: 100,
        'x-ui': { label: 'Connect timeout', unit: 'ms' },
      },
      pingIntervalMs: {
        type: 'integer',
        description: 'How often the client pings the server; two unanswered pings count as a lost connection.',
        default: 10000,
        minimum: 100,
        'x-ui': { label: 'Ping interval', unit: 'ms', advanced: true },
      },
    },
    required: ['servers'],
    additionalProperties: false,
  },

  check: (c) => serverProblems(c),

  secretDestinations: (c) => c.servers.flatMap((url) => urlDestination(url, SERVER_PORTS)),

  async create(ctx) {
    const c = ctx.config;
    refuseConfig(serverProblems(c));
    const where = c.servers.join(', ');
    const secret = (field: string, name: string) => {
      const value = ctx.secret(name);
      if (value === undefined)
        throw new NodeError(
          natsErrors.code.SECRET_MISSING,
          `the ${field} for ${where} is to come from "${name}", which is not set`,
        );
      return value;
    };
    let auth: NatsAuth = { kind: 'none' };
    if (c.tokenEnv !== undefined) auth = { kind: 'token', token: secret('token', c.tokenEnv) };
    else if (c.user !== undefined)
      auth = { kind: 'user', user: c.user, pass: c.passwordEnv === undefined ? '' : secret('password', c.passwordEnv) };
    else if (c.nkeySeedEnv !== undefined) auth = { kind: 'nkey', seed: secret('NKey seed', c.nkeySeedEnv) };
    // The nats library loads here, when a flow first uses a server, not with the palette.
    const { openNatsConnection } = require('./nats-connect') as typeof import('./nats-connect');
    return openNatsConnection(
      {
        servers: c.servers,
        name: c.name ?? `tagflow-${ctx.id}-${hostname()}`,
        auth,
        timeoutMs: c.connectTimeoutMs,
        pingIntervalMs: c.pingIntervalMs,
      },
      (reason) => ctx.lost(reason),
    );
  },
});

/** URLs without a host, and two ways of signing in at once, can never work: refused at deploy. */
function serverProblems(c: {
  servers: string[];
  tokenEnv?: string;
  user?: string;
  passwordEnv?: string;
  nkeySeedEnv?: string;
}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  c.servers.forEach((url, i) => {
    if (!URL.canParse(url) || new URL(url).hostname === '')
      problems.push({
        path: `/servers/${i}`,
        message: `server URL ${JSON.stringify(url)} has no host: write it as nats://host:4222`,
        code: natsErrors.code.NATS_CONFIG,
      });
  });
  const ways = [c.tokenEnv !== undefined, c.user !== undefined, c.nkeySeedEnv !== undefined].filter(Boolean).length;
  if (ways > 1)
    problems.push({
      path: '',
      message: 'give one way to sign in: tokenEnv, user (with passwordEnv), or nkeySeedEnv',
      code: natsErrors.code.NATS_CONFIG,
    });
  if (c.passwordEnv !== undefined && c.user === undefined)
    problems.push({
      path: '/passwordEnv',
      message: 'passwordEnv needs user: the password goes with a user name',
      code: natsErrors.code.NATS_CONFIG,
    });
  return problems;
}
