import { findNodeType, isRecord, validateFlow } from '@tagflow/flow-model';
import type { FlowIssue, FlowNode, JSONSchema, NodeCatalog } from '@tagflow/flow-model';

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
  const narrowed = narrow(info.configSchema, segments, Object.keys(value));
  if (!narrowed) return undefined;
  const probe = {
    schemaVersion: 1,
    id: 'probe',
    nodes: [{ id: node.id, type: node.type, typeVersion: info.version, config: node.config ?? {} }],
    edges: [],
  };
  const result = validateFlow(probe, { nodes: { [node.type]: { ...info, configSchema: narrowed } } });
  if (result.ok) return undefined;
  const refined = result.errors
    .filter((e) => e.path.startsWith('/nodes/0/config'))
    // The message keeps the full path, which ends with the relative one: `fieldMessage` still finds where the text starts.
    .map((e) => ({ ...e, path: e.path.slice('/nodes/0/config'.length) }));
  return refined.length > 0 ? refined : undefined;
}

/** A copy of `schema` where the oneOf/anyOf at `segments` is replaced by its single branch fitting `keys`. */
function narrow(schema: JSONSchema, segments: readonly string[], keys: readonly string[]): JSONSchema | undefined {
  if (!isRecord(schema)) return undefined;
  const s = schema as Record<string, unknown>;
  if (segments.length === 0) {
    const combinator = Array.isArray(s.oneOf) ? 'oneOf' : Array.isArray(s.anyOf) ? 'anyOf' : undefined;
    if (!combinator) return undefined;
    const fitting = (s[combinator] as unknown[]).filter(
      (b) =>
        isRecord(b) &&
        isRecord(b.properties) &&
        keys.every((k) => Object.prototype.hasOwnProperty.call(b.properties, k)),
    );
    if (fitting.length !== 1) return undefined;
    const { [combinator]: _dropped, ...rest } = s;
    return { ...rest, ...(fitting[0] as Record<string, unknown>) };
  }
  const [head, ...tail] = segments;
  if (isRecord(s.properties) && isRecord(s.properties[head])) {
    const inner = narrow(s.properties[head], tail, keys);
    return inner && { ...s, properties: { ...s.properties, [head]: inner } };
  }
  if (isRecord(s.items) && /^\d+$/.test(head)) {
    const inner = narrow(s.items, tail, keys);
    return inner && { ...s, items: inner };
  }
  return undefined;
}
