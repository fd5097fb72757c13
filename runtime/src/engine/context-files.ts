import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-file';
import { PRIVATE_DIR_MODE } from '../store/data-dir-permissions';

/** Which context scope: the runtime's global one, a flow's shared one, or one node's own. */
export type ContextScopeRef =
  { scope: 'global' } | { scope: 'flow'; flowId: string } | { scope: 'node'; flowId: string; nodeId: string };

/** A key naming a scope in maps: `global`, `flow/<flowId>`, `node/<flowId>/<nodeId>` (ids hold no `/`). */
export function scopeKey(ref: ContextScopeRef): string {
  if (ref.scope === 'global') return 'global';
  if (ref.scope === 'flow') return `flow/${ref.flowId}`;
  return `node/${ref.flowId}/${ref.nodeId}`;
}

/** How the scope is named in messages: `global`, `flow "pump"`, `node "avg"`. */
export function scopeLabel(ref: ContextScopeRef): string {
  if (ref.scope === 'global') return 'global';
  if (ref.scope === 'flow') return `flow "${ref.flowId}"`;
  return `node "${ref.nodeId}"`;
}

/**
 * The context scopes' files under `<data dir>/context`: `global.json`,
 * `flows/<flowId>/flow.json` and `flows/<flowId>/nodes/<nodeId>.json`, each one JSON object of
 * the scope's keys. Flow and node ids match the flow schema's id pattern (letters, digits, `.`,
 * `_`, `-`, starting with a letter or digit), so they are safe file names as they are. Files are
 * replaced whole with `writeFileAtomic` (temp, fsync, rename, fsync the folder; mode 0600): a
 * process killed mid-write leaves the previous version.
 */
export class ContextFiles {
  constructor(readonly dir: string) {}

  pathOf(ref: ContextScopeRef): string {
    if (ref.scope === 'global') return join(this.dir, 'global.json');
    if (ref.scope === 'flow') return join(this.dir, 'flows', ref.flowId, 'flow.json');
    return join(this.dir, 'flows', ref.flowId, 'nodes', `${ref.nodeId}.json`);
  }

  /**
   * The scope's stored values, or undefined when it has no file. Read synchronously: a node's
   * scope is read when the node is created, before its first message. A damaged file (edited by
   * hand, a disk fault) is moved aside to `<file>.damaged` so that the scope starts empty rather
   * than the engine refusing to run, and the error says where it went.
   */
  read(ref: ContextScopeRef): Record<string, unknown> | undefined {
    const path = this.pathOf(ref);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`cannot read the context of ${scopeLabel(ref)} from ${path}: ${(err as Error).message}`);
    }
    let values: unknown;
    try {
      values = JSON.parse(text);
    } catch (err) {
      values = (err as Error).message;
    }
    if (typeof values === 'object' && values !== null && !Array.isArray(values))
      return values as Record<string, unknown>;
    renameSync(path, `${path}.damaged`);
    throw new Error(
      `the context file of ${scopeLabel(ref)} was damaged (${typeof values === 'string' ? `not valid JSON: ${values}` : 'not a JSON object'}); it was moved to ${path}.damaged and the scope starts empty`,
    );
  }

  /** True when the scope has a file. */
  has(ref: ContextScopeRef): boolean {
    return existsSync(this.pathOf(ref));
  }

  /** Replaces the scope's file with `text` (a JSON object). */
  async write(ref: ContextScopeRef, text: string): Promise<void> {
    const path = this.pathOf(ref);
    mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
    await writeFileAtomic(path, text);
  }

  /** Deletes the scope's file (nothing happens when it has none). */
  async remove(ref: ContextScopeRef): Promise<void> {
    await rm(this.pathOf(ref), { force: true });
  }

  /** The scopes that have a file, for the admin API's overview. */
  list(): ContextScopeRef[] {
    const found: ContextScopeRef[] = [];
    if (existsSync(join(this.dir, 'global.json'))) found.push({ scope: 'global' });
    for (const flowId of this.names(join(this.dir, 'flows'))) {
      if (existsSync(join(this.dir, 'flows', flowId, 'flow.json'))) found.push({ scope: 'flow', flowId });
      for (const name of this.names(join(this.dir, 'flows', flowId, 'nodes')))
        if (name.endsWith('.json')) found.push({ scope: 'node', flowId, nodeId: name.slice(0, -'.json'.length) });
    }
    return found;
  }

  private names(dir: string): string[] {
    try {
      return readdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}
