/// <reference types="node" />
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzip, tarArchive } from '../src/state';

describe('tarArchive + gzip', () => {
  it('makes a .tgz that tar reads back, files under package/', async () => {
    const text = `${'x'.repeat(700)}\nünïcode\n`;
    const bytes = await gzip(tarArchive({ 'package.json': '{"name":"a"}\n', 'README.md': text }));
    const dir = mkdtempSync(path.join(tmpdir(), 'tagflow-tgz-'));
    const file = path.join(dir, 'a.tgz');
    writeFileSync(file, bytes);
    expect(execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n')).toEqual([
      'package/package.json',
      'package/README.md',
    ]);
    execFileSync('tar', ['-xzf', file, '-C', dir]);
    expect(execFileSync('cat', [path.join(dir, 'package', 'README.md')], { encoding: 'utf8' })).toBe(text);
  });
});
