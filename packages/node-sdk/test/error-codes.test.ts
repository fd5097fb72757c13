import { defineErrorCodes, NodeError } from '../src';

describe('defineErrorCodes', () => {
  const catalogue = defineErrorCodes({
    NOT_A_NUMBER: 'The payload is not a finite number.',
    DEVICE_TIMEOUT: 'The device did not answer in time.',
  });

  it('names each code by itself, for use in a NodeError', () => {
    expect(catalogue.code.NOT_A_NUMBER).toBe('NOT_A_NUMBER');
    expect(new NodeError(catalogue.code.DEVICE_TIMEOUT, 'no answer').code).toBe('DEVICE_TIMEOUT');
  });

  it('keeps the meanings and picks a subset for a definition', () => {
    expect(catalogue.meanings.DEVICE_TIMEOUT).toBe('The device did not answer in time.');
    expect(catalogue.pick('NOT_A_NUMBER')).toEqual({ NOT_A_NUMBER: 'The payload is not a finite number.' });
  });

  it("is frozen, so a package cannot change another one's catalogue", () => {
    expect(Object.isFrozen(catalogue.code)).toBe(true);
    expect(Object.isFrozen(catalogue.meanings)).toBe(true);
  });

  it('refuses a code that is not UPPER_SNAKE_CASE', () => {
    expect(() => defineErrorCodes({ notACode: 'x' })).toThrow('must be UPPER_SNAKE_CASE');
  });
});
