import { runInThisContext } from 'node:vm';

// Jest's environment hands tests its own Float64Array & co. but the outer realm's ArrayBuffer, and
// node-opcua's encoder checks `typedArray.buffer instanceof ArrayBuffer`: one realm for all of them.
for (const name of [
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
])
  (globalThis as Record<string, unknown>)[name] = runInThisContext(name);

// node-opcua warns at load time about RSA PKCS#1 v1.5 on this Node.js; errors only.
process.env.NODEOPCUA_LOG_LEVEL ??= '3';
