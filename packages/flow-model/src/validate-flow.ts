import type { NodeCatalog } from './catalog';
import { checkCycles } from './check-cycles';
import { checkLinks } from './check-links';
import { linkReferences, linkWires } from './links';
import { checkEdges } from './check-edges';
import { checkGroups } from './check-groups';
import { checkFlowLimits } from './check-limits';
import type { NodeEntry } from './check-nodes';
import { checkNodes } from './check-nodes';
import type { MigratedNode } from './check-nodes';
import { checkResources } from './check-resources';
import { checkStructure } from './check-structure';
import { cloneJson } from './clone-json';
import { isPlainObject } from './object-guards';
import type { NormalizedEdge } from './edges';
import { flowErrors } from './error-codes';
import type { Flow } from './flow';
import { describeValue, nodeSubject } from './issues';
import type { FlowIssue, FlowModelIssue } from './issues';
import { IssueList } from './issue-list';
import type { NodeMigrations } from './migrate';
import { expandSubflows } from './expand-subflows';
import { MAX_NODES } from './flow-limits';
import { mapExpandedIssue } from './subflow-issues';

/** Options of `validateFlow`. */
export interface ValidateFlowOptions {
  /**
   * Config migrations of a node type. Without it (the editor, which cannot run package code),
   * nodes saved with an older `typeVersion` are not migrated: they get a `MIGRATION_PENDING`
   * warning and their config is not checked.
   */
  migrations?: (type: string) => NodeMigrations | undefined;
}

/** A flow as `validateFlow` returns it: every edge has its ports and id filled in. */
export type NormalizedFlow = Flow & { edges: NormalizedEdge[] };

/** Outcome of `validateFlow`: the normalized flow, or every error found (never just the first). */
export type FlowValidation =
  | {
      ok: true;
      /** A deep copy: configs with defaults (`{}` when absent), edges with ports and ids, nodes migrated. */
      flow: NormalizedFlow;
      warnings: FlowIssue[];
      /** Nodes whose config was upgraded from an older `typeVersion`. */
      migrated: MigratedNode[];
      /**
       * Subflow instance id -> the node (of `flow`, expanded) whose status is the instance's
       * status; absent when the flow has no subflow instance.
       */
      subflowStatus?: Record<string, string>;
    }
  | { ok: false; errors: FlowIssue[]; warnings: FlowIssue[] };

/**
 * Checks a parsed flow file against the flow schema and the installed node and resource types,
 * and reports every problem at once, each naming its node, edge or resource and JSON path. Never
 * throws for bad input and never modifies `input`. The catalog's maps may be `Map`s or records.
 */
export function validateFlow(input: unknown, catalog: NodeCatalog, options: ValidateFlowOptions = {}): FlowValidation {
  // First: everything below recurses into the input, and a flow over a limit is refused whole anyway.
  const overLimits = checkFlowLimits(input);
  if (overLimits.length > 0) return { ok: false, errors: overLimits, warnings: [] };
  const issues = new IssueList();
  if (!isPlainObject(input)) {
    issues.error({
      code: flowErrors.code.NOT_A_FLOW,
      path: '',
      message: `the flow must be a JSON object like { "schemaVersion": 1, "id": ..., "nodes": [...], "edges": [...] } (got ${describeValue(input)})`,
    });
    return { ok: false, errors: issues.errors, warnings: issues.warnings };
  }
  checkStructure(input, issues);
  checkGroups(input, issues);
  // Subflow instances become plain (namespaced) nodes here, so every check below and the runtime
  // see one flat flow; what the checks find is said about the flow as written (mapExpandedIssue).
  const expansion = expandSubflows(input, catalog);
  for (const error of expansion.errors) issues.error(error as FlowModelIssue);
  for (const warning of expansion.warnings) issues.warn(warning as FlowModelIssue);
  const found = expansion.expanded ? new IssueList() : issues;
  const flat = expansion.flow;
  const resources = checkResources(flat.resources, catalog, found);
  const nodes = checkNodes(flat.nodes, catalog, options.migrations, resources, found);
  const edges = checkEdges(flat.edges, Array.isArray(flat.nodes) ? nodes.byId : undefined, found);
  checkLinks(flat.nodes, nodes.byId, found);
  // The edges as written count too: a node wired to an instance that could not be expanded (its
  // error is reported) is not also "not connected".
  const wiredEdges = expansion.expanded ? [...asList(flat.edges), ...asList(input.edges)] : flat.edges;
  warnUnconnected(wiredEdges, flat.nodes, nodes.byId, found);
  if (expansion.expanded) {
    if (Array.isArray(flat.nodes) && flat.nodes.length > MAX_NODES)
      issues.error({
        code: flowErrors.code.TOO_MANY_NODES,
        path: '/nodes',
        message: `with its subflow instances expanded the flow has ${flat.nodes.length} nodes, more than ${MAX_NODES}`,
      });
    mergeMapped(found, issues, (issue) => mapExpandedIssue(issue, expansion));
  }
  if (issues.errors.length > 0) return { ok: false, errors: issues.sortedErrors(), warnings: issues.sortedWarnings() };
  const flow = {
    ...cloneJson(flat),
    resources: resources.normalized,
    nodes: nodes.normalized,
    edges,
  } as NormalizedFlow;
  // Virtual wires loop like edges do (a link-out back to a link-in upstream of it).
  const wires = linkWires(flow.nodes, (node) => nodes.byId.get(node.id)?.info?.link);
  checkCycles(
    { ...flow, edges: [...flow.edges, ...wires] },
    (node) => nodes.byId.get(node.id)?.info?.breaksCycles === true,
    found,
  );
  if (expansion.expanded && found !== issues)
    mergeMapped(found, issues, (issue) => mapExpandedIssue(issue, expansion), true);
  return {
    ok: true,
    flow,
    warnings: issues.sortedWarnings(),
    migrated: nodes.migrated,
    ...(expansion.expanded ? { subflowStatus: expansion.statusNodes } : {}),
  };
}

/**
 * Moves what the checks of the expanded flow found into `into`, said about the flow as written;
 * one mistake in a subflow used by several instances is reported once per instance.
 */
function mergeMapped(
  from: IssueList,
  into: IssueList,
  map: (issue: FlowIssue) => FlowIssue,
  warningsOnly = false,
): void {
  const seen = new Set([...into.errors, ...into.warnings].map((i) => `${i.code}|${i.path}|${i.message}`));
  const lists = warningsOnly
    ? ([['warnings', from.warnings]] as const)
    : ([
        ['errors', from.errors],
        ['warnings', from.warnings],
      ] as const);
  for (const [kind, list] of lists) {
    for (const issue of list.splice(0)) {
      const mapped = map(issue);
      const key = `${mapped.code}|${mapped.path}|${mapped.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (kind === 'errors') into.checkError(mapped);
      else into.warnings.push(mapped);
    }
  }
}

/** A node with ports but no edge at all is most likely a wiring mistake (it would sit idle). */
function warnUnconnected(rawEdges: unknown, rawNodes: unknown, nodes: Map<string, NodeEntry>, issues: IssueList): void {
  const wired = new Set<unknown>();
  if (Array.isArray(rawEdges)) {
    for (const edge of rawEdges) {
      if (!isPlainObject(edge)) continue;
      wired.add(edge.source);
      wired.add(edge.target);
    }
  }
  // A virtual wire connects both its ends; a link-out in return mode answers whoever called.
  if (Array.isArray(rawNodes)) {
    for (const node of rawNodes) {
      if (!isPlainObject(node) || typeof node.id !== 'string') continue;
      const role = nodes.get(node.id)?.info?.link;
      if (role === 'out' && (node.config as { mode?: unknown } | undefined)?.mode === 'return') wired.add(node.id);
      for (const { target } of linkReferences(node, role)) {
        wired.add(node.id);
        wired.add(target);
      }
    }
  }
  for (const [id, node] of nodes) {
    if (wired.has(id)) continue;
    if (node.info && node.info.inputs.length === 0 && node.info.outputs.length === 0) continue;
    const raw = Array.isArray(rawNodes) ? (rawNodes[node.index] as { name?: unknown } | undefined) : undefined;
    const advice = 'wire it to another node, or remove it if it is not needed';
    issues.warn({
      code: flowErrors.code.UNCONNECTED_NODE,
      path: `/nodes/${node.index}`,
      nodeId: id,
      text: `Not connected to any other node yet: ${advice}`,
      message: `${nodeSubject(id, node.type, node.index, raw?.name)} is not connected to any other node yet: ${advice}`,
    });
  }
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
