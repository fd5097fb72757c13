/**
 * Just enough semver to check a node package's peer range for `@tagflow/node-sdk` against the SDK
 * this runtime ships, without a dependency: exact versions, `^`, `~`, comparators (`>=`, `>`, `<`,
 * `<=`, `=`), x-ranges (`1.x`, `1.2.*`, `*`), hyphen ranges, space-separated AND and `||`, and
 * pnpm's `workspace:` protocol (`workspace:*`, `workspace:^`, `workspace:~` are always compatible:
 * the package is built against the SDK in the same workspace).
 */

/** A parsed `major.minor.patch[-prerelease]` version. */
interface Version {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
}

type Operator = '<' | '<=' | '>' | '>=' | '=';

interface Comparator {
  op: Operator;
  version: Version;
}

/** A range is a union (`||`) of intersections of comparators; an empty intersection matches anything. */
type Range = Comparator[][];

/** The outcome of checking a peer range against the running SDK version. */
export type SdkCompatibility = { ok: true } | { ok: false; reason: 'incompatible' | 'unreadable' };

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;
// A version with missing or wildcard parts, as ranges allow: `1`, `1.2`, `1.x`, `*`.
const PARTIAL = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parses a full version (`1.2.3`, `1.2.3-beta.1`); undefined if it is not one. */
export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ? m[4].split('.') : [] };
}

/** Orders two versions like semver does: -1, 0 or 1. */
export function compareVersions(a: Version, b: Version): number {
  for (const key of ['major', 'minor', 'patch'] as const) {
    if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1;
  }
  // A release sorts after its prereleases: 1.0.0-rc.1 < 1.0.0.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return a.prerelease.length === b.prerelease.length ? 0 : a.prerelease.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xNum = /^\d+$/.test(x);
    const yNum = /^\d+$/.test(y);
    if (xNum && yNum) return Number(x) < Number(y) ? -1 : 1;
    if (xNum !== yNum) return xNum ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * True when `version` satisfies `range`. Throws an Error on a range this parser cannot read, so a
 * typo in a package's peer range is reported rather than silently accepted.
 */
export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  if (!v) throw new Error(`"${version}" is not a version`);
  return parseRange(range).some((set) => set.every((c) => test(v, c)) && prereleaseAllowed(v, set));
}

/**
 * Checks a package's peer range for `@tagflow/node-sdk` against the running SDK version. A
 * `workspace:` range without a version (`*`, `^`, `~`) is always compatible.
 */
export function checkSdkRange(range: string, sdkVersion: string): SdkCompatibility {
  let text = range.trim();
  if (text.startsWith('workspace:')) {
    text = text.slice('workspace:'.length).trim();
    if (text === '*' || text === '^' || text === '~' || text === '') return { ok: true };
  }
  try {
    return satisfies(sdkVersion, text) ? { ok: true } : { ok: false, reason: 'incompatible' };
  } catch {
    // satisfies throws only for a range it cannot read; the caller names the range in its message.
    return { ok: false, reason: 'unreadable' };
  }
}

function parseRange(text: string): Range {
  return text.split('||').map((part) => parseComparatorSet(part.trim()));
}

function parseComparatorSet(text: string): Comparator[] {
  if (text === '') return [];
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
  if (hyphen) return [...lowerBound('>=', partial(hyphen[1])), ...upperBound('<=', partial(hyphen[2]))];
  // Allow a space between an operator and its version (`>= 1.2.0`), as npm does.
  const tokens = text.replace(/(<=|>=|<|>|=|\^|~)\s+/g, '$1').split(/\s+/);
  return tokens.flatMap(parseComparator);
}

function parseComparator(token: string): Comparator[] {
  const m = /^(<=|>=|<|>|=|\^|~>?)?(.+)$/.exec(token);
  if (!m) throw new Error(`cannot read "${token}"`);
  const op = m[1] ?? '';
  const p = partial(m[2]);
  switch (op) {
    case '^':
      return caret(p);
    case '~':
    case '~>':
      return tilde(p);
    case '>=':
    case '>':
      return lowerBound(op, p);
    case '<=':
    case '<':
      return upperBound(op, p);
    default:
      return exactOrXRange(p);
  }
}

/** A version whose missing or wildcard parts are undefined. */
interface PartialVersion {
  major?: number;
  minor?: number;
  patch?: number;
  prerelease: string[];
}

function partial(text: string): PartialVersion {
  const m = PARTIAL.exec(text);
  if (!m) throw new Error(`cannot read "${text}"`);
  const num = (s: string | undefined) => (s === undefined || /^[xX*]$/.test(s) ? undefined : Number(s));
  const major = num(m[1]);
  const minor = major === undefined ? undefined : num(m[2]);
  const patch = minor === undefined ? undefined : num(m[3]);
  return { major, minor, patch, prerelease: patch !== undefined && m[4] ? m[4].split('.') : [] };
}

function at(major: number, minor = 0, patch = 0, prerelease: string[] = []): Version {
  return { major, minor, patch, prerelease };
}

function exactOrXRange(p: PartialVersion): Comparator[] {
  if (p.major === undefined) return [];
  if (p.minor === undefined)
    return [
      { op: '>=', version: at(p.major) },
      { op: '<', version: at(p.major + 1) },
    ];
  if (p.patch === undefined) {
    return [
      { op: '>=', version: at(p.major, p.minor) },
      { op: '<', version: at(p.major, p.minor + 1) },
    ];
  }
  return [{ op: '=', version: at(p.major, p.minor, p.patch, p.prerelease) }];
}

// ^1.2.3 := >=1.2.3 <2.0.0; ^0.2.3 := <0.3.0; ^0.0.3 := <0.0.4 (the left-most non-zero part is fixed).
function caret(p: PartialVersion): Comparator[] {
  if (p.major === undefined) return [];
  const from = { op: '>=' as const, version: at(p.major, p.minor ?? 0, p.patch ?? 0, p.prerelease) };
  if (p.major > 0 || p.minor === undefined) return [from, { op: '<', version: at(p.major + 1) }];
  if (p.minor > 0 || p.patch === undefined) return [from, { op: '<', version: at(0, p.minor + 1) }];
  return [from, { op: '<', version: at(0, 0, p.patch + 1) }];
}

// ~1.2.3 := >=1.2.3 <1.3.0; ~1 := <2.0.0.
function tilde(p: PartialVersion): Comparator[] {
  if (p.major === undefined) return [];
  const from = { op: '>=' as const, version: at(p.major, p.minor ?? 0, p.patch ?? 0, p.prerelease) };
  if (p.minor === undefined) return [from, { op: '<', version: at(p.major + 1) }];
  return [from, { op: '<', version: at(p.major, p.minor + 1) }];
}

function lowerBound(op: '>=' | '>', p: PartialVersion): Comparator[] {
  if (p.major === undefined) return op === '>=' ? [] : [{ op: '<', version: at(0) }];
  if (p.minor === undefined) return [{ op: '>=', version: at(op === '>' ? p.major + 1 : p.major) }];
  if (p.patch === undefined) return [{ op: '>=', version: at(p.major, op === '>' ? p.minor + 1 : p.minor) }];
  return [{ op, version: at(p.major, p.minor, p.patch, p.prerelease) }];
}

function upperBound(op: '<=' | '<', p: PartialVersion): Comparator[] {
  if (p.major === undefined) return op === '<=' ? [] : [{ op: '<', version: at(0) }];
  if (p.minor === undefined) return [{ op: '<', version: at(op === '<=' ? p.major + 1 : p.major) }];
  if (p.patch === undefined) return [{ op: '<', version: at(p.major, op === '<=' ? p.minor + 1 : p.minor) }];
  return [{ op, version: at(p.major, p.minor, p.patch, p.prerelease) }];
}

function test(v: Version, c: Comparator): boolean {
  const cmp = compareVersions(v, c.version);
  switch (c.op) {
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
    case '=':
      return cmp === 0;
  }
}

// As in npm: a prerelease satisfies a range only if a comparator names a prerelease of the same
// major.minor.patch, so `^1.0.0` never picks up `2.0.0-beta`.
function prereleaseAllowed(v: Version, set: Comparator[]): boolean {
  if (v.prerelease.length === 0) return true;
  return set.some(
    (c) =>
      c.version.prerelease.length > 0 &&
      c.version.major === v.major &&
      c.version.minor === v.minor &&
      c.version.patch === v.patch,
  );
}
