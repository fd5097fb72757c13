import { escapeMeasurement, escapeTag, lineFor, linesFor, quoteFieldString } from '../src/line-protocol';
import { quoteIdentifier, quoteString } from '../src/influx-query';

describe('line protocol escaping', () => {
  test('measurement: commas and spaces', () => {
    expect(escapeMeasurement('plant 1,history')).toBe('plant\\ 1\\,history');
    expect(escapeMeasurement('a=b"c')).toBe('a=b"c'); // equals signs and quotes need no escape here
  });

  test('tag keys and values: commas, equals signs and spaces', () => {
    expect(escapeTag('pump 3,flow=avg')).toBe('pump\\ 3\\,flow\\=avg');
    expect(escapeTag('pump3/flow/avg')).toBe('pump3/flow/avg');
    expect(escapeTag(`it's "x"`)).toBe(`it's\\ "x"`);
  });

  test('string field values: double quotes and backslashes, inside quotes', () => {
    expect(quoteFieldString('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    expect(quoteFieldString('a,b=c d')).toBe('"a,b=c d"');
    expect(quoteFieldString('')).toBe('""');
  });

  test('names line protocol cannot carry are refused in plain words', () => {
    expect(() => escapeTag('a\nb')).toThrow('the tag name "a\\nb" contains a line break');
    expect(() => escapeTag('ends\\')).toThrow('backslash');
    expect(() => escapeTag('a\\ b')).toThrow('backslash');
    expect(escapeTag('a\\b')).toBe('a\\b'); // a backslash before an ordinary character is kept as is
    expect(() => escapeMeasurement('m\r')).toThrow('the measurement name');
  });

  test('InfluxQL literals: single-quoted strings and double-quoted identifiers', () => {
    expect(quoteString(`it's a \\ tag`)).toBe(`'it\\'s a \\\\ tag'`);
    expect(quoteIdentifier('my "m" \\')).toBe('"my \\"m\\" \\\\"');
  });
});

describe('a history row as a line', () => {
  test('a number: float value and integer quality', () => {
    expect(lineFor('history', { tag: 'pump 3', ts: 1700000000123, value: 42, text: null, quality: 'good' })).toBe(
      'history,tag=pump\\ 3 value=42,quality=0i 1700000000123',
    );
    expect(lineFor('m', { tag: 't', ts: 5, value: -1.5e-7, text: null, quality: 'uncertain' })).toBe(
      'm,tag=t value=-1.5e-7,quality=1i 5',
    );
  });

  test('text: a quoted string field instead of value', () => {
    expect(lineFor('m', { tag: 't', ts: 1, value: null, text: '{"a":"b\\c"}', quality: 'bad' })).toBe(
      'm,tag=t text="{\\"a\\":\\"b\\\\c\\"}",quality=2i 1',
    );
  });

  test('no value, NaN and Infinity: quality only', () => {
    expect(lineFor('m', { tag: 't', ts: 1, value: null, text: null, quality: 'bad' })).toBe('m,tag=t quality=2i 1');
    expect(lineFor('m', { tag: 't', ts: 1, value: Number.NaN, text: null, quality: 'good' })).toBe(
      'm,tag=t quality=0i 1',
    );
    expect(lineFor('m', { tag: 't', ts: 1, value: Number.POSITIVE_INFINITY, text: null, quality: 'good' })).toBe(
      'm,tag=t quality=0i 1',
    );
  });

  test('timestamps InfluxDB cannot hold and empty tags are refused', () => {
    expect(() => lineFor('m', { tag: 't', ts: 1.5, value: 1, text: null, quality: 'good' })).toThrow(
      'timestamp InfluxDB cannot store: 1.5',
    );
    expect(() => lineFor('m', { tag: 't', ts: 1e16, value: 1, text: null, quality: 'good' })).toThrow('timestamp');
    expect(() => lineFor('m', { tag: '', ts: 1, value: 1, text: null, quality: 'good' })).toThrow('empty tag name');
  });

  test('a batch: one line per row, measurement escaped', () => {
    const body = linesFor('my history', [
      { tag: 'a', ts: 1, value: 1, text: null, quality: 'good' },
      { tag: 'b', ts: 2, value: null, text: 'on', quality: 'good' },
    ]);
    expect(body.split('\n')).toEqual([
      'my\\ history,tag=a value=1,quality=0i 1',
      'my\\ history,tag=b text="on",quality=0i 2',
    ]);
  });
});
