import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMessage, defineNode } from '@tagflow/node-sdk';
import type { AnyNodeDefinition } from '@tagflow/node-sdk';
import { Deployer } from '../../src/admin/deployer';
import { Engine } from '../../src/engine/engine';
import { NodeRegistry } from '../../src/registry/node-registry';
import { startAdminServer } from '../../src/server/start-admin-server';
import type { AdminAppOptions } from '../../src/server/admin-app';
import type { EventHub } from '../../src/server/event-hub';
import type { AdminServerDeps, LogRecord } from '../../src/server/route-types';
import { AuditLog, FlowStore, SecretStore, TokenStore, VariableStore } from '../../src/store';
import { catcher, counter, MemoryLogger, sink } from '../helpers';

/** Shows every payload as a debug value and its count as status (with a backlog, for the metric). */
export const shout = defineNode({
  type: 'shout',
  version: 1,
  category: 'processor',
  description: 'debug + status per message',
  docs: 'Shows each payload in the debug sidebar.',
  errors: { TOO_LOUD: 'The payload is too loud to show.' },
  configSchema: {
    type: 'object',
    properties: { loud: { type: 'boolean', default: true } },
    additionalProperties: false,
  },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    let seen = 0;
    return {
      onMessage(msg) {
        seen++;
        ctx.debug(msg.payload);
        ctx.status({ state: 'ok', text: `${seen} seen`, backlog: seen * 10 });
        ctx.send(msg);
      },
    };
  },
});

/** Shows `count` debug values of `size` characters at start, as fast as it can: a flood for the event hub. */
export const flood = defineNode({
  type: 'flood',
  version: 1,
  category: 'source',
  description: 'debug flood',
  configSchema: {
    type: 'object',
    properties: { count: { type: 'integer', default: 100 }, size: { type: 'integer', default: 10 } },
    additionalProperties: false,
  },
  inputs: [],
  outputs: ['out'],
  create(ctx) {
    return {
      start() {
        const text = 'x'.repeat(ctx.config.size);
        for (let i = 0; i < ctx.config.count; i++) ctx.debug({ i, text });
        ctx.send(createMessage(ctx.config.count));
      },
    };
  },
});

/** A running admin server over real stores, the lead's Deployer and an engine, in a temp data dir. */
export interface Harness {
  url: string;
  hub: EventHub;
  engine: Engine;
  registry: NodeRegistry;
  logger: MemoryLogger;
  flows: FlowStore;
  tokens: TokenStore;
  secrets: SecretStore;
  variables: VariableStore;
  audit: AuditLog;
  /** One token value per role. */
  token: { viewer: string; deployer: string; admin: string };
  /** Every response body this harness fetched, for leak searches. */
  bodies: string[];
  /** The deps this harness's server was started with: for a second app or server over the same engine and stores. */
  deps(): AdminServerDeps;
  /** Emits a runtime log record (what `onLog` forwards). */
  log(record: LogRecord): void;
  api(
    path: string,
    init?: { method?: string; token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the body's fields as the API documents them
  ): Promise<{ status: number; headers: Headers; text: string; json: any }>;
  close(): Promise<void>;
}

/** The stores of a new data dir in a temp folder, as `tagflow start` opens them. */
export async function openStores(prefix = 'tagflow-server-') {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  const [flows, tokens, secrets, variables, audit] = await Promise.all([
    FlowStore.open(dataDir),
    TokenStore.open(dataDir),
    SecretStore.open(dataDir),
    VariableStore.open(dataDir),
    AuditLog.open(dataDir),
  ]);
  return { dataDir, flows, tokens, secrets, variables, audit };
}

export async function startHarness(
  appOptions: AdminAppOptions = {},
  extraNodes: AnyNodeDefinition[] = [],
): Promise<Harness> {
  const { dataDir, flows, tokens, secrets, variables, audit } = await openStores();
  const registry = new NodeRegistry();
  for (const def of [counter, sink, catcher, flood, ...extraNodes]) registry.registerNode(def);
  registry.registerNode(shout, { name: '@acme/shout-nodes', version: '1.2.3' });
  const logger = new MemoryLogger();
  const engine = new Engine({ registry, logger, closeTimeoutMs: 2000, dataDir });
  const deployer = new Deployer({ engine, flows, audit, logger, secretBindings: { registry, secrets }, variables });
  const logs = new EventEmitter();
  const deps: AdminServerDeps = {
    engine,
    registry,
    flows,
    tokens,
    secrets,
    variables,
    audit,
    deployer,
    logger,
    version: '0.1.0-test',
    onLog(listener) {
      logs.on('log', listener);
      return () => logs.off('log', listener);
    },
  };
  const server = await startAdminServer(deps, { host: '127.0.0.1', port: 0 }, appOptions);
  const token = {
    viewer: (await tokens.create('viewer', 'the viewer')).token,
    deployer: (await tokens.create('deployer', 'the deployer')).token,
    admin: (await tokens.create('admin', 'the admin')).token,
  };
  const bodies: string[] = [];
  const harness: Harness = {
    url: server.url,
    hub: server.hub,
    engine,
    registry,
    logger,
    flows,
    tokens,
    secrets,
    variables,
    audit,
    token,
    bodies,
    deps: () => ({ ...deps }),
    log: (record) => logs.emit('log', record),
    async api(path, init = {}) {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
      let body: string | undefined = init.rawBody;
      if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers['content-type'] = 'application/json';
      }
      const res = await fetch(server.url + path, { method: init.method ?? 'GET', headers, body });
      const text = await res.text();
      bodies.push(text);
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined; // not JSON (metrics text): tests read `text`
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    async close() {
      await server.close();
      await engine.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Replaces `:param` segments with a sample value. */
export function samplePath(path: string): string {
  return path
    .replace(/:version/g, '1')
    .replace(/:name/g, 'SAMPLE')
    .replace(/:[A-Za-z]+/g, 'sample');
}
