import { defineErrorCodes, flowErrors, validateFlow } from '../src';
import type { ErrorCodeOf, FlowIssueCode } from '../src';

describe('defineErrorCodes', () => {
  const catalogue = defineErrorCodes({
    NOT_A_NUMBER: 'The payload is not a finite number.',
    DEVICE_TIMEOUT: 'The device did not answer in time.',
  });

  it('names each code by itself', () => {
    expect(catalogue.code.NOT_A_NUMBER).toBe('NOT_A_NUMBER');
    expect(catalogue.code.DEVICE_TIMEOUT).toBe('DEVICE_TIMEOUT');
    // A misspelt code does not compile.
    // @ts-expect-error NOT_A_NUMBR is not in the catalogue
    expect(catalogue.code.NOT_A_NUMBR).toBeUndefined();
  });

  it('keeps the meanings and picks a subset for a definition', () => {
    expect(catalogue.meanings.DEVICE_TIMEOUT).toBe('The device did not answer in time.');
    expect(catalogue.pick('NOT_A_NUMBER')).toEqual({ NOT_A_NUMBER: 'The payload is not a finite number.' });
  });

  it('takes codes of another catalogue with their meanings', () => {
    const wider = defineErrorCodes({ ...catalogue.pick('DEVICE_TIMEOUT'), DEVICE_BUSY: 'The device is busy.' });
    expect(wider.code.DEVICE_TIMEOUT).toBe('DEVICE_TIMEOUT');
    expect(wider.meanings).toEqual({
      DEVICE_TIMEOUT: 'The device did not answer in time.',
      DEVICE_BUSY: 'The device is busy.',
    });
  });

  it("is frozen, so a package cannot change another one's catalogue", () => {
    expect(Object.isFrozen(catalogue.code)).toBe(true);
    expect(Object.isFrozen(catalogue.meanings)).toBe(true);
    expect(Object.isFrozen(catalogue.pick('NOT_A_NUMBER'))).toBe(true);
  });

  it('refuses a code that is not UPPER_SNAKE_CASE', () => {
    expect(() => defineErrorCodes({ notACode: 'x' })).toThrow('error code "notACode" must be UPPER_SNAKE_CASE');
  });

  it('refuses a code without a one-line meaning', () => {
    expect(() => defineErrorCodes({ EMPTY: '' })).toThrow('error code "EMPTY" needs its meaning, on one line');
    expect(() => defineErrorCodes({ TWO_LINES: 'One.\nTwo.' })).toThrow('"TWO_LINES" needs its meaning');
  });

  it('marks the codes a check refuses a configuration with, and refuses one it does not have', () => {
    const codes = defineErrorCodes({ BAD_LIMITS: 'The limits overlap.', TOO_HOT: 'Too hot.' });
    expect(codes.refusals).toEqual([]);
    const marked = codes.withRefusals('BAD_LIMITS');
    expect(marked.refusals).toEqual(['BAD_LIMITS']);
    expect(marked.meanings).toEqual(codes.meanings);
    expect(marked.code.TOO_HOT).toBe('TOO_HOT');
    expect(codes.refusals).toEqual([]);
    expect(() => codes.withRefusals('NOPE' as never)).toThrow('refusal "NOPE" is not one of the codes');
  });

  it('derives the union of its codes', () => {
    const code: ErrorCodeOf<typeof catalogue> = 'DEVICE_TIMEOUT';
    // @ts-expect-error not a code of the catalogue
    const wrong: ErrorCodeOf<typeof catalogue> = 'DEVICE_GONE';
    expect([code, wrong]).toHaveLength(2);
  });
});

describe('flowErrors', () => {
  it('holds the code of every issue validation reports', () => {
    const result = validateFlow(
      {
        schemaVersion: 1,
        id: 'f',
        nodes: [
          { id: 'a', type: 'nope', typeVersion: 1 },
          { id: 'a', type: 'nope', typeVersion: 1 },
        ],
        edges: [{ source: 'a', target: 'b' }],
        extra: true,
      },
      { nodes: {} },
    );
    expect(result.ok).toBe(false);
    const codes = result.ok ? [] : result.errors.map((e) => e.code);
    expect(codes.sort()).toEqual([
      'DANGLING_EDGE',
      'DUPLICATE_NODE_ID',
      'UNKNOWN_FIELD',
      'UNKNOWN_NODE_TYPE',
      'UNKNOWN_NODE_TYPE',
    ]);
    for (const code of codes) expect(flowErrors.meanings[code as FlowIssueCode]).toEqual(expect.any(String));
  });
});
