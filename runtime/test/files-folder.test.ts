import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine';
import { filesDirProblem } from '../src/engine/files-folder';
import { NodeRegistry } from '../src/registry/node-registry';

let root: string;
let dataDir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tagflow-files-folder-'));
  dataDir = join(root, 'data');
  mkdirSync(dataDir);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the files folder of a data dir', () => {
  it('may be <data dir>/files, a folder under it, or a folder outside the data dir', () => {
    expect(filesDirProblem(join(dataDir, 'files'), dataDir)).toBeUndefined();
    expect(filesDirProblem(join(dataDir, 'files', 'site-a'), dataDir)).toBeUndefined();
    expect(filesDirProblem(join(root, 'plant-files'), dataDir)).toBeUndefined();
  });

  it('may not be the data dir, hold it, or lie elsewhere inside it', () => {
    const keep = `the runtime's tokens, secrets and audit log must stay out of the flows' reach; use ${join(dataDir, 'files')} (the default) or a folder outside the data dir`;
    expect(filesDirProblem(dataDir, dataDir)).toBe(`the files folder ${dataDir} is the data dir itself: ${keep}`);
    expect(filesDirProblem(root, dataDir)).toBe(`the files folder ${root} holds the data dir ${dataDir}: ${keep}`);
    expect(filesDirProblem('/', dataDir)).toBe(`the files folder / holds the data dir ${dataDir}: ${keep}`);
    expect(filesDirProblem(join(dataDir, 'outbox'), dataDir)).toBe(
      `the files folder ${join(dataDir, 'outbox')} is inside the data dir ${dataDir}, not under its files folder: ${keep}`,
    );
  });

  it('sees through symbolic links to the data dir', () => {
    symlinkSync(dataDir, join(root, 'looks-elsewhere'));
    expect(filesDirProblem(join(root, 'looks-elsewhere'), dataDir)).toMatch('is the data dir itself');
    expect(filesDirProblem(join(root, 'looks-elsewhere', 'flows'), dataDir)).toMatch('is inside the data dir');
  });

  it('is checked by the engine, which refuses to be built with a bad one', () => {
    expect(() => new Engine({ registry: new NodeRegistry(), dataDir, filesDir: dataDir })).toThrow(
      `the files folder ${dataDir} is the data dir itself`,
    );
  });
});
