import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildWhenStale, newestMtime } from '../src';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'test-support-'));
  mkdirSync(path.join(dir, 'src', 'deep'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Sets a file's modification time to `seconds` after the epoch. */
function touch(file: string, seconds: number): void {
  if (!existsSync(file)) writeFileSync(file, '');
  utimesSync(file, seconds, seconds);
}

function spec(builds: string[]) {
  return {
    output: path.join(dir, 'out.js'),
    sources: [path.join(dir, 'src'), path.join(dir, 'config.json')],
    lock: path.join(dir, 'cache', 'lock'),
    build: () => {
      builds.push('built');
      touch(path.join(dir, 'out.js'), 5_000);
    },
  };
}

describe('buildWhenStale', () => {
  it('builds when the output is missing or older than any source, also a nested one, and not otherwise', () => {
    const builds: string[] = [];
    touch(path.join(dir, 'src', 'a.ts'), 1_000);
    expect(buildWhenStale(spec(builds))).toBe(true);
    expect(buildWhenStale(spec(builds))).toBe(false);
    touch(path.join(dir, 'src', 'deep', 'b.ts'), 6_000);
    expect(buildWhenStale(spec(builds))).toBe(true);
    expect(builds).toHaveLength(2);
    expect(existsSync(path.join(dir, 'cache', 'lock'))).toBe(false);
  });

  it('takes over a lock left by a killed run, and releases the lock when the build fails', () => {
    mkdirSync(path.join(dir, 'cache', 'lock'), { recursive: true });
    utimesSync(path.join(dir, 'cache', 'lock'), 1, 1);
    const builds: string[] = [];
    expect(buildWhenStale({ ...spec(builds), staleLockMs: 1_000 })).toBe(true);

    touch(path.join(dir, 'config.json'), 9_000);
    const failing = {
      ...spec(builds),
      build: () => {
        throw new Error('tsc failed');
      },
    };
    expect(() => buildWhenStale(failing)).toThrow('tsc failed');
    expect(existsSync(path.join(dir, 'cache', 'lock'))).toBe(false);
  });
});

describe('newestMtime', () => {
  it('is the newest file time below the paths, 0 when none exists', () => {
    touch(path.join(dir, 'src', 'a.ts'), 1_000);
    touch(path.join(dir, 'src', 'deep', 'b.ts'), 3_000);
    expect(newestMtime([path.join(dir, 'src')])).toBe(3_000_000);
    expect(newestMtime([path.join(dir, 'missing')])).toBe(0);
  });
});
