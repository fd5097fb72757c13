import { defineNode } from '@tagflow/node-sdk';
import type {
  AnyNodeDefinition,
  AnyResourceDefinition,
  ErrorInfo,
  HandledOutcome,
  Message,
  NodeStatus,
} from '@tagflow/node-sdk';
import { outputPorts } from '@tagflow/flow-model';
import type { FlowResource } from '@tagflow/flow-model';
import { runFlow } from './flow-runner';
import type { FlowUnderTest } from './flow-runner';
import type { LogRecord } from './recording-logger';

export interface TestNodeOptions {
  /** The node's config (defaults from its schema are filled in). */
  config?: Record<string, unknown>;
  /** Fake time (default true). */
  fakeTime?: boolean;
  /** Resources the node uses, with their types' definitions. */
  resources?: FlowResource[];
  resourceTypes?: AnyResourceDefinition[];
  /** The runtime's data folder (default: a new temporary folder); reuse one to simulate a restart. */
  dataDir?: string;
  /** The files folder the node's file paths are relative to (default: `<dataDir>/files`). */
  filesDir?: string;
  /** Input queue settings for the node. */
  queue?: { size?: number; overflow?: 'block' | 'drop-oldest' | 'drop-newest' };
  /**
   * The rest of the flow, as seen from the node: called for each message it sends on any output
   * port, as a node wired there would be. Throw (or reject) to make that message not handled, await
   * to keep it in progress: a source sending with `onHandled` then hears it as from a real flow.
   * Without it, the node's outputs are wired to nothing (every message is handled at once).
   */
  downstream?: (msg: Message, port: string) => void | Promise<void>;
}

/** One node running in a real engine, with everything it does recorded. */
export interface NodeUnderTest {
  /** Delivers a value (becomes `payload`) or a message to an input port; resolves when processed. */
  send(value: unknown, port?: string): Promise<void>;
  /** Delivers a value or message as a source would with `onHandled`; resolves with the outcome. */
  handle(value: unknown, port?: string): Promise<HandledOutcome>;
  /** Presses the node's inject button (its `onTrigger`; `manualTrigger` types); rejects when it has none. */
  trigger(): Promise<void>;
  /** Messages sent on a port (default `out`). */
  outputs(port?: string): Message[];
  /** Payloads sent on a port (default `out`). */
  payloads(port?: string): unknown[];
  /** Errors the node raised (thrown, rejected or reported with `ctx.error`). */
  readonly errors: ErrorInfo[];
  readonly statuses: NodeStatus[];
  /** The latest status, if any. */
  readonly status: NodeStatus | undefined;
  /** Values the node passed to `ctx.debug`. */
  readonly debug: unknown[];
  readonly logs: LogRecord[];
  advance(ms: number): Promise<void>;
  now(): number;
  idle(): Promise<void>;
  clear(): void;
  close(): Promise<void>;
  /** The flow around the node, for anything else. */
  readonly flow: FlowUnderTest;
}

const NODE_ID = 'node-under-test';
const DOWNSTREAM_TYPE = 'node-test-downstream';

/** A node standing for the rest of the flow after one output port (`TestNodeOptions.downstream`). */
function downstreamNode(call: NonNullable<TestNodeOptions['downstream']>): AnyNodeDefinition {
  return defineNode({
    type: DOWNSTREAM_TYPE,
    version: 1,
    category: 'utility',
    description: 'Stands for the flow downstream of the node under test.',
    configSchema: {
      type: 'object',
      properties: { port: { type: 'string', default: 'out' } },
      additionalProperties: false,
    },
    inputs: ['in'],
    outputs: [],
    create: (ctx) => ({ onMessage: (msg) => call(msg, ctx.config.port) }),
  });
}

/**
 * Starts one node with `config` in a real engine (sources are started too) and records what it
 * does. Rejects with every validation problem if the config is invalid.
 */
export async function testNode(definition: AnyNodeDefinition, options: TestNodeOptions = {}): Promise<NodeUnderTest> {
  const downstream = options.downstream;
  const ports = downstream ? outputPorts(definition, options.config ?? {}) : [];
  const flow = await runFlow(
    {
      schemaVersion: 1,
      id: 'node-test',
      resources: options.resources ?? [],
      nodes: [
        {
          id: NODE_ID,
          type: definition.type,
          typeVersion: definition.version,
          config: options.config ?? {},
          ...(options.queue ? { queue: options.queue } : {}),
        },
        ...ports.map((port) => ({ id: `downstream-${port}`, type: DOWNSTREAM_TYPE, typeVersion: 1, config: { port } })),
      ],
      edges: ports.map((port) => ({ source: NODE_ID, sourcePort: port, target: `downstream-${port}` })),
    },
    {
      nodes: downstream ? [definition, downstreamNode(downstream)] : [definition],
      resources: options.resourceTypes,
      fakeTime: options.fakeTime,
      dataDir: options.dataDir,
      filesDir: options.filesDir,
    },
  );
  return {
    send: (value, port) => flow.inject(NODE_ID, value, port),
    handle: (value, port) => flow.handle(NODE_ID, value, port),
    trigger: () => flow.trigger(NODE_ID),
    outputs: (port) => flow.outputs(NODE_ID, port),
    payloads: (port) => flow.payloads(NODE_ID, port),
    get errors() {
      return flow.errors.filter((e) => e.nodeId === NODE_ID);
    },
    get statuses() {
      return flow.statuses(NODE_ID);
    },
    get status() {
      const all = flow.statuses(NODE_ID);
      return all[all.length - 1];
    },
    get debug() {
      return flow.debug.filter((d) => d.nodeId === NODE_ID).map((d) => d.data);
    },
    logs: flow.logs,
    advance: (ms) => flow.advance(ms),
    now: () => flow.now(),
    idle: () => flow.idle(),
    clear: () => flow.clear(),
    close: () => flow.stop(),
    flow,
  };
}
