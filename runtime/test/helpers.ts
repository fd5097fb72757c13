import { createMessage, defineNode, NodeError } from '@tagflow/node-sdk';
import type { AnyNodeDefinition, Message } from '@tagflow/node-sdk';
import { Engine, NodeRegistry } from '../src';
import type { EngineLogger, EngineOptions } from '../src';

/** Log lines kept in memory, so tests can assert what was reported. */
export class MemoryLogger implements EngineLogger {
  lines: Array<{ level: string; msg: string; data: Record<string, unknown> }> = [];
  debug(data: object, msg = '') {
    this.lines.push({ level: 'debug', msg, data: data as Record<string, unknown> });
  }
  info(data: object, msg = '') {
    this.lines.push({ level: 'info', msg, data: data as Record<string, unknown> });
  }
  warn(data: object, msg = '') {
    this.lines.push({ level: 'warn', msg, data: data as Record<string, unknown> });
  }
  error(data: object, msg = '') {
    this.lines.push({ level: 'error', msg, data: data as Record<string, unknown> });
  }
}

/** Emits `count` numbers 0..count-1 as fast as backpressure allows, from start(). */
export const counter = defineNode({
  type: 'counter',
  version: 1,
  category: 'source',
  description: 'test source',
  configSchema: {
    type: 'object',
    properties: { count: { type: 'integer', default: 10 } },
    additionalProperties: false,
  },
  inputs: [],
  outputs: ['out'],
  create(ctx) {
    let running = true;
    return {
      async start() {
        for (let i = 0; i < ctx.config.count && running; i++) {
          if (!ctx.send(createMessage(i))) await ctx.drain();
        }
      },
      close() {
        running = false;
      },
    };
  },
});

/** Adds `add` to numeric payloads; keeps a running total as state (to observe restarts). */
export const adder = defineNode({
  type: 'adder',
  version: 1,
  category: 'processor',
  description: 'test processor',
  configSchema: { type: 'object', properties: { add: { type: 'number', default: 0 } }, additionalProperties: false },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    let seen = 0;
    return {
      onMessage(msg) {
        seen++;
        ctx.send({ ...msg, payload: (msg.payload as number) + ctx.config.add, seen });
      },
    };
  },
});

/** Waits `delayMs` per message (real timers) before passing it on. */
export const slow = defineNode({
  type: 'slow',
  version: 1,
  category: 'publisher',
  description: 'test async node',
  configSchema: {
    type: 'object',
    properties: { delayMs: { type: 'number', default: 1 } },
    additionalProperties: false,
  },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    return {
      async onMessage(msg) {
        await new Promise((resolve) => setTimeout(resolve, ctx.config.delayMs));
        ctx.send(msg);
      },
    };
  },
});

/** Throws NodeError for payloads equal to `failOn`, else passes them on. */
export const picky = defineNode({
  type: 'picky',
  version: 1,
  category: 'processor',
  description: 'test failing node',
  configSchema: { type: 'object', properties: { failOn: { type: 'number', default: 3 } }, additionalProperties: false },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    return {
      onMessage(msg) {
        if (msg.payload === ctx.config.failOn) throw new NodeError('PICKY', `refuses ${String(msg.payload)}`);
        ctx.send(msg);
      },
    };
  },
});

/** Like picky, with an error output port. */
export const pickyWithErrorPort: AnyNodeDefinition = { ...picky, type: 'picky-error-port', outputs: ['out', 'error'] };

/** Collects every message it receives, in a global list per node id (tests read it). */
export const received = new Map<string, Message[]>();
export const sink = defineNode({
  type: 'sink',
  version: 1,
  category: 'publisher',
  description: 'test sink',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: [],
  create(ctx) {
    const list: Message[] = [];
    received.set(ctx.id, list);
    return { onMessage: (msg) => void list.push(msg) };
  },
});

/** Receives errors of every node (or of `scope`) and forwards them. */
export const catcher = defineNode({
  type: 'catcher',
  version: 1,
  category: 'utility',
  description: 'test catch',
  configSchema: {
    type: 'object',
    properties: { scope: { type: 'array', items: { type: 'string' }, default: [] } },
    additionalProperties: false,
  },
  inputs: [],
  outputs: ['out'],
  catches: (config) => (config.scope.length > 0 ? config.scope : 'all'),
  create(ctx) {
    return { onMessage: (msg) => void ctx.send(msg) };
  },
});

export function makeEngine(
  extra: AnyNodeDefinition[] = [],
  closeTimeoutMs = 2000,
  options: Omit<EngineOptions, 'registry' | 'logger' | 'closeTimeoutMs'> = {},
) {
  const registry = new NodeRegistry();
  const builtIn: AnyNodeDefinition[] = [counter, adder, slow, picky, pickyWithErrorPort, sink, catcher];
  for (const def of [...builtIn, ...extra]) registry.registerNode(def);
  const logger = new MemoryLogger();
  const engine = new Engine({ ...options, registry, logger, closeTimeoutMs });
  return { engine, registry, logger };
}

/** Builds a flow from `id:type` nodes and `a->b` edges. */
export function flow(
  nodes: Array<{ id: string; type: string; config?: Record<string, unknown>; queue?: object; disabled?: boolean }>,
  edges: string[],
  id = 'test-flow',
) {
  return {
    schemaVersion: 1,
    id,
    nodes: nodes.map((n) => ({ typeVersion: 1, ...n })),
    edges: edges.map((e) => {
      const [from, to] = e.split('->');
      const [source, sourcePort] = from.split(':');
      const [target, targetPort] = to.split(':');
      return { source, target, ...(sourcePort ? { sourcePort } : {}), ...(targetPort ? { targetPort } : {}) };
    }),
  };
}

export async function until(check: () => boolean, timeoutMs = 10000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
