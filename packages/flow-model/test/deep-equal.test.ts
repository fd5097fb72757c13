import { runInNewContext } from 'node:vm';
import { deepEqual, isPlainObject, isRecord } from '../src';

// The rules are JSON's, since flows are JSON: what JSON.stringify could not tell apart is equal.
describe('deepEqual', () => {
  it.each<[string, unknown, unknown]>([
    ['the same number', 1, 1],
    ['the same string', 'a', 'a'],
    ['0 and -0', 0, -0],
    ['NaN and NaN (a config holding NaN is not a change)', Number.NaN, Number.NaN],
    ['null and null', null, null],
    ['objects in another key order', { a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }],
    ['a property set to undefined and an absent one', { a: 1, b: undefined }, { a: 1 }],
    ['an absent property and one set to undefined', { a: 1 }, { a: 1, b: undefined }],
    ['undefined properties deep inside', { w: { count: 3, ms: undefined } }, { w: { count: 3 } }],
    ['empty objects', {}, {}],
    ['equal arrays of objects', [{ a: 1 }, { b: [2] }], [{ a: 1 }, { b: [2] }]],
    ['a hole and undefined in an array', [, 1], [undefined, 1]], // eslint-disable-line no-sparse-arrays -- a hole is the case under test
    ['an object without a prototype and a literal', Object.assign(Object.create(null), { a: 1 }), { a: 1 }],
    ['an object from another realm and one from this', runInNewContext('({ a: [1, { b: 2 }] })'), { a: [1, { b: 2 }] }],
  ])('holds for %s', (_, a, b) => {
    expect(deepEqual(a, b)).toBe(true);
    expect(deepEqual(b, a)).toBe(true);
  });

  const date = new Date(0);
  it.each<[string, unknown, unknown]>([
    ['different numbers', 1, 2],
    ['a number and its text', 1, '1'],
    ['NaN and a number', Number.NaN, 0],
    ['null and undefined', null, undefined],
    ['null and an empty object', null, {}],
    ['a property set to null and an absent one', { a: null }, {}],
    ['a property set to undefined and one set to null', { a: undefined }, { a: null }],
    ['objects with different keys', { a: 1 }, { b: 1 }],
    ['an object with one more key', { a: 1 }, { a: 1, b: 2 }],
    ['nested values that differ', { w: { count: 3 } }, { w: { count: 4 } }],
    ['an array and an object with the same keys', [1, 2], { 0: 1, 1: 2 }],
    ['an empty array and an empty object', [], {}],
    ['arrays in another order', [1, 2], [2, 1]],
    ['arrays of different lengths', [1], [1, 1]],
    ['an array holding undefined and an empty one', [undefined], []],
    ['two dates of the same instant (not JSON: compared by identity)', new Date(0), new Date(0)],
    ['a date and an empty object', date, {}],
    ['two maps with the same entries', new Map([['a', 1]]), new Map([['a', 1]])],
    ['an inherited property and an own one', Object.create({ a: 1 }), { a: 1 }],
  ])('fails for %s', (_, a, b) => {
    expect(deepEqual(a, b)).toBe(false);
    expect(deepEqual(b, a)).toBe(false);
  });

  it('holds for the very same non-JSON object', () => {
    expect(deepEqual(date, date)).toBe(true);
    expect(deepEqual({ at: date }, { at: date })).toBe(true);
  });
});

describe('isRecord and isPlainObject', () => {
  class Point {
    x = 1;
  }
  it.each<[string, unknown, boolean, boolean]>([
    ['an object literal', { a: 1 }, true, true],
    ['an object without a prototype', Object.create(null), true, true],
    ['an object from another realm', runInNewContext('({ a: 1 })'), true, true],
    ['a class instance', new Point(), true, false],
    ['a date', new Date(0), true, false],
    ['an array', [], false, false],
    ['null', null, false, false],
    ['a string', 'a', false, false],
    ['a function', () => 1, false, false],
  ])('classifies %s', (_, value, record, plain) => {
    expect(isRecord(value)).toBe(record);
    expect(isPlainObject(value)).toBe(plain);
  });
});
