import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenStore } from '../../src/store';

const freshDataDir = () => mkdtempSync(join(tmpdir(), 'tagflow-token-store-test-'));
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('TokenStore', () => {
  it('creates tokens that verify to their info, and rejects a wrong value', async () => {
    const store = await TokenStore.open(freshDataDir());
    expect(store.isEmpty()).toBe(true);
    const { info, token } = await store.create('admin', 'first admin');
    expect(token).toMatch(/^tf_[A-Za-z0-9_-]{43}$/);
    expect(info).toMatchObject({ name: 'first admin', role: 'admin' });
    expect(Date.parse(info.createdAt)).not.toBeNaN();
    expect(store.isEmpty()).toBe(false);

    expect(store.verify(token)).toEqual(info);
    expect(store.verify(`${token}x`)).toBeUndefined();
    expect(store.verify(token.slice(0, -1))).toBeUndefined();
    expect(store.verify('')).toBeUndefined();
  });

  it('sees tokens another process created or revoked in the same data dir (tagflow token beside a running server)', async () => {
    const dir = freshDataDir();
    const server = await TokenStore.open(dir);
    const { token: first } = await server.create('admin', 'first admin');
    const cli = await TokenStore.open(dir); // what `tagflow token create` opens, in its own process
    const { info, token } = await cli.create('viewer', 'dashboard');
    expect(server.verify(token)).toEqual(info);
    await cli.revoke(info.id);
    expect(server.verify(token)).toBeUndefined();
    // The server's own later change keeps the other process's: nothing is overwritten.
    const { token: third } = await server.create('deployer', 'ci');
    expect(server.verify(first)).toBeDefined();
    expect((await TokenStore.open(dir)).list().map((t) => t.name)).toEqual(['first admin', 'ci']);
    expect(server.verify(third)).toBeDefined();
  });

  it('tells tokens apart and gives each its own role', async () => {
    const store = await TokenStore.open(freshDataDir());
    const viewer = await store.create('viewer', 'dashboard');
    const deployer = await store.create('deployer', 'ci');
    expect(viewer.token).not.toBe(deployer.token);
    expect(viewer.info.id).not.toBe(deployer.info.id);
    expect(store.verify(viewer.token)?.role).toBe('viewer');
    expect(store.verify(deployer.token)?.role).toBe('deployer');
    expect(store.list()).toEqual([viewer.info, deployer.info]);
  });

  it('revokes: the token no longer verifies nor is listed, and revoking again is false', async () => {
    const store = await TokenStore.open(freshDataDir());
    const a = await store.create('admin', 'a');
    const b = await store.create('viewer', 'b');
    expect(await store.revoke(a.info.id)).toBe(true);
    expect(store.verify(a.token)).toBeUndefined();
    expect(store.verify(b.token)).toEqual(b.info);
    expect(store.list()).toEqual([b.info]);
    expect(await store.revoke(a.info.id)).toBe(false);
    expect(await store.revoke('no-such-id')).toBe(false);
    await store.revoke(b.info.id);
    expect(store.isEmpty()).toBe(true);
  });

  it('keeps tokens and revocations across reopen', async () => {
    const dir = freshDataDir();
    const a = await TokenStore.open(dir);
    const kept = await a.create('deployer', 'kept');
    const gone = await a.create('admin', 'gone');
    await a.revoke(gone.info.id);

    const b = await TokenStore.open(dir);
    expect(b.verify(kept.token)).toEqual(kept.info);
    expect(b.verify(gone.token)).toBeUndefined();
    expect(b.list()).toEqual([kept.info]);
  });

  it('stores only hashes: the token value is nowhere in the file, which is mode 0600', async () => {
    const dir = freshDataDir();
    const store = await TokenStore.open(dir);
    const { token } = await store.create('admin', 'admin');
    const path = join(dir, 'tokens.json');
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(3));
    expect(text).toMatch(/"hash": "[0-9a-f]{64}"/);
    expect(modeOf(path)).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an unknown role or an unusable name', async () => {
    const store = await TokenStore.open(freshDataDir());
    await expect(store.create('root' as 'admin', 'x')).rejects.toThrow('unknown role "root"');
    await expect(store.create('admin', '')).rejects.toThrow('invalid token name ""');
    await expect(store.create('admin', 'two\nlines')).rejects.toThrow('invalid token name');
    expect(store.isEmpty()).toBe(true);
  });

  it('refuses a damaged tokens.json with an error naming it', async () => {
    const dir = freshDataDir();
    const path = join(dir, 'tokens.json');
    writeFileSync(path, '{"tokens": [');
    await expect(TokenStore.open(dir)).rejects.toThrow(`${path} is damaged (not valid JSON`);
    writeFileSync(
      path,
      JSON.stringify({ tokens: [{ id: 'a', name: 'a', role: 'admin', createdAt: 'now', hash: 'short' }] }),
    );
    await expect(TokenStore.open(dir)).rejects.toThrow(`${path} is damaged: tokens[0].hash is not a sha256 in hex`);
  });
});
