import { parseDuration } from '../src/duration';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    [' 3 s ', 3000],
  ])('reads %j as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['10', '', 's', '10x', '-5s', '1d', '10 seconds', '1e3ms'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
