import { types } from 'node:util';
import { NodeError } from '@tagflow/node-sdk';
import { coreErrors } from '../error-codes';
import { USER_CODE_FILE } from './isolate-source';

/** The limits a failed run is reported against. */
export interface RunLimits {
  timeoutMs: number;
  memoryLimitMb: number;
}

/** A position in the user's code, counted as the user counts (first line is 1). */
export interface CodePosition {
  line: number;
  column: number;
}

const SANDBOX_HINT =
  'function code runs in a sandbox without Node.js: process, require, Buffer, timers, fetch, WebAssembly, the file system and the network are not available';

// Names a Node-RED user may reach for; a ReferenceError on one of them gets the sandbox hint.
const HOST_GLOBALS = new Set([
  'process',
  'require',
  'module',
  'exports',
  'global',
  '__dirname',
  '__filename',
  'Buffer',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
  'queueMicrotask',
  'fetch',
  'WebAssembly',
  'XMLHttpRequest',
  'WebSocket',
  'TextEncoder',
  'TextDecoder',
  'URL',
  'RED',
  'flow',
  'env',
]);

const TIMED_OUT = 'Script execution timed out.';
// What V8 rejects a dynamic import() with when the embedder provides no module loader.
const DYNAMIC_IMPORT_REFUSED = 'Not supported';

// Errors from isolated-vm are made in the main realm; `instanceof Error` fails for them in another
// realm (a Jest sandbox, a vm context), so ask V8 instead.
const isError = (value: unknown): value is Error => types.isNativeError(value);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const FRAME = new RegExp(`${escapeRegExp(USER_CODE_FILE)}:(\\d+):(\\d+)`);

/** The innermost position in the user's code named by an error's stack or message, if any. */
export function userCodePosition(text: string | undefined): CodePosition | undefined {
  const match = text === undefined ? null : FRAME.exec(text);
  return match ? { line: Number(match[1]), column: Number(match[2]) } : undefined;
}

const atLine = (position: CodePosition | undefined) => (position ? ` (line ${position.line})` : '');

/** Turns a compile failure of the user's code into the error `create` throws. */
export function syntaxError(err: unknown): NodeError {
  const raw = isError(err) ? err.message : String(err);
  const position = userCodePosition(raw);
  // isolated-vm appends ` [file:line:column]` to the V8 message; the line is said in words instead.
  const reason = raw.replace(/\s*\[[^\]]*\]\s*$/, '');
  const where = position ? ` at line ${position.line}` : '';
  return new NodeError(coreErrors.code.FUNCTION_SYNTAX, `Syntax error in the function code${where}: ${reason}`, {
    ...(position ? { line: position.line, column: position.column } : {}),
  });
}

/** Turns a failure of the body check (code that is not a function body on its own) into the error `create` throws. */
export function notAFunctionBody(err: unknown): NodeError {
  const reason = isError(err) ? err.message : String(err);
  return new NodeError(
    coreErrors.code.FUNCTION_SYNTAX,
    `Syntax error in the function code: ${reason}. The code is the body of a function: check that every brace closes where it should`,
  );
}

/** The limits a refused result or a memory overrun is reported against. */
export interface ResultLimits {
  maxMessageBytes: number;
}

/**
 * Classifies an error isolated-vm threw while running one message: a timeout or the memory limit
 * (user errors come back as data, see `userThrew`). `disposed` says whether isolated-vm disposed the
 * isolate during the call, which it does only when the memory limit is hit.
 */
export function runError(err: unknown, disposed: boolean, limits: RunLimits): NodeError {
  if (disposed) return memoryError(limits);
  if (!isError(err)) return new NodeError(coreErrors.code.FUNCTION_ERROR, `The function failed: ${printable(err)}`);
  const position = userCodePosition(err.stack);
  const details = position ? { line: position.line, column: position.column } : {};
  if (err.message === TIMED_OUT) {
    return new NodeError(
      coreErrors.code.FUNCTION_TIMEOUT,
      `The function ran longer than its ${limits.timeoutMs} ms limit and was stopped${position ? ` at line ${position.line}` : ''}. Look for a loop that never ends (in the code, a getter, a Proxy or a toJSON), or raise "timeoutMs"`,
      { ...details, timeoutMs: limits.timeoutMs },
    );
  }
  // V8 refuses import() past the isolate's own try/catch when the embedder loads no modules.
  if (err.message === DYNAMIC_IMPORT_REFUSED) return importRefused(position, details);
  return new NodeError(
    coreErrors.code.FUNCTION_ERROR,
    `The function failed: ${err.message}${atLine(position)}`,
    details,
  );
}

function importRefused(position: CodePosition | undefined, details: Partial<CodePosition>): NodeError {
  return new NodeError(
    coreErrors.code.FUNCTION_ERROR,
    `import() is not available${atLine(position)}: ${SANDBOX_HINT}, and it cannot load modules`,
    details,
  );
}

function memoryError(limits: RunLimits, held = ''): NodeError {
  return new NodeError(
    coreErrors.code.FUNCTION_MEMORY,
    `The function used more than ${limits.memoryLimitMb} MB of memory${held} and was stopped. Its context was cleared and the next message starts afresh. Look for data that keeps growing, or raise "memoryLimitMb"`,
    { memoryLimitMb: limits.memoryLimitMb },
  );
}

/** The heap held more than the limit after a call (one large string can pass it at once). */
export function heldTooMuchMemory(usedBytes: number, limits: RunLimits): NodeError {
  return memoryError(limits, ` (it held ${Math.round(usedBytes / (1024 * 1024))} MB)`);
}

/** The copier inside the isolate refused the returned value; `reason` says why, in words. */
export function refusedResult(reason: string, limits: ResultLimits): NodeError {
  return new NodeError(
    coreErrors.code.FUNCTION_RESULT,
    `The function returned a value that cannot be sent: ${reason}`,
    {
      maxMessageBytes: limits.maxMessageBytes,
    },
  );
}

/**
 * What user code threw, as the isolate described it in plain strings: `[name, message, stack]` for
 * an Error, `[null, text]` for any other value.
 */
export function userThrew(thrown: readonly [string | null, string, string?]): NodeError {
  const [name, message, stack] = thrown;
  if (name === null) return new NodeError(coreErrors.code.FUNCTION_ERROR, `The function threw ${message}`);
  const position = userCodePosition(stack);
  const details = position ? { line: position.line, column: position.column } : {};
  if (message === DYNAMIC_IMPORT_REFUSED) return importRefused(position, details);
  return new NodeError(
    coreErrors.code.FUNCTION_ERROR,
    `${name}: ${message}${atLine(position)}${hintFor(name, message)}`,
    details,
  );
}

function hintFor(name: string, message: string): string {
  const undefinedName = /^(\S+) is not defined$/.exec(message);
  if (name === 'ReferenceError' && undefinedName && HOST_GLOBALS.has(undefinedName[1])) return ` (${SANDBOX_HINT})`;
  const notCallable = /^(?:globalThis\.|self\.|window\.)?(\S+) is not a function$/.exec(message);
  if (name === 'TypeError' && notCallable && HOST_GLOBALS.has(notCallable[1])) return ` (${SANDBOX_HINT})`;
  return '';
}

function printable(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
