import { bindingLabel, parseAllowInput, secretsFromApi } from '../src/state';

describe('secret bindings in the editor', () => {
  it('reads the "may be sent to" field as an allow list, or none when empty (unbound)', () => {
    expect(parseAllowInput('broker.plant:1883, 10.0.0.9')).toEqual(['broker.plant:1883', '10.0.0.9']);
    expect(parseAllowInput(' a:1\nb ,, c ')).toEqual(['a:1', 'b', 'c']);
    expect(parseAllowInput('')).toBeUndefined();
    expect(parseAllowInput(' , ')).toBeUndefined();
  });

  it('badges an unbound secret "any host", a bound one with its hosts', () => {
    expect(bindingLabel(null)).toBe('any host');
    expect(bindingLabel(['broker.plant:1883', '10.0.0.9'])).toBe('broker.plant:1883, 10.0.0.9');
  });

  it('reads the secrets list, and an older runtime listing names only as all unbound', () => {
    expect(
      secretsFromApi({
        names: ['A', 'B'],
        secrets: [
          { name: 'A', allow: ['a:1'] },
          { name: 'B', allow: null },
        ],
      }),
    ).toEqual([
      { name: 'A', allow: ['a:1'] },
      { name: 'B', allow: null },
    ]);
    expect(secretsFromApi({ names: ['OLD'] })).toEqual([{ name: 'OLD', allow: null }]);
    expect(secretsFromApi(null)).toEqual([]);
  });
});
