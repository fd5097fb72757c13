import { findNodeType, isRecord, narrowBranch, validateFlow } from '@tagflow/flow-model';
import type { FlowIssue, FlowNode, NodeCatalog } from '@tagflow/flow-model';

/**
 * Field-level issues for a config value that "does not match any of the allowed forms" (a oneOf /
 * anyOf whose branch the validator could not guess): picks the one branch whose properties cover
 * every key the value has, and re-checks the node with the same validator against that branch, so
 * the form can point at `window.count` instead of `window`. Undefined when no single branch fits.
 * Paths in the result are relative to the node's config (`/window/count`).
 */
export function refineBranchIssue(
  node: FlowNode,
  configPointer: string,
  catalog: NodeCatalog,
): FlowIssue[] | undefined {
  const info = findNodeType(catalog, node.type);
  if (!info) return undefined;
  const segments =
    configPointer === ''
      ? []
      : configPointer
          .slice(1)
          .split('/')
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const value = segments.reduce<unknown>(
    (v, s) => (isRecord(v) || Array.isArray(v) ? (v as Record<string, unknown>)[s] : undefined),
    node.config ?? {},
  );
  if (!isRecord(value)) return undefined;
  const narrowed = narrowBranch(info.configSchema, segments, Object.keys(value));
  if (!narrowed) return undefined;
  const probe = {
    schemaVersion: 1,
    id: 'probe',
    nodes: [{ id: node.id, type: node.type, typeVersion: info.version, config: node.config ?? {} }],
    edges: [],
  };
  // The runtime's precompiled validators hold every narrowed schema too (`schemaBranches`).
  const result = validateFlow(probe, {
    nodes: { [node.type]: { ...info, configSchema: narrowed } },
    validators: catalog.validators,
  });
  if (result.ok) return undefined;
  const refined = result.errors
    .filter((e) => e.path.startsWith('/nodes/0/config'))
    // The message keeps the full path, which ends with the relative one: `fieldMessage` still finds where the text starts.
    .map((e) => ({ ...e, path: e.path.slice('/nodes/0/config'.length) }));
  return refined.length > 0 ? refined : undefined;
}
