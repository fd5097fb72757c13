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
 * How `run(msg)` inside the isolate reports a failure: it calls the host's failure callback with
 * `(kind, data)`, plain data only, and returns undefined. On success it returns the copied value
 * alone (an envelope around it measured 0.5 µs a message).
 */
export const FAILURE = {
  /** `data` is `[name, message, stack]` for an Error, `[null, text]` for any other value. */
  THREW: 1,
  /** `data` is why the returned value cannot leave the isolate (too big, a function...). */
  REFUSED: 2,
} as const;

/** Limits the code inside the isolate enforces; passed to BOOTSTRAP_SOURCE as `$4`, `$5`, `$6`. */
export interface IsolateLimits {
  /** Budget of a returned value, counting one byte per character and 8 per number. */
  maxMessageBytes: number;
  /** Nesting depth of a returned value past which it is refused. */
  maxDepth: number;
  /** Length past which Array.prototype.fill and Array.from refuse (V8 runs them without a time check). */
  maxArrayLength: number;
}

/**
 * Run once per isolate with `evalClosure`: `$0` is the host's log callback `(level, text)`, `$1`
 * the host's status callback, `$2` the node's id, `$3` its name, `$4`-`$6` the IsolateLimits, `$7`
 * the host's failure callback `(kind, data)` (see FAILURE), `$8` the host's context callback
 * `(op, scope, key, text)` (see CONTEXT_OPS). Builds `node`, `context`, `flow`, `global` and `console`, and returns `bind(userFn)`, which returns the per-message entry
 * point `run(msg)`. Everything is kept in this closure rather than on `globalThis`, so user code
 * cannot replace the plumbing; it captures the built-ins it uses before user code runs, for the
 * same reason.
 *
 * `run` copies whatever leaves the isolate (the return value, a thrown value, log arguments,
 * statuses) into fresh plain data here, inside the call and so under its time limit: user getters,
 * Proxy traps, `toJSON` and `Symbol.toPrimitive` run inside the isolate or not at all. The host
 * then receives only data this code built: primitives, arrays made by Array.from (own data
 * elements, no holes), null-prototype objects (no inherited setters), and fresh Date, Map, Set,
 * ArrayBuffer and typed-array copies, which the structured clone reads without calling anything.
 */
export const BOOTSTRAP_SOURCE = String.raw`
'use strict';
const hostLog = $0;
const hostStatus = $1;
const nodeId = $2;
const nodeName = $3;
const limits = { maxMessageBytes: $4, maxDepth: $5, maxArrayLength: $6 };
const hostFailed = $7;
const hostContext = $8;

// WebAssembly memory is allocated outside the heap limit (3 GB measured in a 32 MB isolate), and
// nothing a function node does needs it.
delete globalThis.WebAssembly;

const apply = Reflect.apply;
const defineProperty = Object.defineProperty;
const freeze = Object.freeze;
const objectKeys = Object.keys;
const getPrototypeOf = Object.getPrototypeOf;
const ObjectPrototype = Object.prototype;
const isArray = Array.isArray;
const arrayFrom = Array.from;
const ArrayClass = Array;
const stringify = JSON.stringify;
const parseJson = JSON.parse;
const numberIsFinite = Number.isFinite;
const TypeErrorClass = TypeError;
const toText = String;
const ErrorClass = Error;
const RangeErrorClass = RangeError;
const DateClass = Date;
const dateGetTime = Date.prototype.getTime;
const MapClass = Map;
const mapForEach = Map.prototype.forEach;
const mapSet = Map.prototype.set;
const SetClass = Set;
const setForEach = Set.prototype.forEach;
const setAdd = Set.prototype.add;
const PromiseClass = Promise;
const RegExpClass = RegExp;
const ArrayBufferClass = ArrayBuffer;
const arrayBufferSlice = ArrayBuffer.prototype.slice;
const isView = ArrayBuffer.isView;
const DataViewClass = DataView;
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const getter = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
// These getters check the receiver's internal slots and never call user code.
const typedArrayKind = getter(TypedArrayPrototype, Symbol.toStringTag);
const typedArrayByteLength = getter(TypedArrayPrototype, 'byteLength');
const dataViewBuffer = getter(DataView.prototype, 'buffer');
const dataViewByteOffset = getter(DataView.prototype, 'byteOffset');
const dataViewByteLength = getter(DataView.prototype, 'byteLength');
const regExpSource = getter(RegExp.prototype, 'source');
const regExpFlags = getter(RegExp.prototype, 'flags');
const TYPED_ARRAYS = {
  __proto__: null,
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
};
const MAX_LOG_CHARS = 10000;
const MAX_ERROR_TEXT = 2000;
const MAX_STACK_TEXT = 8000;
const MAX_STATUS_TEXT = 1000;
const THREW = 1;
const REFUSED = 2;

// Array.prototype.fill and Array.from over an array-like run in V8 without checking the time limit:
// on a length of 2**28 they ran for 47 s past a 300 ms limit, or ended the process. Refuse lengths
// that could not fit the memory limit anyway.
function guardLength(name, original, lengthOf) {
  const guarded = {
    [name](...args) {
      const length = lengthOf(this, args);
      if (length > limits.maxArrayLength) {
        throw new RangeErrorClass(name + ' on ' + length + ' items: more than fit in the memory limit of this function');
      }
      return apply(original, this, args);
    },
  }[name];
  defineProperty(guarded, 'length', { value: original.length });
  return guarded;
}
const lengthNumber = (value) => {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return 0;
  const length = value.length;
  return typeof length === 'number' ? length : 0;
};
defineProperty(ArrayClass.prototype, 'fill', {
  value: guardLength('fill', ArrayClass.prototype.fill, (self) => lengthNumber(self)),
  writable: true, configurable: true, enumerable: false,
});
defineProperty(ArrayClass, 'from', {
  value: guardLength('from', arrayFrom, (self, args) => lengthNumber(args[0])),
  writable: true, configurable: true, enumerable: false,
});

// Copies are plain objects built by assignment, which would call a setter found on
// Object.prototype and hand it the copy. Object.prototype therefore takes no new properties (a
// polluting assignment fails, as in a frozen realm); the names it has are listed for copyKeys.
const OBJECT_PROTOTYPE_KEYS = { __proto__: null };
for (const key of Reflect.ownKeys(ObjectPrototype)) if (typeof key === 'string') OBJECT_PROTOTYPE_KEYS[key] = true;
Object.preventExtensions(ObjectPrototype);

/** Thrown by the copier when a value cannot leave the isolate; never seen by user code. */
class Refusal {
  constructor(reason) { this.reason = reason; }
}

function clip(text, max) {
  return text.length > max ? text.slice(0, max) + '... (truncated)' : text;
}

/** A string for any value, for messages; runs user code (toString) here, under the time limit. */
function printable(value, max) {
  let text;
  try {
    if (typeof value === 'string') text = value;
    else {
      text = stringify(value);
      if (typeof text !== 'string') text = toText(value);
    }
  } catch (err) {
    try { text = toText(value); } catch (err2) { text = '[a value that cannot be printed]'; }
  }
  return clip(typeof text === 'string' ? text : '[a value that cannot be printed]', max);
}

function kindOf(value) {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  return 'a ' + typeof value;
}

// The copier's budget for the value being copied; reset by copyOut.
let bytesLeft = 0;

function spend(bytes) {
  bytesLeft -= bytes;
  // Written so that a NaN (a Proxy's odd length) refuses too.
  if (!(bytesLeft >= 0)) {
    throw new Refusal('it is larger than the limit of ' + limits.maxMessageBytes + ' bytes ("maxMessageBytes"; strings count one byte per character, numbers 8)');
  }
}

/** Copies a value into plain data, spending from the byte budget; throws a Refusal past it. */
function copyOut(value) {
  bytesLeft = limits.maxMessageBytes;
  return copy(value, 0);
}

function copy(value, depth) {
  const type = typeof value;
  if (type === 'string') {
    spend(value.length + 2);
    return value;
  }
  if (type === 'number' || type === 'boolean' || type === 'undefined' || type === 'bigint' || value === null) {
    spend(8);
    return value;
  }
  if (type !== 'object') {
    throw new Refusal('it holds ' + kindOf(value) + ', which is not plain data: messages hold data only, no functions, promises or symbols');
  }
  if (depth >= limits.maxDepth) {
    throw new Refusal('it is nested deeper than ' + limits.maxDepth + ' levels, or refers to itself');
  }
  spend(16);
  if (isArray(value)) return copyArray(value, depth + 1);
  const proto = getPrototypeOf(value);
  if (proto === ObjectPrototype || proto === null) return copyKeys(value, depth + 1);
  return copyOther(value, depth + 1);
}

function copyArray(value, depth) {
  const length = value.length;
  // Only a Proxy can give an odd length; it must not add to the budget.
  spend(length >= 0 ? length * 8 : Infinity);
  // From a null-prototype array-like, so that no user iterator is looked up, Array.from defines
  // every element as its own: assigning them below then never reaches a setter on Array.prototype.
  const out = apply(arrayFrom, ArrayClass, [{ __proto__: null, length }]);
  for (let i = 0; i < length; i++) out[i] = copy(value[i], depth);
  return out;
}

// Plain objects, class instances and Proxies alike: their own enumerable string keys, as the
// structured clone would take them, read here so that getters and traps run under the limit.
function copyKeys(value, depth) {
  const keys = objectKeys(value);
  const out = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const item = value[key];
    const type = typeof item;
    let copied;
    // Primitives inline, their cost checked once after the loop: this is the path of nearly
    // every field, and a call per field measured about 0.5 µs on a small message.
    if (type === 'number' || type === 'boolean' || type === 'undefined') {
      bytesLeft -= key.length + 8;
      copied = item;
    } else if (type === 'string') {
      bytesLeft -= key.length + item.length + 2;
      copied = item;
    } else {
      bytesLeft -= key.length;
      copied = copy(item, depth);
    }
    // Object.prototype takes no new properties (see below), so only its own few names can hold a
    // user's setter or the __proto__ accessor: those are defined rather than assigned.
    if (OBJECT_PROTOTYPE_KEYS[key] === true) defineProperty(out, key, { __proto__: null, value: copied, writable: true, enumerable: true, configurable: true });
    else out[key] = copied;
  }
  spend(0);
  return out;
}

function copyOther(value, depth) {
  const kind = apply(typedArrayKind, value, []);
  if (kind !== undefined) {
    spend(apply(typedArrayByteLength, value, []));
    return new TYPED_ARRAYS[kind](value);
  }
  if (isView(value)) {
    const offset = apply(dataViewByteOffset, value, []);
    const length = apply(dataViewByteLength, value, []);
    spend(length);
    return new DataViewClass(apply(arrayBufferSlice, apply(dataViewBuffer, value, []), [offset, offset + length]));
  }
  if (value instanceof PromiseClass) {
    throw new Refusal('it holds a Promise, which is not plain data; function code runs synchronously: await, import() and timers are not available');
  }
  if (value instanceof DateClass) return new DateClass(apply(dateGetTime, value, []));
  if (value instanceof ArrayBufferClass) {
    const bytes = apply(arrayBufferSlice, value, []);
    spend(bytes.byteLength);
    return bytes;
  }
  if (value instanceof MapClass) {
    const out = new MapClass();
    apply(mapForEach, value, [(v, k) => { apply(mapSet, out, [copy(k, depth), copy(v, depth)]); }]);
    return out;
  }
  if (value instanceof SetClass) {
    const out = new SetClass();
    apply(setForEach, value, [(v) => { apply(setAdd, out, [copy(v, depth)]); }]);
    return out;
  }
  if (value instanceof RegExpClass) {
    return new RegExpClass(apply(regExpSource, value, []), apply(regExpFlags, value, []));
  }
  if (value instanceof ErrorClass) {
    return { name: printable(value.name, MAX_ERROR_TEXT), message: printable(value.message, MAX_ERROR_TEXT) };
  }
  return copyKeys(value, depth);
}

/** A thrown value as plain strings: [name, message, stack] for an Error, [null, text] otherwise. */
function thrown(err) {
  if (err instanceof ErrorClass) {
    let name, message, stack;
    try { name = printable(err.name, MAX_ERROR_TEXT); } catch (e) { name = 'Error'; }
    try { message = printable(err.message, MAX_ERROR_TEXT); } catch (e) { message = '[a message that cannot be read]'; }
    try { stack = typeof err.stack === 'string' ? clip(err.stack, MAX_STACK_TEXT) : ''; } catch (e) { stack = ''; }
    return [name, message, stack];
  }
  return [null, typeof err === 'string' ? clip(stringify(err), 200) : printable(err, 200)];
}

function describe(value) {
  if (typeof value === 'string') return clip(value, MAX_LOG_CHARS);
  if (value instanceof ErrorClass) {
    const [name, message, stack] = thrown(value);
    return stack || name + ': ' + message;
  }
  return printable(value, MAX_LOG_CHARS);
}

function format(args) {
  let text = '';
  for (let i = 0; i < args.length; i++) {
    text += (i === 0 ? '' : ' ') + describe(args[i]);
    if (text.length > MAX_LOG_CHARS) return text.slice(0, MAX_LOG_CHARS) + '... (truncated)';
  }
  return text;
}

/** What node.status(...) was given, as primitives: the host checks it. */
function plainStatus(status) {
  if (typeof status === 'string') return clip(status, MAX_STATUS_TEXT);
  if (status === null || typeof status !== 'object' || isArray(status)) return typeof status === 'number' ? status : null;
  const field = (value) => {
    if (value === undefined || value === null) return value;
    if (typeof value === 'object' || typeof value === 'function') return { __proto__: null };
    return typeof value === 'string' ? clip(value, MAX_STATUS_TEXT) : printable(value, MAX_STATUS_TEXT);
  };
  return { __proto__: null, state: field(status.state), fill: field(status.fill), text: field(status.text) };
}

const node = freeze({
  id: nodeId,
  name: nodeName,
  log: (...args) => { hostLog('info', format(args)); },
  warn: (...args) => { hostLog('warn', format(args)); },
  error: (...args) => { hostLog('error', format(args)); },
  status: (status) => { hostStatus(plainStatus(status)); },
});

globalThis.console = freeze({
  log: node.log,
  info: node.log,
  debug: (...args) => { hostLog('debug', format(args)); },
  warn: node.warn,
  error: node.error,
});

// Node-RED's context API, backed by the runtime's node, flow and global scopes (kept in its data
// dir). Values cross as JSON text made here, under the time limit, after a check that they are
// plain JSON data: no getter, Proxy trap or toJSON of the user's ever runs on the host, and the
// text is capped at maxMessageBytes. The host answers a get with JSON text, parsed here.
function notJsonData(value, path, depth) {
  const at = path === '' ? 'the value' : '"' + path + '"';
  const type = typeof value;
  if (type === 'string' || type === 'boolean' || value === null) return undefined;
  if (type === 'number') return numberIsFinite(value) ? undefined : at + ' is ' + toText(value) + ', which JSON cannot hold';
  if (type !== 'object') return at + ' is ' + (type === 'undefined' ? 'undefined' : kindOf(value)) + ', which JSON cannot hold';
  if (depth >= limits.maxDepth) return at + ' is nested deeper than ' + limits.maxDepth + ' levels, or refers to itself';
  const proto = getPrototypeOf(value);
  if (!isArray(value) && proto !== ObjectPrototype && proto !== null) return at + ' is not a plain object or array (a Date, Map, class instance or byte array): store plain JSON data';
  if (value.toJSON !== undefined) return at + ' has a toJSON field: store plain JSON data';
  const keys = objectKeys(value);
  for (let i = 0; i < keys.length; i++) {
    const problem = notJsonData(value[keys[i]], path === '' ? keys[i] : path + '.' + keys[i], depth + 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function contextText(scope, key, value) {
  const problem = notJsonData(value, '', 0);
  if (problem !== undefined) throw new TypeErrorClass(scope + '.set("' + key + '"): ' + problem + '; nothing was stored');
  const text = stringify(value);
  if (text.length > limits.maxMessageBytes) {
    throw new RangeErrorClass(scope + '.set("' + key + '"): the value is ' + text.length + ' bytes of JSON, more than the ' + limits.maxMessageBytes + ' one call may store ("maxMessageBytes"); nothing was stored');
  }
  return text;
}

function contextKey(scope, op, key) {
  if (typeof key !== 'string' || key === '') throw new TypeErrorClass(scope + '.' + op + ' expects a key that is a non-empty string; got ' + printable(key, 100));
  return key;
}

function makeScope(scope) {
  const getOne = (key) => {
    const text = hostContext('get', scope, contextKey(scope, 'get', key), undefined);
    return text === undefined ? undefined : parseJson(text);
  };
  const setOne = (key, value) => {
    contextKey(scope, 'set', key);
    const text = value === undefined ? undefined : contextText(scope, key, value);
    const refusal = hostContext('set', scope, key, text);
    if (refusal !== undefined) throw new ErrorClass(refusal);
  };
  return freeze({
    __proto__: null,
    // Node-RED also takes several keys at once: get([a, b]) and set([a, b], [1, 2]).
    get: (key) => (isArray(key) ? arrayFrom(key, getOne) : getOne(key)),
    set: (key, value) => {
      if (!isArray(key)) return setOne(key, value);
      for (let i = 0; i < key.length; i++) setOne(key[i], isArray(value) ? value[i] : undefined);
    },
    keys: () => parseJson(hostContext('keys', scope, undefined, undefined)),
  });
}

const nodeScope = makeScope('context');
// Globals rather than parameters, as in Node-RED: code that declares its own "flow" (a flow
// sensor's value) shadows it instead of failing to compile. Fixed, so code cannot swap them.
defineProperty(globalThis, 'flow', { value: makeScope('flow'), writable: false, configurable: false, enumerable: false });
defineProperty(globalThis, 'global', { value: makeScope('global'), writable: false, configurable: false, enumerable: false });

// Property style (context.count = 1) stays what it was: an object of the isolate, never saved,
// emptied at each deploy and by the memory limit. get/set/keys are the saved node scope.
const context = {};
defineProperty(context, 'get', { value: nodeScope.get });
defineProperty(context, 'set', { value: nodeScope.set });
defineProperty(context, 'keys', { value: nodeScope.keys });

// run must never throw: isolated-vm would then copy the thrown value out itself, on the host.
function threw(err) {
  let described;
  try {
    described = thrown(err);
  } catch (err2) {
    described = [null, '[a value that cannot be printed]'];
  }
  hostFailed(THREW, described);
  return undefined;
}

return function bind(userFn) {
  return function run(msg) {
    let result;
    try {
      result = userFn(msg, node, context);
    } catch (err) {
      return threw(err);
    }
    try {
      return copyOut(result);
    } catch (err) {
      if (err instanceof Refusal) {
        hostFailed(REFUSED, err.reason);
        return undefined;
      }
      // A getter, Proxy trap or toString of the returned value threw.
      return threw(err);
    }
  };
};
`;

/**
 * Checks, inside the isolate, that the code is a function body on its own: the Function constructor
 * parses the body separately, so code like `}); (function () {` that would close our wrapper early
 * is refused. `$0` is the code. Compiles only; runs nothing.
 */
export const BODY_CHECK_SOURCE = `new Function('msg', 'node', 'context', $0); return true;`;
