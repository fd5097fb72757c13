import fc from 'fast-check';

/** Numbers that break naive arithmetic: non-finite, signed zero, extremes, unsafe integers. */
export const oddNumber: fc.Arbitrary<number> = fc.constantFrom(
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_SAFE_INTEGER - 2,
  1e300,
  -1e300,
  2 ** 53,
  0.1 + 0.2,
);

/** Any double, odd ones more often than a uniform draw would give. */
export const anyNumber: fc.Arbitrary<number> = fc.oneof(
  { weight: 2, arbitrary: oddNumber },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
);

/** Finite numbers only, extremes included. */
export const finiteNumber: fc.Arbitrary<number> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 1e300, -1e300),
  fc.integer({ min: -1000, max: 1000 }),
);

/** Texts that look like something else, or are awkward to carry: numeric, unicode, long, prototype keys. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '12.5',
    ' 4 ',
    '12,5',
    '-0',
    'NaN',
    'Infinity',
    '1e400',
    '0x1F',
    'true',
    'null',
    'undefined',
    '[object Object]',
    '__proto__',
    'constructor',
    'prototype',
    'hasOwnProperty',
    'toString',
    '\u0000',
    '\uD800',
    '💧🔥',
    'Ω≈ç√∫',
    'a\nb\r\nc',
    '"quoted"',
    '${x}',
  ),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
);

/** Prototype-related keys that must be own data, never a prototype change, wherever they appear. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'] as const;

/** Sets an own, enumerable property, even `__proto__` (an assignment would change the prototype). */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `{ "a": { "a": ... leaf } }` `depth` levels deep, built without recursion. */
export function nestedObject(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** `[[[... leaf ]]]` `depth` levels deep, built without recursion. */
export function nestedArray(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** Nesting deep enough to overflow a recursive walk (thousands of levels), or just deep. */
export const deepValue: fc.Arbitrary<unknown> = fc
  .record({ depth: fc.constantFrom(50, 500, 5_000, 20_000), array: fc.boolean() })
  .map(({ depth, array }) => (array ? nestedArray(depth) : nestedObject(depth)));

/** Large collections: many items or many keys. */
export const hugeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: 10_000, max: 200_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
  fc
    .integer({ min: 1_000, max: 50_000 })
    .map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
);

/** Plain JSON data (what a flow file or an MQTT JSON payload can hold), odd numbers included. */
export const jsonLike: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    anyNumber,
    oddString,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...PROTOTYPE_KEYS)), tie('value'), {
      maxKeys: 5,
      noNullPrototype: true,
    }),
  ),
})).value;

/** An object whose fields are accessors (getters), as a custom node may send: the engine passes it as is. */
function withGetters(fields: Record<string, unknown>): object {
  const out = {};
  for (const [key, value] of Object.entries(fields))
    Object.defineProperty(out, key, { get: () => value, enumerable: true, configurable: true });
  return out;
}

/** Any payload a node can be handed: JSON data, odd numbers and texts, binary, dates, big integers, huge or deep data. */
export const payloadValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: anyNumber },
  { weight: 2, arbitrary: oddString },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, true, false) },
  { weight: 2, arbitrary: jsonLike },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.float64Array({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.bigInt() },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: false }) },
  {
    weight: 1,
    arbitrary: fc
      .dictionary(fc.string({ maxLength: 6 }), anyNumber, { maxKeys: 4, noNullPrototype: true })
      .map(withGetters),
  },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: hugeValue },
);
