import { checkSdkRange, compareVersions, parseVersion, satisfies } from '../src/registry/sdk-compat';

// Cases as npm's semver documents them (README "Advanced Range Syntax").
const cases: Array<[version: string, range: string, expected: boolean]> = [
  ['0.1.0', '^0.1.0', true],
  ['0.1.9', '^0.1.0', true],
  ['0.2.0', '^0.1.0', false],
  ['0.0.9', '^0.1.0', false],
  ['1.9.9', '^1.2.3', true],
  ['2.0.0', '^1.2.3', false],
  ['1.2.2', '^1.2.3', false],
  ['0.0.3', '^0.0.3', true],
  ['0.0.4', '^0.0.3', false],
  ['0.9.0', '^0', true],
  ['1.0.0', '^0', false],
  ['0.0.9', '^0.0', true],
  ['0.1.0', '^0.0', false],
  ['1.2.9', '~1.2.3', true],
  ['1.3.0', '~1.2.3', false],
  ['1.9.0', '~1', true],
  ['2.0.0', '~1', false],
  ['0.1.5', '~0.1', true],
  ['0.2.0', '~0.1', false],
  ['1.2.3', '1.2.3', true],
  ['1.2.4', '1.2.3', false],
  ['1.2.3', '=1.2.3', true],
  ['1.2.3', 'v1.2.3', true],
  ['3.0.0', '*', true],
  ['3.0.0', '', true],
  ['1.5.0', '1.x', true],
  ['2.0.0', '1.x', false],
  ['1.2.7', '1.2.*', true],
  ['1.3.0', '1.2', false],
  ['0.1.0', '>=0.1.0', true],
  ['0.0.9', '>=0.1.0', false],
  ['0.1.0', '>0.1.0', false],
  ['0.1.1', '>0.1.0', true],
  ['1.3.0', '>1.2', true],
  ['1.2.9', '>1.2', false],
  ['1.2.9', '<=1.2', true],
  ['1.3.0', '<=1.2', false],
  ['0.9.9', '<1', true],
  ['1.0.0', '<1', false],
  ['0.5.0', '>=0.1.0 <1.0.0', true],
  ['1.0.0', '>=0.1.0 <1.0.0', false],
  ['0.5.0', '>= 0.1.0 < 1.0.0', true],
  ['2.5.0', '^1.0.0 || ^2.0.0', true],
  ['3.0.0', '^1.0.0 || ^2.0.0', false],
  ['1.5.0', '1.2.3 - 2.3.4', true],
  ['2.3.5', '1.2.3 - 2.3.4', false],
  ['2.3.9', '1.2.3 - 2.3', true],
  ['2.4.0', '1.2.3 - 2.3', false],
  // A prerelease only matches a range naming a prerelease of the same version.
  ['1.0.0-rc.2', '^1.0.0-rc.1', true],
  ['1.0.0-rc.1', '^1.0.0-rc.2', false],
  ['2.0.0-beta.1', '^1.0.0', false],
  ['1.2.4-beta', '>=1.2.3', false],
];

describe('satisfies', () => {
  it.each(cases)('%s satisfies "%s": %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });

  it('throws on a range it cannot read, rather than accepting it', () => {
    expect(() => satisfies('1.0.0', 'latest')).toThrow('cannot read "latest"');
    expect(() => satisfies('1.0.0', '^one.two')).toThrow();
  });
});

describe('compareVersions', () => {
  const v = (text: string) => parseVersion(text)!;

  it('orders by major, minor, patch, then prerelease as semver does', () => {
    const sorted = [
      '1.0.0',
      '1.0.0-rc.1',
      '1.0.0-alpha',
      '0.9.9',
      '1.0.0-alpha.1',
      '1.0.0-beta.11',
      '1.0.0-beta.2',
      '1.10.0',
      '1.2.0',
    ];
    expect([...sorted].sort((a, b) => compareVersions(v(a), v(b)))).toEqual([
      '0.9.9',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.2.0',
      '1.10.0',
    ]);
  });

  it('ignores build metadata', () => {
    expect(compareVersions(v('1.0.0+build.5'), v('1.0.0'))).toBe(0);
  });
});

describe('checkSdkRange', () => {
  it('accepts workspace ranges without a version whatever the SDK version', () => {
    for (const range of ['workspace:*', 'workspace:^', 'workspace:~']) {
      expect(checkSdkRange(range, '7.0.0')).toEqual({ ok: true });
    }
  });

  it('checks a workspace range that carries a version', () => {
    expect(checkSdkRange('workspace:^0.1.0', '0.1.3')).toEqual({ ok: true });
    expect(checkSdkRange('workspace:^0.1.0', '0.2.0')).toEqual({ ok: false, reason: 'incompatible' });
  });

  it('tells an incompatible range from an unreadable one', () => {
    expect(checkSdkRange('^2.0.0', '0.1.0')).toEqual({ ok: false, reason: 'incompatible' });
    expect(checkSdkRange('file:../sdk', '0.1.0')).toEqual({ ok: false, reason: 'unreadable' });
  });
});
