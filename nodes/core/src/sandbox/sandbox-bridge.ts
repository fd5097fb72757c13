import type { NodeStatus } from '@tagflow/node-sdk';

/** Log levels user code can reach through `node.log/warn/error` and `console`. */
export type SandboxLogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'error']);
const STATES: ReadonlySet<string> = new Set(['ok', 'idle', 'connecting', 'reconnecting', 'disconnected', 'error']);

// Node-RED's status colours, so `node.status({ fill: 'red', text })` keeps working.
const FILL_STATES: Readonly<Record<string, NodeStatus['state']>> = {
  red: 'error',
  yellow: 'connecting',
  green: 'ok',
  blue: 'ok',
  grey: 'idle',
  gray: 'idle',
};

const MAX_STATUS_TEXT = 200;

/**
 * Checks what user code passed to `node.status(...)`. Throws a TypeError, which surfaces in the
 * user's code at the offending call, when it cannot be understood.
 */
export function toNodeStatus(value: unknown): NodeStatus {
  if (typeof value === 'string') return { state: 'ok', text: clip(value) };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('node.status expects an object like { state: "ok", text: "12 values" }');
  }
  const { state, fill, text } = value as Record<string, unknown>;
  let resolved: NodeStatus['state'] = 'ok';
  if (state !== undefined) {
    if (typeof state !== 'string' || !STATES.has(state)) {
      throw new TypeError(`node.status: state must be one of ${[...STATES].join(', ')}; got ${JSON.stringify(state)}`);
    }
    resolved = state as NodeStatus['state'];
  } else if (typeof fill === 'string' && FILL_STATES[fill]) {
    resolved = FILL_STATES[fill];
  }
  if (text === undefined || text === null) return { state: resolved };
  if (typeof text === 'object') throw new TypeError('node.status: text must be a string or a number');
  return { state: resolved, text: clip(String(text)) };
}

/** The level user code asked for, or `info` for anything unexpected. */
export function toLogLevel(level: unknown): SandboxLogLevel {
  return typeof level === 'string' && LEVELS.has(level) ? (level as SandboxLogLevel) : 'info';
}

const clip = (text: string) => (text.length > MAX_STATUS_TEXT ? `${text.slice(0, MAX_STATUS_TEXT)}...` : text);
