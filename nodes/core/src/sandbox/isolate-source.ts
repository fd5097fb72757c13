/**
 * The JavaScript that runs inside the isolate, as source text. Nothing here runs on the host.
 */

/** File name the user's code is compiled under; stack frames and syntax errors name it. */
export const USER_CODE_FILE = 'function-code.js';

/**
 * Wraps the user's function body in a function expression. The body starts on the wrapper's second
 * line, so compile it with `lineOffset: -1` to report lines as the user counts them.
 */
export function wrapUserCode(code: string): string {
  // The closing brace goes on its own line so that a trailing `// comment` cannot swallow it.
  return `(function (msg, node, context) {\n${code}\n})`;
}

/**
 * Run once per isolate with `evalClosure`: `$0` is the host's log callback `(level, text)`, `$1`
 * the host's status callback, `$2` the node's id and `$3` its name. Builds `node`, `context` and
 * `console`, and returns `bind(userFn)`, which returns the per-message entry point `run(msg)`.
 * Everything is kept in this closure rather than on `globalThis`, so user code cannot replace the
 * plumbing; it captures the built-ins it uses before user code runs, for the same reason.
 */
export const BOOTSTRAP_SOURCE = String.raw`
'use strict';
const hostLog = $0;
const hostStatus = $1;
const nodeId = $2;
const nodeName = $3;
const stringify = JSON.stringify;
const toText = String;
const ErrorClass = Error;
const freeze = Object.freeze;
const MAX_LOG_CHARS = 10000;

function describe(value) {
  if (typeof value === 'string') return value;
  try {
    if (value instanceof ErrorClass) return value.stack || toText(value);
    const json = stringify(value);
    return json === undefined ? toText(value) : json;
  } catch (err) {
    // Circular objects, BigInts, throwing toString: fall back to something printable.
    try { return toText(value); } catch (err2) { return '[unprintable value]'; }
  }
}

function format(args) {
  let text = '';
  for (let i = 0; i < args.length; i++) {
    text += (i === 0 ? '' : ' ') + describe(args[i]);
    if (text.length > MAX_LOG_CHARS) return text.slice(0, MAX_LOG_CHARS) + '... (truncated)';
  }
  return text;
}

const node = freeze({
  id: nodeId,
  name: nodeName,
  log: (...args) => { hostLog('info', format(args)); },
  warn: (...args) => { hostLog('warn', format(args)); },
  error: (...args) => { hostLog('error', format(args)); },
  status: (status) => { hostStatus(status); },
});

globalThis.console = freeze({
  log: node.log,
  info: node.log,
  debug: (...args) => { hostLog('debug', format(args)); },
  warn: node.warn,
  error: node.error,
});

// State kept across messages. get/set mirror Node-RED's context API; they are non-enumerable so
// the object stays a plain bag of the user's own keys.
const context = {};
Object.defineProperties(context, {
  get: { value: (key) => context[key] },
  set: { value: (key, value) => { context[key] = value; } },
});

return function bind(userFn) {
  return function run(msg) {
    return userFn(msg, node, context);
  };
};
`;

/**
 * Checks, inside the isolate, that the code is a function body on its own: the Function constructor
 * parses the body separately, so code like `}); (function () {` that would close our wrapper early
 * is refused. `$0` is the code. Compiles only; runs nothing.
 */
export const BODY_CHECK_SOURCE = `new Function('msg', 'node', 'context', $0); return true;`;
