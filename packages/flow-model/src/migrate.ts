import { cloneJson } from './clone-json';
import { isPlainObject } from './object-guards';
import { flowErrors } from './error-codes';
import type { FlowIssueCode } from './error-codes';
import type { FlowNode } from './flow';
import { nodeSubject } from './issues';
import type { FlowModelIssue } from './issues';

/** Upgrades a config saved at version `n` to version `n + 1`; pure, returns a new object. */
export type ConfigMigration = (config: Record<string, unknown>) => Record<string, unknown>;

/** A node type's current config version and the steps that bring older configs up to it. */
export interface NodeMigrations {
  /** Current config version of the node type. */
  version: number;
  /** `migrations[n]` upgrades a config saved at version n to n + 1. */
  migrations?: Readonly<Record<number, ConfigMigration>>;
}

/** Outcome of `migrateNode`: the upgraded copy, or why it could not be upgraded. */
export type MigrateNodeResult =
  { ok: true; node: FlowNode; from: number; to: number } | { ok: false; error: FlowModelIssue };

/**
 * Brings a node saved with an older `typeVersion` up to `info.version`, one step at a time.
 * Returns a copy (the input is untouched); `from === to` when there was nothing to do. A node
 * saved with a newer version than installed is refused: it cannot be downgraded. `path` is the
 * node's JSON pointer in the flow (e.g. `/nodes/2`), used in the issue.
 */
export function migrateNode(node: FlowNode, info: NodeMigrations, path = ''): MigrateNodeResult {
  const from = node.typeVersion;
  const to = info.version;
  const subject = nodeSubject(node.id, node.type);
  const fail = (code: FlowIssueCode, at: string, message: string): MigrateNodeResult => ({
    ok: false,
    error: { code, path: at, message: `${subject}: ${at} ${message}`, nodeId: node.id },
  });
  if (from > to) {
    return fail(
      flowErrors.code.TYPE_VERSION_TOO_NEW,
      `${path}/typeVersion`,
      `is ${from}: the node was saved with a newer version of the node type than the installed one (version ${to}); upgrade the package providing "${node.type}"`,
    );
  }
  let config: Record<string, unknown> = cloneJson(node.config ?? {});
  for (let version = from; version < to; version++) {
    const step =
      info.migrations && Object.prototype.hasOwnProperty.call(info.migrations, version)
        ? info.migrations[version]
        : undefined;
    if (typeof step !== 'function') {
      return fail(
        flowErrors.code.MIGRATION_MISSING,
        `${path}/typeVersion`,
        `is ${from} but the installed "${node.type}" is version ${to} and has no migration from version ${version} to ${version + 1}; ` +
          `ask the package's author for the missing migration, or delete the node and add it again`,
      );
    }
    let upgraded: unknown;
    try {
      upgraded = step(config);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return fail(
        flowErrors.code.MIGRATION_FAILED,
        `${path}/config`,
        `could not be upgraded from version ${version} to ${version + 1}: ${reason}`,
      );
    }
    if (!isPlainObject(upgraded)) {
      return fail(
        flowErrors.code.MIGRATION_FAILED,
        `${path}/config`,
        `could not be upgraded from version ${version} to ${version + 1}: the migration returned ${describeResult(upgraded)} instead of a config object`,
      );
    }
    // A migration may return shared objects (a constant default); defaults filled in later must not reach them.
    config = cloneJson(upgraded);
  }
  return { ok: true, node: { ...cloneJson(node), typeVersion: to, config }, from, to };
}

function describeResult(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'a list' : typeof value;
}
