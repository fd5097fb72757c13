import { styleText } from 'node:util';

/** How the readable format shows a record. */
export interface TextFormatOptions {
  /** Show the stacks of unexpected errors (indented under the line); the CLI does at level debug. */
  stacks: boolean;
  /** Colour the level with ANSI codes (for a terminal). */
  color: boolean;
}

// Fields the line shows in its own place, or that a person does not need.
const SHOWN_APART = new Set([
  'level',
  'time',
  'msg',
  'node',
  'resource',
  'type',
  'err',
  'stack',
  'code',
  'pid',
  'hostname',
]);
const COLORS: Record<string, Parameters<typeof styleText>[0]> = {
  trace: 'gray',
  debug: 'gray',
  info: 'green',
  warn: 'yellow',
  error: 'red',
  fatal: 'red',
};
const MAX_VALUE_CHARS = 200;

/**
 * One readable line for a record of the JSON log, such as
 * `08:00:01 error [avg] payload is not a number (NOT_A_NUMBER)` or
 * `08:00:00 info  deployed flow "pump-monitor" as version 3 by admin added=["alarm"]`:
 * local time, level, the node or resource it is about, the message, the error's message and code,
 * then the other fields as `key=value`.
 */
export function formatTextLine(record: Record<string, unknown>, options: TextFormatOptions): string {
  const level = typeof record.level === 'string' ? record.level : 'info';
  const label = level.padEnd(5);
  const source = typeof record.node === 'string' ? record.node : record.resource;
  const tag = typeof source === 'string' ? `[${source}] ` : '';
  // One line per record: a message spread over lines (a list of issues) is joined.
  let text = typeof record.msg === 'string' ? record.msg.replace(/\s*\n\s*/g, ' ') : '';
  // Node errors and flow issues are worded `node "id" (type): ...`; the tag already names the node.
  if (typeof record.node === 'string' && text.startsWith(`node ${JSON.stringify(record.node)} (`))
    text = text.replace(/^node "(?:[^"\\]|\\.)*" \([^)]*\): /, '');
  const err = isErrorLike(record.err) ? record.err : undefined;
  const cause = err?.message ? `: ${err.message}` : '';
  const code = typeof record.code === 'string' ? ` (${record.code})` : '';
  // Fields the message already says (`flow "pump" running` with flowId=pump), and empty lists, are
  // left to the JSON format.
  const extra = Object.entries(record)
    .filter(([key, value]) => !SHOWN_APART.has(key) && value !== undefined && !mentions(text, value))
    .filter(([, value]) => !(Array.isArray(value) && value.length === 0))
    .map(([key, value]) => ` ${key}=${formatValue(value)}`)
    .join('');
  const head = `${clock(record.time)} ${options.color ? styleText(COLORS[level] ?? 'reset', label, { validateStream: false }) : label}`;
  const line = `${head} ${tag}${text}${cause}${code}${extra}`;
  const stack = typeof record.stack === 'string' ? record.stack : err?.stack;
  return options.stacks && stack ? `${line}\n${indent(stack)}` : line;
}

/** True when `value` (a string or number) appears in `text` as a whole word. */
function mentions(text: string, value: unknown): boolean {
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  const word = String(value);
  if (word === '') return false;
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
    const before = text[at - 1];
    const after = text[at + word.length];
    if ((before === undefined || !/[\w.-]/.test(before)) && (after === undefined || !/[\w-]/.test(after))) return true;
  }
  return false;
}

function isErrorLike(value: unknown): value is { message?: string; stack?: string } {
  return typeof value === 'object' && value !== null;
}

/** `HH:MM:SS.mmm` in local time, from an epoch number or an ISO string. */
function clock(time: unknown): string {
  const date = new Date(typeof time === 'number' || typeof time === 'string' ? time : Date.now());
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function formatValue(value: unknown): string {
  const text = typeof value === 'string' && !/[\s"=]/.test(value) ? value : JSON.stringify(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
