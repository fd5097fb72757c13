import type { AnyNodeDefinition, AnyResourceDefinition, ErrorInfo, Message, NodeStatus } from '@tagflow/node-sdk';
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
}

/** One node running in a real engine, with everything it does recorded. */
export interface NodeUnderTest {
  /** Delivers a value (becomes `payload`) or a message to an input port; resolves when processed. */
  send(value: unknown, port?: string): Promise<void>;
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

/**
 * Starts one node with `config` in a real engine (sources are started too) and records what it
 * does. Rejects with every validation problem if the config is invalid.
 */
export async function testNode(definition: AnyNodeDefinition, options: TestNodeOptions = {}): Promise<NodeUnderTest> {
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
      ],
      edges: [],
    },
    {
      nodes: [definition],
      resources: options.resourceTypes,
      fakeTime: options.fakeTime,
      dataDir: options.dataDir,
      filesDir: options.filesDir,
    },
  );
  return {
    send: (value, port) => flow.inject(NODE_ID, value, port),
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
