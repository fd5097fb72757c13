import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createFileAtomic,
  fileStamp,
  readJsonFile,
  readJsonFileSync,
  UpdateQueue,
  writeFileAtomic,
} from './atomic-file';
import { formatDestination, parseAllowList, parseDestination } from './secret-destinations';
import type { AllowedDestination } from './secret-destinations';
import type { SecretInfo, SecretStoreApi } from './types';
import { PRIVATE_DIR_MODE } from './data-dir-permissions';

/** One encrypted value, each part base64, and where it may be sent (absent: anywhere). */
interface SealedSecret {
  iv: string;
  tag: string;
  data: string;
  /** `host[:port]` entries, normalised; in clear, as a binding is no secret. Files before it have none. */
  allow?: string[];
}

const KEY_BYTES = 32;
/** 96 bits, the IV length GCM is designed for. */
const IV_BYTES = 12;
/** Secret names: usable as identifiers in flow configs, no spaces or path characters. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Secrets in `<data dir>/secrets.json`, encrypted with AES-256-GCM under the key in
 * `<data dir>/secret.key` (both mode 0600). The secret's name is the additional authenticated
 * data, so an encrypted value moved to another name fails to decrypt. Values stay encrypted in
 * memory and are decrypted by each `get`. A secret's allow list is kept beside its sealed value.
 */
export class SecretStore implements SecretStoreApi {
  private readonly updates = new UpdateQueue();
  private stamp: string | undefined;

  private constructor(
    private readonly key: Buffer,
    private readonly keyPath: string,
    private readonly path: string,
    private secrets: Record<string, SealedSecret>,
  ) {
    this.stamp = fileStamp(path);
  }

  /** Opens the secrets of `dataDir`, making the key on first use; a damaged or missing key is an error naming the file. */
  static async open(dataDir: string): Promise<SecretStore> {
    await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE }).catch((err: Error) => {
      throw new Error(`cannot create the data folder ${dataDir}: ${err.message}`);
    });
    const keyPath = join(dataDir, 'secret.key');
    const path = join(dataDir, 'secrets.json');
    const content = await readJsonFile(path);
    const secrets = content === undefined ? {} : checkSecretsFile(content, path);
    const key = await loadKey(keyPath, Object.keys(secrets).length > 0 ? path : undefined);
    return new SecretStore(key, keyPath, path, secrets);
  }

  set(name: string, value: string, allow?: readonly string[]): Promise<void> {
    let destinations: AllowedDestination[] | undefined;
    try {
      const invalid =
        checkName(name) ?? (typeof value === 'string' ? undefined : `the value of secret ${name} is not a string`);
      if (invalid) throw new Error(invalid);
      if (allow !== undefined && allow.length === 0)
        throw new Error(
          `the allow list of secret ${name} is empty: give at least one host[:port], or none to leave it unbound`,
        );
      destinations = allow === undefined ? undefined : parseAllowList(allow);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.updates.run(async () => {
      this.refresh();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      cipher.setAAD(Buffer.from(name, 'utf8'));
      const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      const sealed: SealedSecret = {
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        data: data.toString('base64'),
        ...(destinations ? { allow: destinations.map(formatDestination) } : {}),
      };
      await this.replace({ ...this.secrets, [name]: sealed });
    });
  }

  delete(name: string): Promise<boolean> {
    return this.updates.run(async () => {
      this.refresh();
      if (!Object.hasOwn(this.secrets, name)) return false;
      const rest = { ...this.secrets };
      delete rest[name];
      await this.replace(rest);
      return true;
    });
  }

  names(): string[] {
    this.refresh();
    return Object.keys(this.secrets).sort();
  }

  list(): SecretInfo[] {
    return this.names().map((name) => ({ name, allow: this.secrets[name].allow ?? null }));
  }

  allowList(name: string): AllowedDestination[] | undefined {
    this.refresh();
    if (!Object.hasOwn(this.secrets, name)) return undefined;
    // Checked when the file was read: every entry parses.
    return this.secrets[name].allow?.map((entry) => parseDestination(entry) as AllowedDestination);
  }

  /** The value in clear, or undefined when there is no such secret; throws when it cannot be decrypted. */
  get(name: string): string | undefined {
    this.refresh();
    if (!Object.hasOwn(this.secrets, name)) return undefined;
    const sealed = this.secrets[name];
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(name, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new Error(
        `cannot decrypt secret ${name}: the key in ${this.keyPath} does not match, or ${this.path} was changed (${(err as Error).message})`,
      );
    }
  }

  private async replace(secrets: Record<string, SealedSecret>): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(secrets, null, 2)}\n`, 0o600);
    this.secrets = secrets;
    this.stamp = fileStamp(this.path);
  }

  // `tagflow secret set` may change the file while a runtime runs: the next lookup sees it.
  private refresh(): void {
    const stamp = fileStamp(this.path);
    if (stamp === this.stamp) return;
    const content = readJsonFileSync(this.path);
    this.secrets = content === undefined ? {} : checkSecretsFile(content, this.path);
    this.stamp = stamp;
  }
}

function checkName(name: string): string | undefined {
  if (typeof name === 'string' && SECRET_NAME.test(name)) return undefined;
  return `invalid secret name ${JSON.stringify(name)}: use letters, digits, _ . - and start with a letter or _`;
}

/**
 * The key in `keyPath`, made when missing. `secretsPath` is set when secrets already exist: a new
 * key could not decrypt them, so a missing key is then an error rather than a silent fresh start.
 */
async function loadKey(keyPath: string, secretsPath: string | undefined): Promise<Buffer> {
  let key: Buffer;
  try {
    key = await readFile(keyPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`cannot read ${keyPath}: ${(err as Error).message}`);
    if (secretsPath)
      throw new Error(
        `${keyPath} is missing but ${secretsPath} holds secrets encrypted with it: restore the key file from a backup`,
      );
    key = randomBytes(KEY_BYTES);
    // Another process may have made a key meanwhile: then use that one, never overwrite it.
    if (!(await createFileAtomic(keyPath, key, 0o600))) key = await readFile(keyPath);
  }
  if (key.length !== KEY_BYTES)
    throw new Error(`${keyPath} is damaged: a key is ${KEY_BYTES} bytes, this file has ${key.length}`);
  return key;
}

function checkSecretsFile(content: unknown, path: string): Record<string, SealedSecret> {
  const damaged = (what: string) => new Error(`${path} is damaged: ${what}; restore it from a backup`);
  if (typeof content !== 'object' || content === null || Array.isArray(content)) throw damaged('expected an object');
  for (const [name, sealed] of Object.entries(content as Record<string, Partial<SealedSecret> | null>)) {
    if (!SECRET_NAME.test(name)) throw damaged(`${JSON.stringify(name)} is not a valid secret name`);
    if (typeof sealed !== 'object' || sealed === null) throw damaged(`secret ${name} is not an object`);
    for (const field of ['iv', 'tag', 'data'] as const) {
      if (typeof sealed[field] !== 'string') throw damaged(`secret ${name}: ${field} is not a string`);
    }
    const allow: unknown = sealed.allow;
    if (allow === undefined) continue;
    const entries = Array.isArray(allow) ? (allow as unknown[]) : [];
    if (entries.length === 0 || entries.some((e) => typeof e !== 'string' || typeof parseDestination(e) === 'string'))
      throw damaged(`secret ${name}: allow is not a list of host[:port]`);
  }
  return content as Record<string, SealedSecret>;
}
