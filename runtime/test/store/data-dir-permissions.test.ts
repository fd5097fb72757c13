import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeFailures,
  describeTightening,
  makePrivateDir,
  tightenDataDir,
} from '../../src/store/data-dir-permissions';
import { AuditLog, FlowStore, SecretStore, TokenStore } from '../../src/store';

const freshDir = () => mkdtempSync(join(tmpdir(), 'tagflow-data-dir-perms-'));
const modeOf = (path: string) => statSync(path).mode & 0o7777;

/** Creates `path` with exactly `mode`, whatever the umask of the test process. */
function file(path: string, mode: number): string {
  writeFileSync(path, 'x');
  chmodSync(path, mode);
  return path;
}
function folder(path: string, mode: number): string {
  mkdirSync(path);
  chmodSync(path, mode);
  return path;
}

describe('data dir permissions', () => {
  it('takes group and other permissions from the data dir and everything in it, keeping the owner bits', async () => {
    const dir = freshDir();
    chmodSync(dir, 0o755);
    folder(join(dir, 'flows'), 0o775);
    file(join(dir, 'flows', 'versions.json'), 0o644);
    file(join(dir, 'flows', 'v1.json'), 0o666);
    folder(join(dir, 'historian'), 0o700);
    file(join(dir, 'historian', 'plant.sqlite'), 0o600); // already private: not counted
    folder(join(dir, 'nodes'), 0o751);
    file(join(dir, 'nodes', 'cli.js'), 0o755); // an executable stays one, for its owner

    const report = await tightenDataDir(dir);

    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(join(dir, 'flows'))).toBe(0o700);
    expect(modeOf(join(dir, 'flows', 'versions.json'))).toBe(0o600);
    expect(modeOf(join(dir, 'flows', 'v1.json'))).toBe(0o600);
    expect(modeOf(join(dir, 'historian', 'plant.sqlite'))).toBe(0o600);
    expect(modeOf(join(dir, 'nodes'))).toBe(0o700);
    expect(modeOf(join(dir, 'nodes', 'cli.js'))).toBe(0o700);
    expect(report).toMatchObject({ dir, files: 3, folders: 3, failed: [] });
    expect(report.example).toEqual({ path: 'flows/v1.json', kind: 'file', before: 0o666, after: 0o600 });
    expect(describeTightening(report)).toBe(
      `tightened permissions of 3 files and 3 folders in ${dir} (were readable and writable by other users, e.g. flows/v1.json 0666 -> 0600)`,
    );
    // A second start has nothing to say.
    const again = await tightenDataDir(dir);
    expect(again).toMatchObject({ files: 0, folders: 0, failed: [] });
    expect(describeTightening(again)).toBeUndefined();
  });

  it('names a file it changed, relative to the data dir, else a folder', async () => {
    const dir = freshDir();
    chmodSync(dir, 0o700);
    folder(join(dir, 'flows'), 0o700);
    file(join(dir, 'flows', 'versions.json'), 0o644);
    expect(describeTightening(await tightenDataDir(dir))).toBe(
      `tightened permissions of 1 file in ${dir} (were readable by other users, e.g. flows/versions.json 0644 -> 0600)`,
    );
    chmodSync(dir, 0o711);
    expect(describeTightening(await tightenDataDir(dir))).toBe(
      `tightened permissions of 1 folder in ${dir} (were usable by other users, e.g. . 0711 -> 0700)`,
    );
  });

  it('neither follows nor changes symbolic links, to files or to folders', async () => {
    const outside = freshDir();
    chmodSync(outside, 0o755);
    const target = file(join(outside, 'shared.json'), 0o644);
    folder(join(outside, 'sdk'), 0o755);
    const inner = file(join(outside, 'sdk', 'index.js'), 0o644);
    const dir = freshDir();
    chmodSync(dir, 0o700);
    symlinkSync(target, join(dir, 'link.json'));
    symlinkSync(join(outside, 'sdk'), join(dir, 'node-sdk'));

    const report = await tightenDataDir(dir);

    expect(report).toMatchObject({ files: 0, folders: 0, failed: [] });
    expect(modeOf(outside)).toBe(0o755);
    expect(modeOf(target)).toBe(0o644);
    expect(modeOf(join(outside, 'sdk'))).toBe(0o755);
    expect(modeOf(inner)).toBe(0o644);
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
  });

  it('does nothing for a data dir that does not exist yet', async () => {
    const dir = join(freshDir(), 'not-yet');
    expect(await tightenDataDir(dir)).toMatchObject({ files: 0, folders: 0, failed: [] });
  });

  it('creates the data dir and missing parents 0700, whatever the umask', async () => {
    const dir = join(freshDir(), 'var', 'lib', 'tagflow');
    const previous = process.umask(0o022);
    try {
      await makePrivateDir(dir);
    } finally {
      process.umask(previous);
    }
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(join(dir, '..'))).toBe(0o700);
  });

  // Only root can make a file that belongs to another user; the walk then runs as that other user.
  const asRoot = process.getuid?.() === 0 ? it : it.skip;
  asRoot('names a file owned by another user in a warning, and tightens the rest', async () => {
    const nobody = 65534;
    const dir = freshDir();
    chmodSync(dir, 0o755);
    const theirs = file(join(dir, 'root-owned.json'), 0o644); // owned by root
    const ours = file(join(dir, 'versions.json'), 0o644);
    chownSync(dir, nobody, nobody);
    chownSync(ours, nobody, nobody);

    // Present wherever getuid() returned 0 (POSIX).
    const seteuid = process.seteuid as (id: number) => void;
    seteuid(nobody);
    let report;
    try {
      report = await tightenDataDir(dir);
    } finally {
      seteuid(0);
    }

    expect(modeOf(ours)).toBe(0o600);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(theirs)).toBe(0o644);
    expect(report).toMatchObject({
      files: 1,
      folders: 1,
      failed: [{ path: theirs, reason: 'owned by another user (EPERM)' }],
    });
    expect(describeFailures(report)).toEqual([
      `cannot make ${theirs} private to this user: owned by another user (EPERM). Other users may read it: ` +
        'change its owner to the user that runs tagflow, or delete it if it does not belong in the data dir',
    ]);
  });
});

describe('a data dir made by a store', () => {
  // `tagflow token` and `tagflow secret` run before any `tagflow start` on a new box: the data dir
  // they make is private from the first, without waiting for a start to tighten it.
  it.each([
    ['the token store', (dir: string) => TokenStore.open(dir)],
    ['the secret store', (dir: string) => SecretStore.open(dir)],
    ['the audit log', (dir: string) => AuditLog.open(dir)],
    ['the flow store', (dir: string) => FlowStore.open(dir)],
  ])('is 0700 when %s makes it, whatever the umask', async (_name, open) => {
    const dataDir = join(freshDir(), 'data');
    const previous = process.umask(0o022);
    try {
      await open(dataDir);
    } finally {
      process.umask(previous);
    }
    expect(modeOf(dataDir)).toBe(0o700);
  });
});
