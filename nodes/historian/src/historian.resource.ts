import { join } from 'node:path';
import { defineResource, NodeError } from '@tagflow/node-sdk';
import type { HistorianStore } from './historian-store';

/** Where the local backend keeps a store: `<data dir>/historian/<name>.sqlite`. */
export function localStoreFile(dataDir: string, name: string): string {
  return join(dataDir, 'historian', `${name}.sqlite`);
}

export default defineResource({
  type: 'historian',
  version: 1,
  description: 'Where history is kept: the embedded local store (default), PostgreSQL/TimescaleDB or InfluxDB',
  configSchema: {
    type: 'object',
    properties: {
      backend: {
        enum: ['local', 'postgres', 'influxdb'],
        default: 'local',
        description: 'local: a file in the runtime data dir, nothing to install.',
      },
      // local
      name: {
        type: 'string',
        pattern: '^[A-Za-z0-9_.-]+$',
        description: 'local: the store file name (default: the resource id); `tagflow history --store NAME` reads it.',
      },
      retentionDays: {
        type: 'number',
        exclusiveMinimum: 0,
        description: 'local: delete rows older than this many days (default: keep).',
      },
      maxSizeMB: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 1024,
        description: 'local: delete the oldest rows when the store grows past this.',
      },
      // postgres and influxdb
      database: { type: 'string', minLength: 1, description: 'postgres: database name; influxdb v1: database name.' },
      username: {
        type: 'string',
        minLength: 1,
        description: 'postgres: user (default postgres); influxdb v1: user, if authentication is on.',
      },
      passwordEnv: {
        type: 'string',
        minLength: 1,
        description: 'Name of the environment variable (or secret) holding the password: never the password itself.',
      },
      // postgres
      host: { type: 'string', minLength: 1, default: '127.0.0.1', description: 'postgres: host name or address.' },
      port: { type: 'integer', minimum: 1, maximum: 65535, default: 5432, description: 'postgres: port.' },
      schema: {
        type: 'string',
        pattern: '^[a-z_][a-z0-9_]*$',
        maxLength: 63,
        default: 'public',
        description: 'postgres: schema of the table.',
      },
      table: {
        type: 'string',
        pattern: '^[a-z_][a-z0-9_]*$',
        maxLength: 63,
        default: 'tagflow_history',
        description: 'postgres: table, created on first use.',
      },
      ssl: { type: 'boolean', default: false, description: 'postgres: connect with TLS.' },
      // influxdb
      url: { type: 'string', pattern: '^https?://', description: 'influxdb: server URL, e.g. http://10.0.0.9:8086.' },
      apiVersion: {
        enum: [1, 2],
        default: 1,
        description: 'influxdb: 1 (/write, database) or 2 (/api/v2/write, org and bucket).',
      },
      retentionPolicy: {
        type: 'string',
        minLength: 1,
        description: 'influxdb v1: retention policy (default: the database default).',
      },
      org: { type: 'string', minLength: 1, description: 'influxdb v2: organisation.' },
      bucket: { type: 'string', minLength: 1, description: 'influxdb v2: bucket.' },
      tokenEnv: {
        type: 'string',
        minLength: 1,
        description: 'influxdb v2: name of the environment variable (or secret) holding the API token.',
      },
      measurement: {
        type: 'string',
        minLength: 1,
        default: 'tagflow',
        description: 'influxdb: measurement the rows are written to.',
      },
      timeoutMs: { type: 'integer', minimum: 100, default: 10000, description: 'Connect and request timeout.' },
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

  async create(ctx): Promise<HistorianStore> {
    const c = ctx.config;
    const secret = (field: string, name: string | undefined): string | undefined => {
      if (name === undefined) return undefined;
      const value = ctx.secret(name);
      if (value === undefined)
        throw new NodeError(
          'SECRET_MISSING',
          `the ${field} for historian "${ctx.id}" is to come from "${name}", which is not set`,
        );
      return value;
    };
    const lost = (reason: Error) => ctx.lost(reason);
    // Each backend's driver is loaded when a historian uses it: `pg` and better-sqlite3 would
    // otherwise cost every runtime start ~100 ms and several MB, historian or not.
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
          { password: secret('password', c.passwordEnv), token: secret('token', c.tokenEnv), lost },
        );
      }
      default: {
        const { LocalStore } = require('./local-store') as typeof import('./local-store');
        const file = localStoreFile(ctx.dataDir, c.name ?? ctx.id);
        try {
          return LocalStore.open(file, { maxAgeDays: c.retentionDays, maxSizeMB: c.maxSizeMB });
        } catch (err) {
          throw new NodeError(
            'HISTORIAN_LOCAL',
            `cannot open the local history store ${file}: ${(err as Error).message}`,
          );
        }
      }
    }
  },
});
