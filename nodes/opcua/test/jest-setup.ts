import { runInThisContext } from 'node:vm';

/**
 * Jest's node environment gives tests the outer realm's ArrayBuffer and Uint8Array (for Buffer) but
 * its own Float64Array & co., so `new Float64Array(n).buffer instanceof ArrayBuffer` is false inside
 * a test, and node-opcua's array encoder asserts exactly that. Using the outer realm's typed arrays
 * too makes the test realm consistent, as a plain Node.js process is.
 */
const TYPED_ARRAYS = [
  'Int8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'DataView',
];
for (const name of TYPED_ARRAYS) (globalThis as Record<string, unknown>)[name] = runInThisContext(name);

/**
 * node-opcua checks RSA PKCS#1 v1.5 support when it is loaded (generating a 4096-bit key, ~1 s) and
 * warns that Node 20.20 lacks it, which a short test file has finished before: Jest then fails the
 * run for logging after the tests. Errors only (3); the connectors' own errors say what went wrong.
 */
process.env.NODEOPCUA_LOG_LEVEL ??= '3';
