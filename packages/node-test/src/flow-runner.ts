import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIssues, outputPorts } from '@tagflow/flow-model';
import type { Flow } from '@tagflow/flow-model';
import { sdkErrors } from '@tagflow/node-sdk';
import type {
  AnyNodeDefinition,
  AnyResourceDefinition,
  ErrorInfo,
  HandledOutcome,
  Message,
  NodeStatus,
} from '@tagflow/node-sdk';
import { Engine, NodeRegistry, systemClock } from '@tagflow/runtime';
import { FakeClock } from './fake-clock';
import { RecordingLogger } from './recording-logger';
import type { LogRecord } from './recording-logger';
import { toMessage } from './to-message';

export interface RunFlowOptions {
  /** Node types the flow uses (the package under test, plus any helpers). */
  nodes: AnyNodeDefinition[];
  resources?: AnyResourceDefinition[];
  /** Fake time (default true): nothing happens on timers until `advance`. */
  fakeTime?: boolean;
  /** The runtime's data folder (default: a new temporary folder); reuse one to simulate a restart. */
  dataDir?: string;
  /** The files folder the flow's file paths are relative to (default: `<dataDir>/files`). */
  filesDir?: string;
}

/** A running flow fixture, recording everything its nodes send, report and show. */
export interface FlowUnderTest {
  readonly engine: Engine;
  /** The runtime's data folder this flow uses. */
  readonly dataDir: string;
  /** The files folder the flow's file paths are relative to (made when a node first opens a file). */
  readonly filesDir: string;
  /** Messages a node sent on a port (default `out`), oldest first. */
  outputs(nodeId: string, port?: string): Message[];
  /** Payloads a node sent on a port (default `out`). */
  payloads(nodeId: string, port?: string): unknown[];
  /** Every error any node raised, in order. */
  readonly errors: ErrorInfo[];
  /** Status changes, in order, by node id. */
  statuses(nodeId: string): NodeStatus[];
  /** What debug nodes showed: `{ nodeId, data }`, in order. */
  readonly debug: Array<{ nodeId: string; data: unknown }>;
  readonly logs: LogRecord[];
  /** Delivers a value or message to a node's input port; resolves when that node is done with it. */
  inject(nodeId: string, value: unknown, port?: string): Promise<void>;
  /**
   * Delivers a value or message as a source would with `onHandled`, and resolves with what the
   * engine reports about it (see `SendOptions` in the SDK): handled, or why not.
   */
  handle(nodeId: string, value: unknown, port?: string): Promise<HandledOutcome>;
  /**
   * Presses a node's inject button (a `manualTrigger` type's `onTrigger`), as the editor does;
   * resolves when it returned, rejects with the engine's reason when the node cannot be triggered.
   */
  trigger(nodeId: string): Promise<void>;
  /** Moves fake time forward (only with fake time). */
  advance(ms: number): Promise<void>;
  now(): number;
  /** Waits until no node has queued or in-flight messages. */
  idle(): Promise<void>;
  /**
   * Runs tool `name` of resource `resourceId` (its type's `tools`) as the admin API would: on the
   * flow's live connection, else on one opened for the call. Rejects with the runtime's ToolError
   * (`code` TOOL_CONNECT, TOOL_TIMEOUT, TOOL_FAILED...) in plain words.
   */
  tool(resourceId: string, name: string, input?: unknown, timeoutMs?: number): Promise<unknown>;
  /** Forgets recorded outputs, errors, statuses and debug values. */
  clear(): void;
  /**
   * Stops the flow. Rejects (once stopped) when a node raised a coded error its definition's
   * `errors` does not list: the test met a code the node's docs would not mention.
   */
  stop(): Promise<void>;
}

/** Deploys a flow fixture into a real engine and records what happens. */
export async function runFlow(flow: Flow | Record<string, unknown>, options: RunFlowOptions): Promise<FlowUnderTest> {
  const registry = new NodeRegistry();
  for (const def of options.nodes) registry.registerNode(def, { name: 'under-test', version: '0.0.0' });
  for (const def of options.resources ?? []) registry.registerResource(def, { name: 'under-test', version: '0.0.0' });
  const fake = options.fakeTime === false ? undefined : new FakeClock();
  const clock = fake ?? systemClock;
  const logger = new RecordingLogger();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tagflow-test-'));
  const filesDir = options.filesDir ?? join(dataDir, 'files');
  const engine = new Engine({ registry, logger, clock, closeTimeoutMs: 2000, dataDir, filesDir });

  const sent = new Map<string, Message[]>();
  const statuses = new Map<string, NodeStatus[]>();
  const errors: ErrorInfo[] = [];
  const debug: Array<{ nodeId: string; data: unknown }> = [];
  const unlisted = new Set<string>();
  engine.on('node-error', ({ handled: _handled, ...info }) => {
    errors.push(info);
    const listed = registry.node(info.nodeType)?.definition.errors;
    // UNEXPECTED and HOP_LIMIT are the runtime's words about any node, not the node's own.
    const fromRuntime = info.code === sdkErrors.code.UNEXPECTED || info.code === sdkErrors.code.HOP_LIMIT;
    if (listed && !fromRuntime && !Object.hasOwn(listed, info.code))
      unlisted.add(`${info.nodeType} raised ${info.code}, which its definition's errors does not list`);
  });
  engine.on('status', ({ nodeId, status }) => statuses.set(nodeId, [...(statuses.get(nodeId) ?? []), status]));
  engine.on('debug', ({ nodeId, data }) => debug.push({ nodeId, data }));

  // `deployed` fires after wiring and before sources start, so nothing a source emits first is missed.
  // Redeploys replace runners, so every deploy re-taps every node.
  let untaps: Array<() => void> = [];
  engine.on('deployed', () => {
    for (const untap of untaps) untap();
    untaps = [];
    for (const node of engine.currentFlow?.nodes ?? []) {
      const def = registry.node(node.type)?.definition;
      if (!def || node.disabled) continue;
      for (const port of outputPorts(def, node.config)) {
        const key = `${node.id}\u0000${port}`;
        if (!sent.has(key)) sent.set(key, []);
        untaps.push(engine.tap(node.id, port, (msg) => sent.get(key)?.push(msg)));
      }
    }
  });

  const result = await engine.deploy(flow);
  if (!result.ok) {
    await engine.stop();
    throw new Error(`the flow fixture was refused:\n${formatIssues(result.errors)}`);
  }

  const recorded = (nodeId: string, port = 'out') => sent.get(`${nodeId}\u0000${port}`) ?? [];
  return {
    engine,
    dataDir,
    filesDir,
    outputs: (nodeId, port) => [...recorded(nodeId, port)],
    payloads: (nodeId, port) => recorded(nodeId, port).map((m) => m.payload),
    errors,
    statuses: (nodeId) => [...(statuses.get(nodeId) ?? [])],
    debug,
    logs: logger.records,
    inject: (nodeId, value, port) => engine.inject(nodeId, toMessage(value, clock.now()), port),
    handle: (nodeId, value, port) =>
      new Promise<HandledOutcome>((resolve, reject) => {
        engine.inject(nodeId, toMessage(value, clock.now()), port, { onHandled: resolve }).catch(reject);
      }),
    trigger: async (nodeId) => {
      const outcome = await engine.triggerNode(nodeId);
      if (!outcome.ok) throw new Error(outcome.message);
    },
    advance: async (ms) => {
      if (!fake) throw new Error('advance() needs fake time: runFlow(..., { fakeTime: true })');
      await fake.advance(ms);
    },
    now: () => clock.now(),
    idle: () => engine.idle(),
    tool: async (resourceId, name, input, timeoutMs) => {
      const resource = engine.currentFlow?.resources?.find((r) => r.id === resourceId);
      if (!resource) throw new Error(`the flow has no resource "${resourceId}"`);
      return engine.runResourceTool({ resource, tool: name, input, timeoutMs });
    },
    clear: () => {
      for (const list of sent.values()) list.length = 0;
      statuses.clear();
      errors.length = 0;
      debug.length = 0;
    },
    stop: async () => {
      for (const untap of untaps) untap();
      await engine.stop();
      if (unlisted.size > 0) throw new Error([...unlisted].join('\n'));
    },
  };
}
