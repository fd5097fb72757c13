import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineResource, isNodeError } from '@tagflow/node-sdk';
import type { FilesRoot } from '@tagflow/node-sdk';
import { Engine } from '../src/engine/engine';
import { filesDirProblem } from '../src/engine/files-folder';
import { NodeRegistry } from '../src/registry/node-registry';
import { until } from './helpers';

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

describe("a resource's view of the files folder", () => {
  it('is the engine files folder, and refuses a link out of it in the name of the resource', async () => {
    const filesDir = join(root, 'plant-files');
    mkdirSync(join(filesDir, 'certs'), { recursive: true });
    writeFileSync(join(filesDir, 'certs', 'ca.pem'), 'the plant CA');
    writeFileSync(join(dataDir, 'secret.key'), 'the runtime key');
    symlinkSync(join(dataDir, 'secret.key'), join(filesDir, 'certs', 'client.key'));
    const seen: { files?: FilesRoot; ca?: string; key?: unknown } = {};
    const registry = new NodeRegistry();
    registry.registerResource(
      defineResource({
        type: 'tls-peer',
        version: 1,
        description: 'reads its TLS files from the files folder',
        configSchema: { type: 'object' },
        async create(ctx) {
          seen.files = ctx.files;
          const ca = await ctx.files.open('certs/ca.pem', 'r');
          seen.ca = await ca.readFile('utf8').finally(() => ca.close());
          seen.key = await ctx.files.open('certs/client.key', 'r').catch((err: unknown) => err);
          return {};
        },
      }),
    );
    const engine = new Engine({ registry, dataDir, filesDir });
    const deployed = await engine.deploy({
      schemaVersion: 1,
      id: 'tls',
      nodes: [],
      edges: [],
      resources: [{ id: 'plant', type: 'tls-peer', config: {} }],
    });
    try {
      expect(deployed.ok).toBe(true);
      await until(() => seen.key !== undefined);
      expect(seen.files?.dir).toBe(filesDir);
      expect(seen.ca).toBe('the plant CA');
      expect(isNodeError(seen.key) && seen.key.code).toBe('FILE_OUTSIDE_ROOT');
      expect((seen.key as Error).message).toBe(
        `resource "plant": "certs/client.key" leads outside the files folder ${filesDir} through a symbolic link (to ${join(dataDir, 'secret.key')}): flows read and write files only inside that folder`,
      );
      expect(() => seen.files?.resolve('../data/tokens.json')).toThrow(
        'resource "plant": "../data/tokens.json" climbs out of the files folder with ".."',
      );
    } finally {
      await engine.stop();
    }
  });
});
