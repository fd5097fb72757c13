import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileStamp, readJsonFile, readJsonFileSync, UpdateQueue, writeFileAtomic } from './atomic-file';
import { PRIVATE_DIR_MODE } from './data-dir-permissions';
import type { Role, TokenInfo, TokenStoreApi } from './types';

/** A token as kept on disk: its value only as a hash. */
interface StoredToken extends TokenInfo {
  /** sha256 of the token value, hex. */
  hash: string;
  /** ISO 8601; a revoked token stays in the file, for the record. */
  revokedAt?: string;
}

const ROLES: readonly Role[] = ['viewer', 'deployer', 'admin'];
/** Prefix of every token value, so a leaked one is recognisable (secret scanners, logs). */
export const TOKEN_PREFIX = 'tf_';

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * The admin API's bearer tokens in `<data dir>/tokens.json` (mode 0600). A token's value is
 * returned once by `create` and stored only as its sha256: 32 random bytes need no slow hash.
 */
export class TokenStore implements TokenStoreApi {
  private readonly updates = new UpdateQueue();
  private stamp: string | undefined;

  private constructor(
    private readonly path: string,
    private tokens: StoredToken[],
  ) {
    this.stamp = fileStamp(path);
  }

  /** Opens `<dataDir>/tokens.json`, creating the data dir; a damaged file is an error naming it. */
  static async open(dataDir: string): Promise<TokenStore> {
    await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE }).catch((err: Error) => {
      throw new Error(`cannot create the data folder ${dataDir}: ${err.message}`);
    });
    const path = join(dataDir, 'tokens.json');
    const content = await readJsonFile(path);
    return new TokenStore(path, content === undefined ? [] : checkTokensFile(content, path));
  }

  create(role: Role, name: string): Promise<{ info: TokenInfo; token: string }> {
    if (!ROLES.includes(role))
      return Promise.reject(new Error(`unknown role "${String(role)}": expected ${ROLES.join(', ')}`));
    if (typeof name !== 'string' || !/^[^\p{Cc}]{1,100}$/u.test(name) || name.trim() !== name) {
      return Promise.reject(
        new Error(
          `invalid token name ${JSON.stringify(name)}: 1 to 100 characters, no control characters or surrounding spaces`,
        ),
      );
    }
    return this.updates.run(async () => {
      this.refresh();
      const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      const info: TokenInfo = { id: this.newId(), name, role, createdAt: new Date().toISOString() };
      const tokens = [...this.tokens, { ...info, hash: hashToken(token).toString('hex') }];
      await this.write(tokens);
      this.tokens = tokens;
      return { info: { ...info }, token };
    });
  }

  revoke(id: string): Promise<boolean> {
    return this.updates.run(async () => {
      this.refresh();
      const index = this.tokens.findIndex((t) => t.id === id && t.revokedAt === undefined);
      if (index < 0) return false;
      const tokens = this.tokens.slice();
      tokens[index] = { ...tokens[index], revokedAt: new Date().toISOString() };
      await this.write(tokens);
      this.tokens = tokens;
      return true;
    });
  }

  /** Live tokens, oldest first; revoked ones are left out. */
  list(): TokenInfo[] {
    this.refresh();
    return this.tokens.filter((t) => t.revokedAt === undefined).map(infoOf);
  }

  verify(token: string): TokenInfo | undefined {
    if (typeof token !== 'string') return undefined;
    this.refresh();
    const presented = hashToken(token);
    let match: StoredToken | undefined;
    // Every live token is compared, so the time taken says nothing about which one matched.
    for (const t of this.tokens) {
      if (t.revokedAt === undefined && timingSafeEqual(presented, Buffer.from(t.hash, 'hex'))) match = t;
    }
    return match && infoOf(match);
  }

  /** True when no live token exists: the server then makes the first admin token. */
  isEmpty(): boolean {
    this.refresh();
    return this.tokens.every((t) => t.revokedAt !== undefined);
  }

  private newId(): string {
    for (;;) {
      const id = randomBytes(6).toString('hex');
      if (!this.tokens.some((t) => t.id === id)) return id;
    }
  }

  private async write(tokens: StoredToken[]): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify({ tokens }, null, 2)}\n`, 0o600);
    this.stamp = fileStamp(this.path);
  }

  // `tagflow token create/revoke` may change the file while a server runs: the server sees the
  // change at its next request, for the price of one stat.
  private refresh(): void {
    const stamp = fileStamp(this.path);
    if (stamp === this.stamp) return;
    const content = readJsonFileSync(this.path);
    this.tokens = content === undefined ? [] : checkTokensFile(content, this.path);
    this.stamp = stamp;
  }
}

const infoOf = (t: StoredToken): TokenInfo => ({ id: t.id, name: t.name, role: t.role, createdAt: t.createdAt });

function checkTokensFile(content: unknown, path: string): StoredToken[] {
  const damaged = (what: string) => new Error(`${path} is damaged: ${what}; restore it from a backup`);
  const tokens = (content as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(tokens)) throw damaged('"tokens" is not a list');
  tokens.forEach((t: Partial<StoredToken> | null, i) => {
    const at = `tokens[${i}]`;
    if (typeof t !== 'object' || t === null) throw damaged(`${at} is not an object`);
    for (const field of ['id', 'name', 'createdAt'] as const) {
      if (typeof t[field] !== 'string') throw damaged(`${at}.${field} is not a string`);
    }
    if (!ROLES.includes(t.role as Role)) throw damaged(`${at}.role is not one of ${ROLES.join(', ')}`);
    // A hash of another length would make timingSafeEqual throw at every verify.
    if (typeof t.hash !== 'string' || !/^[0-9a-f]{64}$/.test(t.hash))
      throw damaged(`${at}.hash is not a sha256 in hex`);
    if (t.revokedAt !== undefined && typeof t.revokedAt !== 'string') throw damaged(`${at}.revokedAt is not a string`);
  });
  return tokens as StoredToken[];
}
