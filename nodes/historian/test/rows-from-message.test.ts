import { rowsFromMessage } from '../src/rows-from-message';

const msg = (payload: unknown) => ({ payload, timestamp: 1000, quality: 'good' as const });

describe('rowsFromMessage', () => {
  it('turns numbers, booleans, text and null into one row under the tag', () => {
    expect(rowsFromMessage(msg(4.5), 'p', 'fields')).toEqual([
      { tag: 'p', ts: 1000, quality: 'good', value: 4.5, text: null },
    ]);
    expect(rowsFromMessage(msg(true), 'p', 'fields')[0]).toMatchObject({ value: 1, text: null });
    expect(rowsFromMessage(msg('open'), 'p', 'fields')[0]).toMatchObject({ value: null, text: 'open' });
    expect(rowsFromMessage({ ...msg(null), quality: 'bad' }, 'p', 'fields')[0]).toMatchObject({
      value: null,
      text: null,
      quality: 'bad',
    });
    expect(rowsFromMessage(msg(NaN), 'p', 'fields')[0]).toMatchObject({ value: null, text: 'NaN' });
  });

  it('splits an object into a tag per field, or keeps it whole as JSON', () => {
    expect(rowsFromMessage(msg({ flow: 12, running: false, mode: 'auto' }), 'pump3', 'fields')).toEqual([
      { tag: 'pump3/flow', ts: 1000, quality: 'good', value: 12, text: null },
      { tag: 'pump3/running', ts: 1000, quality: 'good', value: 0, text: null },
      { tag: 'pump3/mode', ts: 1000, quality: 'good', value: null, text: 'auto' },
    ]);
    expect(rowsFromMessage(msg({ alarm: 'high', state: 'raised' }), 'pump3/alarm', 'json')).toEqual([
      { tag: 'pump3/alarm', ts: 1000, quality: 'good', value: null, text: '{"alarm":"high","state":"raised"}' },
    ]);
  });

  it('gives each field the quality of its own key, the whole object the worst (issue 16)', () => {
    const poll = {
      payload: { level: 51.2, running: null, mode: 'auto' },
      timestamp: 1000,
      quality: 'bad' as const,
      qualities: { level: 'good' as const, running: 'bad' as const },
    };
    expect(rowsFromMessage(poll, 'tank1', 'fields')).toEqual([
      { tag: 'tank1/level', ts: 1000, quality: 'good', value: 51.2, text: null },
      { tag: 'tank1/running', ts: 1000, quality: 'bad', value: null, text: null },
      // A key `qualities` does not list has the message's quality.
      { tag: 'tank1/mode', ts: 1000, quality: 'bad', value: null, text: 'auto' },
    ]);
    expect(rowsFromMessage(poll, 'tank1', 'json')).toEqual([
      { tag: 'tank1', ts: 1000, quality: 'bad', value: null, text: '{"level":51.2,"running":null,"mode":"auto"}' },
    ]);
  });
});
