import { join } from 'node:path';
import { defineResource, NodeError, passwordEnvProperty, secretNameProperty, urlDestination } from '@tagflow/node-sdk';
import { historianErrors } from './error-codes';
import type { HistorianStore } from './historian-store';

/** Where the local backend keeps a store: `<data dir>/historian/<name>.sqlite`. */
export function localStoreFile(dataDir: string, name: string): string {
  return join(dataDir, 'historian', `${name}.sqlite`);
}

export default defineResource({
  type: 'historian',
  version: 1,
  description: 'Where history is kept: the embedded local store (default), PostgreSQL/TimescaleDB or InfluxDB.',
  docs: [
    'Where history is kept. One resource per store; every `historian-out` and `historian-query` node',
    'naming it shares the connection. Each backend has a page of its own, with its set-up, its table',
    'or measurement layout and how to query it: [local](backend-local.md),',
    '[PostgreSQL / TimescaleDB](backend-postgres.md) and [InfluxDB](backend-influxdb.md).',
    '',
    'Which settings apply depends on `backend`: `local` uses `name`, `retentionDays` and `maxSizeMB`',
    '(the store is `<data dir>/historian/<name>.sqlite`, which `tagflow history --store NAME` reads);',
    '`postgres` needs `database` and uses `host`, `port`, `username` (default `postgres`),',
    '`passwordEnv`, `schema`, `table` (created on first use) and `ssl`; `influxdb` needs `url`, then',
    '`database` with `apiVersion` 1 (and `username`, `passwordEnv`, `retentionPolicy`) or `org`,',
    '`bucket` and `tokenEnv` with `apiVersion` 2, and writes to `measurement`. `timeoutMs` applies to',
    'both remote backends.',
    '',
    '`passwordEnv` and `tokenEnv` name secrets (`tagflow secret set NAME`), never the values. They are',
    'sent only to the database server: `host`:`port` for PostgreSQL, the host and port of `url` for',
    'InfluxDB (80/443 when it has none). A secret bound with `--allow db.plant:5432` cannot be sent',
    'elsewhere: a deploy pointing the historian at another host is refused (`SECRET_NOT_ALLOWED`).',
    '',
    '## When the store is away',
    '',
    'A server that cannot be reached is shown on every node using the resource (`reconnecting: retry',
    'in 4.0 s: cannot reach PostgreSQL at 10.0.0.9:5432: ...`) and retried by the runtime with',
    'backoff; rows wait in each node\'s buffer meanwhile. The local store cannot be "down"; if its file',
    'cannot be opened (a full or read-only disk) that is shown the same way.',
    '',
    '## Example',
    '',
    'A PostgreSQL historian whose password comes from the environment:',
    '',
    '```json',
    '{',
    '  "id": "plant-history",',
    '  "type": "historian",',
    '  "config": { "backend": "postgres", "host": "10.0.0.9", "database": "plant", "passwordEnv": "PLANT_PG_PASSWORD" }',
    '}',
    '```',
  ].join('\n'),
  errors: historianErrors.pick('SECRET_MISSING', 'HISTORIAN_LOCAL'),
  configSchema: {
    type: 'object',
    properties: {
      backend: {
        description:
          'Where the rows go: local (a file in the runtime data dir, nothing to install), postgres (PostgreSQL or TimescaleDB) or influxdb.',
        default: 'local',
        enum: ['local', 'postgres', 'influxdb'],
        'x-ui': { label: 'Backend' },
      },
      // local
      name: {
        type: 'string',
        description: 'local: the store file name (default: the resource id); `tagflow history --store NAME` reads it.',
        pattern: '^[A-Za-z0-9_.-]+$',
        'x-ui': { label: 'Store name' },
      },
      retentionDays: {
        type: 'number',
        description: 'local: delete rows older than this many days (default: keep).',
        exclusiveMinimum: 0,
        'x-ui': { label: 'Keep rows for', unit: 'days' },
      },
      maxSizeMB: {
        type: 'number',
        description: 'local: delete the oldest rows (a tenth at a time) when the store grows past this.',
        default: 1024,
        exclusiveMinimum: 0,
        'x-ui': { label: 'Largest size', unit: 'MB' },
      },
      // postgres and influxdb
      database: {
        type: 'string',
        description: 'postgres: database name; influxdb v1: database name.',
        minLength: 1,
        'x-ui': { label: 'Database' },
      },
      username: {
        type: 'string',
        description: 'postgres: user (default postgres); influxdb v1: user, if authentication is on.',
        minLength: 1,
        'x-ui': { label: 'User name' },
      },
      passwordEnv: passwordEnvProperty('Password variable'),
      // postgres
      host: {
        type: 'string',
        description: 'postgres: host name or address.',
        default: '127.0.0.1',
        minLength: 1,
        'x-ui': { label: 'Host' },
      },
      port: {
        type: 'integer',
        description: 'postgres: port.',
        default: 5432,
        minimum: 1,
        maximum: 65535,
        'x-ui': { label: 'Port' },
      },
      schema: {
        type: 'string',
        description: 'postgres: schema of the table.',
        default: 'public',
        pattern: '^[a-z_][a-z0-9_]*$',
        maxLength: 63,
        'x-ui': { label: 'Schema' },
      },
      table: {
        type: 'string',
        description: 'postgres: table, created on first use.',
        default: 'tagflow_history',
        pattern: '^[a-z_][a-z0-9_]*$',
        maxLength: 63,
        'x-ui': { label: 'Table' },
      },
      ssl: { type: 'boolean', description: 'postgres: connect with TLS.', default: false, 'x-ui': { label: 'TLS' } },
      // influxdb
      url: {
        type: 'string',
        description: 'influxdb: server URL, e.g. http://10.0.0.9:8086.',
        pattern: '^https?://',
        'x-ui': { label: 'URL' },
      },
      apiVersion: {
        description: 'influxdb: 1 (/write, database) or 2 (/api/v2/write, with org, bucket and tokenEnv required).',
        default: 1,
        enum: [1, 2],
        'x-ui': { label: 'InfluxDB API version' },
      },
      retentionPolicy: {
        type: 'string',
        description: 'influxdb v1: retention policy (default: the database default).',
        minLength: 1,
        'x-ui': { label: 'Retention policy' },
      },
      org: {
        type: 'string',
        description: 'influxdb v2: organisation.',
        minLength: 1,
        'x-ui': { label: 'Organisation' },
      },
      bucket: { type: 'string', description: 'influxdb v2: bucket.', minLength: 1, 'x-ui': { label: 'Bucket' } },
      tokenEnv: secretNameProperty(
        'Token variable',
        'influxdb v2: name of the environment variable (or secret) holding the API token.',
      ),
      measurement: {
        type: 'string',
        description: 'influxdb: measurement the rows are written to.',
        default: 'tagflow',
        minLength: 1,
        'x-ui': { label: 'Measurement' },
      },
      timeoutMs: {
        type: 'integer',
        description: 'postgres and influxdb: connect and request timeout.',
        default: 10000,
        minimum: 100,
        'x-ui': { label: 'Timeout', unit: 'ms' },
      },
    },
    additionalProperties: false,
    allOf: [
      {
        if: { properties: { backend: { const: 'postgres' } }, required: ['backend'] },
        then: { required: ['database'] },
      },
      { if: { properties: { backend: { const: 'influxdb' } }, required: ['backend'] }, then: { required: ['url'] } },
      {
        if: {
          properties: { backend: { const: 'influxdb' }, apiVersion: { const: 2 } },
          required: ['backend', 'apiVersion'],
        },
        then: { required: ['org', 'bucket', 'tokenEnv'] },
        else: {
          if: { properties: { backend: { const: 'influxdb' } }, required: ['backend'] },
          then: { required: ['database'] },
        },
      },
    ],
  },

  // The password and token go to the database server only; the local store sends nothing.
  secretDestinations(c) {
    if (c.backend === 'postgres') return [{ host: c.host, port: c.port }];
    if (c.backend === 'influxdb') return urlDestination(c.url ?? '');
    return [];
  },

  async create(ctx): Promise<HistorianStore> {
    const c = ctx.config;
    const secret = (field: string, name: string | undefined): string | undefined => {
      if (name === undefined) return undefined;
      const value = ctx.secret(name);
      if (value === undefined)
        throw new NodeError(
          historianErrors.code.SECRET_MISSING,
          `the ${field} for historian "${ctx.id}" is to come from "${name}", which is not set`,
        );
      return value;
    };
    const lost = (reason: Error) => ctx.lost(reason);
    // Each backend's driver is loaded when a historian uses it: `pg` and node:sqlite would
    // otherwise slow every runtime start and hold memory, historian or not.
    switch (c.backend) {
      case 'postgres': {
        const { openPostgresStore } = require('./postgres-store') as typeof import('./postgres-store');
        return openPostgresStore(
          {
            host: c.host,
            port: c.port,
            database: c.database as string,
            user: c.username ?? 'postgres',
            schema: c.schema,
            table: c.table,
            ssl: c.ssl,
            connectTimeoutMs: c.timeoutMs,
            writeTimeoutMs: c.timeoutMs,
          },
          { password: secret('password', c.passwordEnv), lost },
        );
      }
      case 'influxdb': {
        const { openInfluxStore } = require('./influx-store') as typeof import('./influx-store');
        return openInfluxStore(
          {
            url: c.url as string,
            apiVersion: c.apiVersion,
            database: c.database,
            retentionPolicy: c.retentionPolicy,
            org: c.org,
            bucket: c.bucket,
            measurement: c.measurement,
            username: c.username,
            timeoutMs: c.timeoutMs,
          },
          {
            password: secret('password', c.passwordEnv),
            token: secret('token', c.tokenEnv),
            lost,
            writeOnWorker: true,
          },
        );
      }
      default: {
        const { LocalStore } = require('./local-store') as typeof import('./local-store');
        const file = localStoreFile(ctx.dataDir, c.name ?? ctx.id);
        try {
          return LocalStore.open(
            file,
            { maxAgeDays: c.retentionDays, maxSizeMB: c.maxSizeMB },
            { writeOnWorker: true, lost },
          );
        } catch (err) {
          throw new NodeError(
            historianErrors.code.HISTORIAN_LOCAL,
            `cannot open the local history store ${file}: ${(err as Error).message}`,
          );
        }
      }
    }
  },
});
