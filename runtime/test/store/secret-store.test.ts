import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretStore } from '../../src/store';

const freshDataDir = () => mkdtempSync(join(tmpdir(), 'tagflow-secret-store-test-'));
const modeOf = (path: string) => statSync(path).mode & 0o777;
const readSecrets = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as Record<
    string,
    { iv: string; tag: string; data: string }
  >;

describe('SecretStore', () => {
  it('sees secrets another process set or deleted in the same data dir (tagflow secret beside a running runtime)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tagflow-secret-reload-'));
    const runtime = await SecretStore.open(dir);
    const cli = await SecretStore.open(dir);
    await cli.set('PLANT_PASSWORD', 'hunter2');
    expect(runtime.get('PLANT_PASSWORD')).toBe('hunter2');
    expect(runtime.names()).toEqual(['PLANT_PASSWORD']);
    await cli.delete('PLANT_PASSWORD');
    expect(runtime.get('PLANT_PASSWORD')).toBeUndefined();
  });

  it('sets, gets, lists names sorted, and deletes', async () => {
    const store = await SecretStore.open(freshDataDir());
    await store.set('mqtt_password', 'hunter2');
    await store.set('API.token-1', 'é ünïcode ✓');
    await store.set('empty', '');
    expect(store.get('mqtt_password')).toBe('hunter2');
    expect(store.get('API.token-1')).toBe('é ünïcode ✓');
    expect(store.get('empty')).toBe('');
    expect(store.get('missing')).toBeUndefined();
    expect(store.names()).toEqual(['API.token-1', 'empty', 'mqtt_password']);

    await store.set('mqtt_password', 'changed');
    expect(store.get('mqtt_password')).toBe('changed');
    expect(await store.delete('mqtt_password')).toBe(true);
    expect(await store.delete('mqtt_password')).toBe(false);
    expect(store.get('mqtt_password')).toBeUndefined();
    expect(store.names()).toEqual(['API.token-1', 'empty']);
  });

  it('keeps secrets across reopen', async () => {
    const dir = freshDataDir();
    const a = await SecretStore.open(dir);
    await a.set('db_password', 's3cret');
    await a.set('gone', 'x');
    await a.delete('gone');
    const b = await SecretStore.open(dir);
    expect(b.names()).toEqual(['db_password']);
    expect(b.get('db_password')).toBe('s3cret');
  });

  it('never writes a value in clear, and keeps key and secrets in mode 0600 files', async () => {
    const dir = freshDataDir();
    const store = await SecretStore.open(dir);
    const value = 'correct horse battery staple';
    await store.set('passphrase', value);
    const text = readFileSync(join(dir, 'secrets.json'), 'utf8');
    expect(text).not.toContain(value);
    expect(text).not.toContain(Buffer.from(value).toString('base64'));
    expect(readFileSync(join(dir, 'secret.key'))).toHaveLength(32);
    expect(modeOf(join(dir, 'secret.key'))).toBe(0o600);
    expect(modeOf(join(dir, 'secrets.json'))).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('encrypts the same value differently each time (a fresh IV per write)', async () => {
    const dir = freshDataDir();
    const store = await SecretStore.open(dir);
    await store.set('a', 'same');
    await store.set('b', 'same');
    const { a, b } = readSecrets(dir);
    expect(a.iv).not.toBe(b.iv);
    expect(a.data).not.toBe(b.data);
  });

  it('detects a tampered value', async () => {
    const dir = freshDataDir();
    await (await SecretStore.open(dir)).set('token', 'abcdef');
    const secrets = readSecrets(dir);
    const data = Buffer.from(secrets.token.data, 'base64');
    data[0] ^= 1;
    secrets.token.data = data.toString('base64');
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify(secrets));
    const store = await SecretStore.open(dir);
    expect(() => store.get('token')).toThrow(
      `cannot decrypt secret token: the key in ${join(dir, 'secret.key')} does not match`,
    );
  });

  it('detects a value moved to another name (the name is authenticated)', async () => {
    const dir = freshDataDir();
    const a = await SecretStore.open(dir);
    await a.set('low', 'harmless');
    await a.set('high', 'precious');
    const secrets = readSecrets(dir);
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ low: secrets.high, high: secrets.low }));
    const b = await SecretStore.open(dir);
    expect(() => b.get('low')).toThrow('cannot decrypt secret low');
    expect(() => b.get('high')).toThrow('cannot decrypt secret high');
  });

  it('detects a wrong key', async () => {
    const dir = freshDataDir();
    await (await SecretStore.open(dir)).set('x', 'value');
    writeFileSync(join(dir, 'secret.key'), randomBytes(32));
    const store = await SecretStore.open(dir);
    expect(() => store.get('x')).toThrow(
      `cannot decrypt secret x: the key in ${join(dir, 'secret.key')} does not match`,
    );
  });

  it('refuses to make a new key when secrets encrypted with the old one exist', async () => {
    const dir = freshDataDir();
    await (await SecretStore.open(dir)).set('x', 'value');
    rmSync(join(dir, 'secret.key'));
    await expect(SecretStore.open(dir)).rejects.toThrow(
      `${join(dir, 'secret.key')} is missing but ${join(dir, 'secrets.json')} holds secrets`,
    );
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);
  });

  it('refuses a key of the wrong size and a damaged secrets.json', async () => {
    const dir = freshDataDir();
    writeFileSync(join(dir, 'secret.key'), 'too short');
    await expect(SecretStore.open(dir)).rejects.toThrow(
      `${join(dir, 'secret.key')} is damaged: a key is 32 bytes, this file has 9`,
    );
    rmSync(join(dir, 'secret.key'));
    writeFileSync(join(dir, 'secrets.json'), '[');
    await expect(SecretStore.open(dir)).rejects.toThrow(`${join(dir, 'secrets.json')} is damaged`);
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ x: { iv: 'a', tag: 'b' } }));
    await expect(SecretStore.open(dir)).rejects.toThrow('secret x: data is not a string');
  });

  it('refuses invalid names, and keeps the key made by the first open', async () => {
    const dir = freshDataDir();
    const store = await SecretStore.open(dir);
    for (const name of ['', '1abc', 'has space', 'a/b', '../x']) {
      await expect(store.set(name, 'v')).rejects.toThrow(`invalid secret name ${JSON.stringify(name)}`);
    }
    const key = readFileSync(join(dir, 'secret.key'));
    await SecretStore.open(dir);
    expect(readFileSync(join(dir, 'secret.key'))).toEqual(key);
  });

  it('treats __proto__ as an ordinary name', async () => {
    const dir = freshDataDir();
    await (await SecretStore.open(dir)).set('__proto__', 'odd but valid');
    const store = await SecretStore.open(dir);
    expect(store.names()).toEqual(['__proto__']);
    expect(store.get('__proto__')).toBe('odd but valid');
    expect(store.get('constructor')).toBeUndefined();
  });
});

describe('SecretStore allow lists', () => {
  it('stores an allow list beside the sealed value, in clear and normalised, and lists it without values', async () => {
    const dir = freshDataDir();
    const store = await SecretStore.open(dir);
    await store.set('PLANT_MQTT_PASSWORD', 'pw', ['Broker.Plant:1883', '10.0.0.9']);
    await store.set('OPEN', 'x');
    expect(store.list()).toEqual([
      { name: 'OPEN', allow: null },
      { name: 'PLANT_MQTT_PASSWORD', allow: ['broker.plant:1883', '10.0.0.9'] },
    ]);
    expect(store.allowList('PLANT_MQTT_PASSWORD')).toEqual([
      { host: 'broker.plant', port: 1883 },
      { host: '10.0.0.9' },
    ]);
    expect(store.allowList('OPEN')).toBeUndefined();
    expect(store.allowList('MISSING')).toBeUndefined();
    expect(readSecrets(dir).PLANT_MQTT_PASSWORD).toMatchObject({ allow: ['broker.plant:1883', '10.0.0.9'] });
    expect(JSON.stringify(store.list())).not.toContain('pw"');

    // Set again without a list: unbound again (a set replaces value and binding).
    await store.set('PLANT_MQTT_PASSWORD', 'pw2');
    expect((await SecretStore.open(dir)).list()[1]).toEqual({ name: 'PLANT_MQTT_PASSWORD', allow: null });
  });

  it('refuses a bad or empty allow list and keeps what was stored', async () => {
    const store = await SecretStore.open(freshDataDir());
    await store.set('S', 'v', ['a:1']);
    await expect(store.set('S', 'w', ['a:1', 'b:70000'])).rejects.toThrow(
      '"b:70000" is not a host[:port] a secret may go to: the port must be a number from 1 to 65535 (got "70000")',
    );
    await expect(store.set('S', 'w', [])).rejects.toThrow('the allow list of secret S is empty');
    expect(store.get('S')).toBe('v');
    expect(store.list()).toEqual([{ name: 'S', allow: ['a:1'] }]);
  });

  it('opens a secrets file written before allow lists, its secrets unbound', async () => {
    const dir = freshDataDir();
    await (await SecretStore.open(dir)).set('OLD', 'kept');
    const secrets = readSecrets(dir);
    expect(Object.keys(secrets.OLD).sort()).toEqual(['data', 'iv', 'tag']);
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ OLD: secrets.OLD }));
    const store = await SecretStore.open(dir);
    expect(store.get('OLD')).toBe('kept');
    expect(store.list()).toEqual([{ name: 'OLD', allow: null }]);
  });

  it('refuses a secrets file whose allow list is damaged', async () => {
    const dir = freshDataDir();
    await (await SecretStore.open(dir)).set('X', 'v', ['a:1']);
    const secrets = readSecrets(dir) as Record<string, Record<string, unknown>>;
    for (const allow of ['a:1', [], ['*.plant'], [1]]) {
      writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ X: { ...secrets.X, allow } }));
      await expect(SecretStore.open(dir)).rejects.toThrow('secret X: allow is not a list of host[:port]');
    }
  });
});
