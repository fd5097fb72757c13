import type { NodeCatalog, NodeTypeInfo } from './catalog';
import { findNodeType, nodeTypeNames } from './catalog-lookup';
import { cloneJson } from './clone-json';
import { isPlainObject } from './object-guards';
import { checkResourceRefs } from './check-resource-refs';
import { checkOwnerConfig } from './run-config-check';
import type { CheckedResources } from './check-resources';
import { fromPackage, notInstalled } from './check-resources';
import { flowErrors } from './error-codes';
import type { FlowNode } from './flow';
import { nodeSubject } from './issues';
import type { IssueList } from './issue-list';
import { KNOWN_NODE_PACKAGES } from './known-packages';
import { checkPlaceholder, PLACEHOLDER_TYPE } from './check-placeholders';
import { migrateNode } from './migrate';
import type { NodeMigrations } from './migrate';

/** A node of the flow as the edge checks see it. */
export interface NodeEntry {
  /** Position in `nodes`, for messages. */
  index: number;
  type: string | undefined;
  /** The installed type, when there is one. */
  info: NodeTypeInfo | undefined;
  /**
   * The config with defaults filled in, once it passed its schema; undefined before or otherwise
   * (ports numbered by the config are then not checked: the config's own problem is reported).
   */
  config?: Record<string, unknown>;
}

/** A node brought up to its type's current version. */
export interface MigratedNode {
  nodeId: string;
  from: number;
  to: number;
}

/** What the node checks leave for the edge checks and the result. */
export interface CheckedNodes {
  /** First node of each id. */
  byId: Map<string, NodeEntry>;
  /** Copies, migrated, with config defaults filled in (only meaningful when no error was found). */
  normalized: FlowNode[];
  migrated: MigratedNode[];
}

/** Where `validateFlow` gets config migrations from (the editor has none: it cannot run them). */
export type MigrationSource = ((type: string) => NodeMigrations | undefined) | undefined;

/** Checks node ids, types, versions (migrating older ones), configs and resource references. */
export function checkNodes(
  raw: unknown,
  catalog: NodeCatalog,
  migrations: MigrationSource,
  resources: CheckedResources,
  issues: IssueList,
): CheckedNodes {
  const result: CheckedNodes = { byId: new Map(), normalized: [], migrated: [] };
  if (!Array.isArray(raw)) return result;
  raw.forEach((node: unknown, index) => {
    if (!isPlainObject(node)) return;
    const path = `/nodes/${index}`;
    const id = typeof node.id === 'string' ? node.id : undefined;
    const type = typeof node.type === 'string' ? node.type : undefined;
    const info = type === undefined ? undefined : findNodeType(catalog, type);
    if (id !== undefined) {
      const first = result.byId.get(id);
      if (first) {
        issues.error({
          code: flowErrors.code.DUPLICATE_NODE_ID,
          path: `${path}/id`,
          nodeId: id,
          message: `${nodeSubject(id, type)}: ${path}/id ${JSON.stringify(id)} is already used by the node at /nodes/${first.index}; node ids must be unique`,
        });
      } else {
        result.byId.set(id, { index, type, info });
      }
    }
    const copy = cloneJson(node) as unknown as FlowNode;
    result.normalized.push(copy);
    if (type === undefined) return;
    // Checked before the catalog: no package provides it, and "install a package" would mislead.
    if (type === PLACEHOLDER_TYPE && !info) {
      checkPlaceholder(node, index, issues);
      return;
    }
    if (!info) {
      issues.error({
        code: flowErrors.code.UNKNOWN_NODE_TYPE,
        path: `${path}/type`,
        nodeId: id,
        message: `${nodeSubject(id, type, index)}: ${path}/type ${notInstalled('node', type, nodeTypeNames(catalog), KNOWN_NODE_PACKAGES)}`,
      });
      return;
    }
    // Shape mistakes in these fields were reported by the structure check; nothing more to learn here.
    if (!isVersion(node.typeVersion) || (node.config !== undefined && !isPlainObject(node.config))) return;
    const current = upgrade(copy, index, info, migrations, issues, result.migrated);
    if (!current) return;
    const subject = nodeSubject(id, type, index, node.name);
    const typeWords = `node type "${type}"${fromPackage(info.package)}`;
    const owner = { path, subject, typeWords, nodeId: id, schema: info.configSchema };
    const checked = checkOwnerConfig(
      catalog,
      info,
      current.config ?? {},
      owner,
      flowErrors.code.CONFIG_INVALID,
      issues,
    );
    if (!checked) return;
    current.config = checked.config;
    result.normalized[result.normalized.length - 1] = current;
    const entry = id === undefined ? undefined : result.byId.get(id);
    if (entry?.index === index && checked.valid) entry.config = checked.config;
    checkResourceRefs({ id, type, index, config: checked.config, info }, resources, issues);
  });
  return result;
}

/**
 * The node at its type's current version, or undefined when its config cannot be checked
 * (too new, a migration missing or failing: reported; no migrations available: warned).
 */
function upgrade(
  node: FlowNode,
  index: number,
  info: NodeTypeInfo,
  migrations: MigrationSource,
  issues: IssueList,
  migrated: MigratedNode[],
): FlowNode | undefined {
  const path = `/nodes/${index}`;
  if (node.typeVersion < info.version && !migrations) {
    issues.warn({
      code: flowErrors.code.MIGRATION_PENDING,
      path: `${path}/typeVersion`,
      nodeId: node.id,
      message:
        `${nodeSubject(node.id, node.type, index)}: ${path}/typeVersion is ${node.typeVersion}, older than the installed "${node.type}" (version ${info.version}); ` +
        `its config will be upgraded when the runtime loads the flow and is not checked here`,
    });
    return undefined;
  }
  const outcome = migrateNode(node, { version: info.version, migrations: migrations?.(node.type)?.migrations }, path);
  if (!outcome.ok) {
    issues.error(outcome.error);
    return undefined;
  }
  if (outcome.from !== outcome.to) migrated.push({ nodeId: node.id, from: outcome.from, to: outcome.to });
  return outcome.node;
}

function isVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}
