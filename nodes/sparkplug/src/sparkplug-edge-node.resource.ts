import { hostname } from 'node:os';
import { defineResource, NodeError, passwordEnvProperty, refuseConfig, urlDestination } from '@tagflow/node-sdk';
import type { ConfigProblem } from '@tagflow/node-sdk';
import { sparkplugErrors } from './error-codes';
import { idProblem } from './topics';

export default defineResource({
  type: 'sparkplug-edge-node',
  version: 1,
  description: 'A Sparkplug B edge node: its own MQTT connection, birth and death certificates, and commands.',
  docs: [
    'One Sparkplug B 3.0 edge node (`spBv1.0/<groupId>/.../<edgeNodeId>`), with its own MQTT',
    'connection: the NDEATH must be the will of the connection that sent the NBIRTH, with the same',
    '`bdSeq`, so it cannot share an `mqtt-broker` connection.',
    '',
    '## What it does on each connection',
    '',
    '1. Connects with a clean session and NDEATH (metric `bdSeq`, one more than the last connection,',
    '   kept in `<data dir>/sparkplug/<resource id>.bdseq`) as its will (QoS 1).',
    '2. Subscribes to its NCMD and DCMD topics, and with `primaryHostId` to',
    '   `spBv1.0/STATE/<primaryHostId>`.',
    '3. Publishes NBIRTH (seq 0, `bdSeq`, `Node Control/Rebirth` = false), then a DBIRTH for each',
    '   device its `sparkplug-out` nodes name, with every metric, its alias, data type, latest value',
    '   and properties. With `primaryHostId`, this waits until that host says `online: true`.',
    '',
    'An NCMD writing `true` to `Node Control/Rebirth` publishes NBIRTH and every DBIRTH again (seq',
    "restarts at 0, same bdSeq). Other NCMD and DCMD metrics go to the flow's `sparkplug-command`",
    'nodes.',
    '',
    'When the primary host goes offline, the edge node publishes NDEATH and ends the connection; the',
    'runtime reconnects (new bdSeq) and waits for the host to be online again before its NBIRTH. DDATA',
    'meanwhile stays in the buffer of each `sparkplug-out` node and is replayed, flagged historical.',
    '',
    '## Example',
    '',
    '```json',
    '{',
    '  "id": "edge7",',
    '  "type": "sparkplug-edge-node",',
    '  "config": { "url": "mqtt://broker.plant.local:1883", "groupId": "plant1", "edgeNodeId": "edge7", "primaryHostId": "scada" }',
    '}',
    '```',
  ].join('\n'),
  errors: sparkplugErrors.pick('SECRET_MISSING', 'SPARKPLUG_CONNECT', 'SPARKPLUG_CONFIG'),
  configSchema: {
    type: 'object',
    properties: {
      url: {
        type: 'string',
        description:
          'Broker URL: mqtt://host:1883, mqtts://host:8883 (TLS with publicly trusted certificates), ws:// or wss://.',
        pattern: '^(mqtts?|wss?)://',
        'x-ui': { label: 'Broker URL' },
      },
      groupId: {
        type: 'string',
        description: 'Sparkplug group id, the second element of every topic (e.g. plant1).',
        minLength: 1,
        'x-ui': { label: 'Group id' },
      },
      edgeNodeId: {
        type: 'string',
        description: 'Sparkplug edge node id, unique in its group (e.g. edge7).',
        minLength: 1,
        'x-ui': { label: 'Edge node id' },
      },
      primaryHostId: {
        type: 'string',
        description:
          'Host application id (spBv1.0/STATE/<id>): publish only while it is online, store and replay otherwise.',
        minLength: 1,
        'x-ui': { label: 'Primary host id' },
      },
      clientId: {
        type: 'string',
        description: 'MQTT client id; default tagflow-sparkplug-<groupId>-<edgeNodeId>-<host name>.',
        minLength: 1,
        'x-ui': { label: 'Client id', advanced: true },
      },
      username: {
        type: 'string',
        description: 'User name, when the broker asks for one.',
        'x-ui': { label: 'User name' },
      },
      passwordEnv: passwordEnvProperty('Password variable'),
      keepaliveSeconds: {
        type: 'integer',
        description:
          'Longest silence before the client pings the broker: how soon the broker sends NDEATH after a crash (1.5 times this).',
        default: 30,
        minimum: 1,
        'x-ui': { label: 'Keep-alive', unit: 's', advanced: true },
      },
      connectTimeoutMs: {
        type: 'integer',
        description: 'How long a connection attempt may take before it counts as failed.',
        default: 5000,
        minimum: 100,
        'x-ui': { label: 'Connect timeout', unit: 'ms', advanced: true },
      },
    },
    required: ['url', 'groupId', 'edgeNodeId'],
    additionalProperties: false,
  },

  check: (c) => edgeNodeProblems(c),

  secretDestinations: (c) => urlDestination(c.url, { 'mqtt:': 1883, 'mqtts:': 8883 }),

  async create(ctx) {
    const c = ctx.config;
    refuseConfig(edgeNodeProblems(c));
    let password: string | undefined;
    if (c.passwordEnv !== undefined) {
      password = ctx.secret(c.passwordEnv);
      if (password === undefined)
        throw new NodeError(
          sparkplugErrors.code.SECRET_MISSING,
          `the password for ${c.url} is to come from "${c.passwordEnv}", which is not set`,
        );
    }
    // The mqtt and protobuf libraries load when a flow first uses an edge node, not with the palette.
    const { nextBdSeq, openEdgeSession } = require('./edge-connect') as typeof import('./edge-connect');
    const { bdSeq, used } = nextBdSeq(ctx.dataDir, ctx.id);
    const session = await openEdgeSession(
      c.url,
      {
        clientId: c.clientId ?? `tagflow-sparkplug-${c.groupId}-${c.edgeNodeId}-${hostname()}`,
        protocolVersion: 4,
        username: c.username,
        password,
        keepalive: c.keepaliveSeconds,
        connectTimeout: c.connectTimeoutMs,
      },
      {
        groupId: c.groupId,
        edgeNodeId: c.edgeNodeId,
        primaryHostId: c.primaryHostId,
        bdSeq,
        log: ctx.log,
        lost: (reason) => ctx.lost(reason),
      },
    );
    used();
    return session;
  },
});

/** Ids with MQTT separators or wildcards, and a URL without host, can never work: refused at deploy. */
function edgeNodeProblems(c: {
  url: string;
  groupId: string;
  edgeNodeId: string;
  primaryHostId?: string;
}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const field of ['groupId', 'edgeNodeId', 'primaryHostId'] as const) {
    const value = c[field];
    const problem = value === undefined ? undefined : idProblem(value);
    if (problem)
      problems.push({
        path: `/${field}`,
        message: `${field} "${value}" ${problem}`,
        code: sparkplugErrors.code.SPARKPLUG_CONFIG,
      });
  }
  let host: string;
  try {
    host = new URL(c.url).hostname;
  } catch (err) {
    problems.push({
      path: '/url',
      message: `"${c.url}" is not a URL: ${(err as Error).message}`,
      code: sparkplugErrors.code.SPARKPLUG_CONFIG,
    });
    return problems;
  }
  if (host === '')
    problems.push({ path: '/url', message: `"${c.url}" has no host`, code: sparkplugErrors.code.SPARKPLUG_CONFIG });
  return problems;
}
