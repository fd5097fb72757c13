/**
 * Subflow expansion: every instance (`type: "subflow:<id>"`, or a node type from a packed subflow)
 * becomes its own copy of the subflow's nodes, edges and resources, with namespaced ids, so that
 * the runtime runs plain nodes and each instance keeps its own state. Platform-neutral: the
 * editor and the runtime expand the same way, inside `validateFlow`.
 */

import type { NodeCatalog } from './catalog';
import { findNodeType } from './catalog-lookup';
import { flowErrors } from './error-codes';
import { DEFAULT_INPUT_PORT, DEFAULT_OUTPUT_PORT } from './flow';
import { MAX_NODES } from './flow-limits';
import { schemaOf } from './flow-variables';
import type { FlowIssue } from './issues';
import { nodeSubject, quoteList } from './issues';
import { isPlainObject } from './object-guards';
import { checkParams, substituteParams } from './subflow-params';

/** Instances of a flow's own subflow have the type `subflow:<subflow id>`. */
export const SUBFLOW_TYPE_PREFIX = 'subflow:';
/**
 * Joins an instance's id and an inner id: inner node `avg` of instance `pump1` runs as
 * `pump1~avg` (nested: `line1~pump1~avg`). `~` is not allowed in the ids a flow file holds
 * (`ID_PATTERN`), so an expanded id never equals one a user wrote.
 */
export const SUBFLOW_ID_SEPARATOR = '~';
/** Subflows may contain instances of other subflows, this many levels deep at most. */
export const MAX_SUBFLOW_DEPTH = 8;
/** Pattern of the node and resource ids the runtime runs and reports: flow ids, or expanded ones. */
export const EXPANDED_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*(?:~[A-Za-z0-9][A-Za-z0-9._-]*)*$';

/** Where a node, edge or resource of the expanded flow comes from. */
export type ExpandedOrigin =
  /** Written in the flow itself, at this index of its list. */
  | { kind: 'flow'; index: number }
  /** Made by expanding the top-level instance at `instanceIndex` of the flow's nodes. */
  | {
      kind: 'instance';
      instanceId: string;
      instanceIndex: number;
      instanceType: string;
      /** Where the item is written: `/subflows/0/nodes/2`, or in a packed subflow's template. */
      innerPath: string;
      /** Set when `innerPath` lies in the template of a packed subflow (this node type). */
      packedType?: string;
    };

/** What `expandSubflows` made of a flow. */
export interface SubflowExpansion {
  /** The flow with instances replaced by their inner nodes and without `subflows`; the input itself when it had none. */
  flow: Record<string, unknown>;
  /** True when there was something to expand. */
  expanded: boolean;
  /** By position in the expanded flow's lists: where each item comes from. */
  origins: { nodes: ExpandedOrigin[]; edges: ExpandedOrigin[]; resources: ExpandedOrigin[] };
  errors: FlowIssue[];
  /** Subflows no node uses: their nodes are checked only once placed. */
  warnings: FlowIssue[];
  /** Instance id (expanded ids of nested instances included) -> the running node whose status it shows. */
  statusNodes: Record<string, string>;
}

type Obj = Record<string, unknown>;

/** A subflow definition and where it was found. */
interface Source {
  def: Obj;
  /** Cycle key: `subflow:x` or the packed node type. */
  key: string;
  /** Pointer of the definition in the flow (`/subflows/0`), or '' inside a packed template. */
  path: string;
  /** The packed node type whose template holds it (nested subflows of a template included). */
  packedType?: string;
  /** Subflows a nested `subflow:<id>` inside this definition may name. */
  scope: Map<string, Source>;
}

/** One end of a wire in the expanded flow. */
interface End {
  node: string;
  port: string;
}

/** The expanded parts of one instance. */
interface Expanded {
  nodes: Array<{ item: Obj; innerPath: string; packedType?: string }>;
  edges: Array<{ item: Obj; innerPath: string; packedType?: string }>;
  resources: Array<{ item: Obj; innerPath: string; packedType?: string }>;
  inputs: Map<string, End[]>;
  outputs: Map<string, End[]>;
  status?: string;
}

/** Stands for an instance that could not be expanded (its error is reported). */
const FAILED: Expanded = { nodes: [], edges: [], resources: [], inputs: new Map(), outputs: new Map() };

interface Context {
  catalog: NodeCatalog;
  /** Cycle keys of the subflows expanded at least once. */
  used: Set<string>;
  /** Nodes made so far: nesting multiplies them, so expansion stops past MAX_NODES. */
  made: { nodes: number; over: boolean };
  errors: FlowIssue[];
  statusNodes: Record<string, string>;
  /** The top-level instance being expanded, for messages. */
  top: { id: string; type: string; path: string };
}

/** True when `type` names a subflow instance in this flow or a packed subflow of the catalog. */
export function isSubflowType(type: unknown, catalog: NodeCatalog): boolean {
  if (typeof type !== 'string') return false;
  return type.startsWith(SUBFLOW_TYPE_PREFIX) || findNodeType(catalog, type)?.subflow !== undefined;
}

/**
 * Expands every subflow instance of `flow` (see `SUBFLOW_ID_SEPARATOR` for the ids). Edges to an
 * instance's input port go to the inner nodes its definition lists, edges from an output port
 * leave from the inner nodes feeding it. Parameters are checked against the subflow's `params`
 * (defaults filled in) and replace `${name}` in inner configs. Never throws; problems are listed
 * in `errors`, located at the instance (the inner node named in the message).
 */
export function expandSubflows(flow: Obj, catalog: NodeCatalog): SubflowExpansion {
  const errors: FlowIssue[] = [];
  const statusNodes: Record<string, string> = {};
  const scope = flowScope(flow, errors);
  const nodes = Array.isArray(flow.nodes) ? flow.nodes : [];
  const hasInstance = nodes.some((n) => isPlainObject(n) && isSubflowType(n.type, catalog));
  const same = {
    nodes: nodes.map((_, index) => ({ kind: 'flow' as const, index })),
    edges: (Array.isArray(flow.edges) ? flow.edges : []).map((_, index) => ({ kind: 'flow' as const, index })),
    resources: (Array.isArray(flow.resources) ? flow.resources : []).map((_, index) => ({
      kind: 'flow' as const,
      index,
    })),
  };
  if (!hasInstance && flow.subflows === undefined)
    return { flow, expanded: false, origins: same, errors, warnings: [], statusNodes };
  const used = new Set<string>();
  const made = { nodes: 0, over: false };

  const out = { nodes: [] as unknown[], edges: [] as unknown[], resources: [] as unknown[] };
  const origins: SubflowExpansion['origins'] = { nodes: [], edges: [], resources: [] };
  (Array.isArray(flow.resources) ? flow.resources : []).forEach((r, index) => {
    out.resources.push(r);
    origins.resources.push({ kind: 'flow', index });
  });
  const instances = new Map<string, Expanded>();
  nodes.forEach((node, index) => {
    if (!isPlainObject(node) || !isSubflowType(node.type, catalog) || typeof node.id !== 'string') {
      out.nodes.push(node);
      origins.nodes.push({ kind: 'flow', index });
      return;
    }
    const path = `/nodes/${index}`;
    const ctx: Context = {
      catalog,
      used,
      made,
      errors,
      statusNodes,
      top: { id: node.id, type: String(node.type), path },
    };
    const expanded = expandInstance(node, path, '', scope, ctx, []);
    instances.set(node.id, expanded ?? FAILED);
    if (!expanded) return;
    const origin = (innerPath: string, packedType?: string): ExpandedOrigin => ({
      kind: 'instance',
      instanceId: node.id as string,
      instanceIndex: index,
      instanceType: String(node.type),
      innerPath,
      ...(packedType ? { packedType } : {}),
    });
    for (const { item, innerPath, packedType } of expanded.nodes) {
      out.nodes.push(item);
      origins.nodes.push(origin(innerPath, packedType));
    }
    for (const { item, innerPath, packedType } of expanded.edges) {
      out.edges.push(item);
      origins.edges.push(origin(innerPath, packedType));
    }
    for (const { item, innerPath, packedType } of expanded.resources) {
      out.resources.push(item);
      origins.resources.push(origin(innerPath, packedType));
    }
  });
  (Array.isArray(flow.edges) ? flow.edges : []).forEach((edge, index) => {
    const wired = rewire(edge, `/edges/${index}`, instances, '', errors);
    for (const item of wired) {
      out.edges.push(item);
      origins.edges.push({ kind: 'flow', index });
    }
  });
  const { subflows: _defs, ...rest } = flow;
  const expandedFlow: Obj = { ...rest, nodes: out.nodes, edges: out.edges };
  if (flow.resources !== undefined || out.resources.length > 0) expandedFlow.resources = out.resources;
  const warnings: FlowIssue[] = [];
  for (const source of scope.values())
    if (!used.has(source.key))
      warnings.push({
        code: flowErrors.code.SUBFLOW_UNUSED,
        path: source.path,
        message: `subflow ${JSON.stringify(source.def.id)}: ${source.path} is not used by any node, so its nodes are not checked until one is placed (type "${source.key}")`,
      });
  return { flow: expandedFlow, expanded: true, origins, errors, warnings, statusNodes };
}

/** The flow's own subflows by id; a second definition of an id is reported and ignored. */
function flowScope(flow: Obj, errors: FlowIssue[]): Map<string, Source> {
  const scope = new Map<string, Source>();
  if (!Array.isArray(flow.subflows)) return scope;
  flow.subflows.forEach((def: unknown, index) => {
    if (!isPlainObject(def) || typeof def.id !== 'string') return;
    const path = `/subflows/${index}`;
    if (scope.has(def.id)) {
      errors.push({
        code: flowErrors.code.SUBFLOW_INVALID,
        path: `${path}/id`,
        message: `subflow ${JSON.stringify(def.id)}: ${path}/id is already used by the subflow at ${scope.get(def.id)?.path}; subflow ids must be unique`,
      });
      return;
    }
    scope.set(def.id, { def, key: `${SUBFLOW_TYPE_PREFIX}${def.id}`, path, scope });
  });
  return scope;
}

/** The definition an instance's type names, from the scope (`subflow:<id>`) or the catalog (packed). */
function sourceOf(type: string, scope: Map<string, Source>, catalog: NodeCatalog): Source | undefined {
  if (type.startsWith(SUBFLOW_TYPE_PREFIX)) return scope.get(type.slice(SUBFLOW_TYPE_PREFIX.length));
  const template = findNodeType(catalog, type)?.subflow;
  if (!isPlainObject(template)) return undefined;
  // A packed subflow carries the subflows it uses inside (`subflows` of its template).
  const inner = new Map<string, Source>();
  const packed: Source = { def: template, key: type, path: '', packedType: type, scope: inner };
  const nested = (template as Obj).subflows;
  if (Array.isArray(nested))
    nested.forEach((def: unknown, index) => {
      if (isPlainObject(def) && typeof def.id === 'string')
        inner.set(def.id, {
          def,
          key: `${type}/${def.id}`,
          path: `/subflows/${index}`,
          packedType: type,
          scope: inner,
        });
    });
  return packed;
}

function expandInstance(
  node: Obj,
  nodePath: string,
  prefix: string,
  scope: Map<string, Source>,
  ctx: Context,
  stack: string[],
  enclosingPacked?: string,
): Expanded | undefined {
  const type = String(node.type);
  const id = `${prefix}${String(node.id)}`;
  // Every problem names the top-level instance the user placed (its node id); the path is where
  // to fix it when that is in the flow file, else (a packed subflow's template) the instance.
  const error = (code: string, path: string, message: string, packed = enclosingPacked) => {
    const atTop = prefix === '' ? '' : `, inside subflow instance "${ctx.top.id}" (${ctx.top.type}) at ${ctx.top.path}`;
    ctx.errors.push({ code, path: packed ? ctx.top.path : path, nodeId: ctx.top.id, message: `${message}${atTop}` });
  };
  const source = sourceOf(type, scope, ctx.catalog);
  const subject = `${nodeSubject(node.id, type)}: ${nodePath}`;
  if (!source) {
    const known = [...scope.keys()];
    error(
      flowErrors.code.SUBFLOW_NOT_FOUND,
      nodePath,
      `${subject}/type names subflow ${JSON.stringify(type.slice(SUBFLOW_TYPE_PREFIX.length))}, which this flow does not define (${known.length > 0 ? `its subflows: ${quoteList(known)}` : 'it has no subflows'})`,
    );
    return undefined;
  }
  if (stack.includes(source.key)) {
    error(
      flowErrors.code.SUBFLOW_CYCLE,
      nodePath,
      `${subject} makes subflow ${JSON.stringify(source.key)} contain itself (${[...stack, source.key].join(' -> ')}); a subflow may not hold an instance of itself`,
    );
    return undefined;
  }
  if (stack.length >= MAX_SUBFLOW_DEPTH) {
    error(
      flowErrors.code.SUBFLOW_TOO_DEEP,
      nodePath,
      `${subject}: subflows are nested more than ${MAX_SUBFLOW_DEPTH} levels deep here (${[...stack, source.key].join(' -> ')})`,
    );
    return undefined;
  }
  const def = source.def;
  const packedType = source.packedType;
  ctx.used.add(source.key);
  if (ctx.made.over) return undefined;
  if (ctx.made.nodes + (Array.isArray(def.nodes) ? def.nodes.length : 0) > MAX_NODES) {
    ctx.made.over = true;
    error(
      flowErrors.code.TOO_MANY_NODES,
      nodePath,
      `${subject}: with its subflow instances expanded the flow would have more than ${MAX_NODES} nodes`,
    );
    return undefined;
  }
  const params = checkParams(ctx.catalog, def.params, node.config, `${nodePath}/config`);
  if (!params.ok) {
    const name = typeof def.name === 'string' ? def.name : source.key;
    if ('schemaError' in params)
      error(
        flowErrors.code.SUBFLOW_INVALID,
        nodePath,
        `${subject}: the parameters of subflow ${JSON.stringify(name)} are not a usable JSON Schema (${params.schemaError})`,
        packedType,
      );
    else
      for (const problem of params.problems) {
        const param = /\/config\/([^/]+)/.exec(problem.path)?.[1];
        const what = param ? `parameter ${JSON.stringify(param)}` : 'its parameters';
        error(
          flowErrors.code.SUBFLOW_PARAM_INVALID,
          problem.path,
          `subflow instance ${JSON.stringify(node.id)} (${name}): ${what}: ${problem.path} ${problem.text}`,
        );
      }
    return undefined;
  }
  const values = params.values;
  const defPath = source.path;
  const innerPrefix = `${id}${SUBFLOW_ID_SEPARATOR}`;
  const result: Expanded = { nodes: [], edges: [], resources: [], inputs: new Map(), outputs: new Map() };

  const innerResources = Array.isArray(def.resources) ? def.resources.filter(isPlainObject) : [];
  const resourceIds = new Set(innerResources.map((r) => r.id).filter((r): r is string => typeof r === 'string'));
  (Array.isArray(def.resources) ? def.resources : []).forEach((r: unknown, index) => {
    if (!isPlainObject(r) || typeof r.id !== 'string') return;
    const config = substituteParams(r.config, schemaOf('resources', r, ctx.catalog), values);
    result.resources.push({
      item: { ...r, id: `${innerPrefix}${r.id}`, ...(config === undefined ? {} : { config }) },
      innerPath: `${defPath}/resources/${index}`,
      packedType,
    });
  });

  const nested = new Map<string, Expanded>();
  const innerIds = new Set<string>();
  for (const inner of Array.isArray(def.nodes) ? def.nodes : [])
    if (isPlainObject(inner) && typeof inner.id === 'string') innerIds.add(inner.id);
  (Array.isArray(def.nodes) ? def.nodes : []).forEach((inner: unknown, index) => {
    if (!isPlainObject(inner) || typeof inner.id !== 'string') return;
    const innerPath = `${defPath}/nodes/${index}`;
    if (isSubflowType(inner.type, ctx.catalog)) {
      // An inner instance's parameters may use the outer instance's (`limit: "${limit}"`).
      const config = substituteParams(inner.config, {}, values);
      const withValues = config === undefined ? inner : { ...inner, config };
      const sub = expandInstance(
        withValues,
        innerPath,
        innerPrefix,
        source.scope,
        ctx,
        [...stack, source.key],
        packedType,
      );
      if (!sub) {
        nested.set(inner.id, FAILED);
        return;
      }
      nested.set(inner.id, sub);
      result.nodes.push(...sub.nodes);
      result.edges.push(...sub.edges);
      result.resources.push(...sub.resources);
      return;
    }
    ctx.made.nodes += 1;
    const schema = schemaOf('nodes', inner, ctx.catalog);
    let config = substituteParams(inner.config, schema, values);
    config = renameRefs(config, inner.type, resourceIds, innerIds, innerPrefix, ctx.catalog);
    result.nodes.push({
      item: { ...inner, id: `${innerPrefix}${inner.id}`, ...(config === undefined ? {} : { config }) },
      innerPath,
      packedType,
    });
  });

  (Array.isArray(def.edges) ? def.edges : []).forEach((edge: unknown, index) => {
    const innerPath = `${defPath}/edges/${index}`;
    const report = (e: FlowIssue) => error(e.code, e.path, e.message, packedType);
    for (const item of rewire(edge, innerPath, nested, innerPrefix, ctx.errors, report))
      result.edges.push({ item, innerPath, packedType });
  });

  const endsOf = (ref: unknown, kind: 'inputs' | 'outputs', path: string): End[] => {
    if (!isPlainObject(ref) || typeof ref.node !== 'string') return [];
    const fallback = kind === 'inputs' ? DEFAULT_INPUT_PORT : DEFAULT_OUTPUT_PORT;
    const port = typeof ref.port === 'string' ? ref.port : fallback;
    const sub = nested.get(ref.node);
    if (sub) return sub[kind].get(port) ?? [];
    if (!innerIds.has(ref.node)) {
      error(
        flowErrors.code.SUBFLOW_INVALID,
        path,
        `subflow ${JSON.stringify(def.id)}: ${where(path, packedType)}/node names ${JSON.stringify(ref.node)}, which is not one of its nodes`,
        packedType,
      );
      return [];
    }
    return [{ node: `${innerPrefix}${ref.node}`, port }];
  };
  for (const kind of ['inputs', 'outputs'] as const) {
    const list = Array.isArray(def[kind]) ? (def[kind] as unknown[]) : [];
    list.forEach((port: unknown, index) => {
      if (!isPlainObject(port) || typeof port.port !== 'string') return;
      const refs = kind === 'inputs' ? port.to : port.from;
      const ends = (Array.isArray(refs) ? refs : []).flatMap((ref, i) =>
        endsOf(ref, kind, `${defPath}/${kind}/${index}/${kind === 'inputs' ? 'to' : 'from'}/${i}`),
      );
      result[kind].set(port.port, [...(result[kind].get(port.port) ?? []), ...ends]);
    });
  }
  if (typeof def.status === 'string') {
    const sub = nested.get(def.status);
    if (sub) result.status = sub.status;
    else if (innerIds.has(def.status)) result.status = `${innerPrefix}${def.status}`;
    else
      error(
        flowErrors.code.SUBFLOW_INVALID,
        `${defPath}/status`,
        `subflow ${JSON.stringify(def.id)}: ${where(`${defPath}/status`, packedType)} names ${JSON.stringify(def.status)}, which is not one of its nodes`,
        packedType,
      );
    if (result.status) ctx.statusNodes[id] = result.status;
  }
  return result;
}

/** A pointer as a message shows it: inside a packed subflow's template, say so. */
function where(path: string, packedType: string | undefined): string {
  return packedType ? `${path} (in the packed subflow ${JSON.stringify(packedType)})` : path;
}

/**
 * Inner nodes naming one of the subflow's own resources name the instance's copy of it; fields
 * naming nodes (`x-ui.widget: 'node-picker'`: a link-out's link-in nodes, a catch node's scope)
 * name the instance's copies of inner nodes, so links and catches stay inside the instance.
 */
function renameRefs(
  config: unknown,
  type: unknown,
  resourceIds: Set<string>,
  nodeIds: Set<string>,
  prefix: string,
  catalog: NodeCatalog,
): unknown {
  if (!isPlainObject(config) || typeof type !== 'string') return config;
  const info = findNodeType(catalog, type);
  let out = config;
  for (const field of Object.keys(info?.resources ?? {})) {
    const value = config[field];
    if (typeof value === 'string' && resourceIds.has(value)) out = { ...out, [field]: `${prefix}${value}` };
  }
  const inner = (v: unknown) => (typeof v === 'string' && nodeIds.has(v) ? `${prefix}${v}` : v);
  const schema = info?.configSchema;
  const props = isPlainObject(schema) && isPlainObject(schema.properties) ? schema.properties : {};
  for (const [field, fieldSchema] of Object.entries(props)) {
    const ui = isPlainObject(fieldSchema) ? fieldSchema['x-ui'] : undefined;
    if (!isPlainObject(ui) || ui.widget !== 'node-picker' || !(field in config)) continue;
    const value = config[field];
    out = { ...out, [field]: Array.isArray(value) ? value.map(inner) : inner(value) };
  }
  return out;
}

/**
 * One edge of a graph (the flow's, or a subflow's with `prefix`) as edges of the expanded flow:
 * ends at instances become the inner ends their ports list; an edge with such ends may become
 * several (or none, for a port no inner node is wired to).
 */
function rewire(
  edge: unknown,
  path: string,
  instances: Map<string, Expanded>,
  prefix: string,
  errors: FlowIssue[],
  report?: (issue: FlowIssue) => void,
): Obj[] {
  if (!isPlainObject(edge) || typeof edge.source !== 'string' || typeof edge.target !== 'string')
    return prefix === '' ? [edge as Obj] : [];
  const source = instances.get(edge.source);
  const target = instances.get(edge.target);
  // The instance's own error is reported; its wires would only repeat it.
  if (source === FAILED || target === FAILED) return [];
  if (!source && !target) {
    if (prefix === '') return [edge];
    const id = typeof edge.id === 'string' ? { id: `${prefix}${edge.id}` } : {};
    return [{ ...edge, ...id, source: `${prefix}${edge.source}`, target: `${prefix}${edge.target}` }];
  }
  const push = report ?? ((issue: FlowIssue) => errors.push(issue));
  const ends = (id: string, port: unknown, inst: Expanded | undefined, side: 'source' | 'target'): End[] => {
    const fallback = side === 'source' ? DEFAULT_OUTPUT_PORT : DEFAULT_INPUT_PORT;
    const name = typeof port === 'string' ? port : fallback;
    if (!inst) return [{ node: `${prefix}${id}`, port: name }];
    const ports = side === 'source' ? inst.outputs : inst.inputs;
    const found = ports.get(name);
    if (!found) {
      const kind = side === 'source' ? 'output' : 'input';
      const known = [...ports.keys()];
      push({
        code: flowErrors.code.SUBFLOW_PORT_UNKNOWN,
        path: `${path}/${side === 'source' ? 'sourcePort' : 'targetPort'}`,
        message: `edge at ${path}: subflow instance ${JSON.stringify(id)} has no ${kind} port ${JSON.stringify(name)} (${known.length > 0 ? `its ${kind}s: ${quoteList(known)}` : `it has no ${kind}s`})`,
      });
      return [];
    }
    return found;
  };
  const from = ends(edge.source, edge.sourcePort, source, 'source');
  const to = ends(edge.target, edge.targetPort, target, 'target');
  const out: Obj[] = [];
  for (const a of from)
    for (const b of to) out.push({ source: a.node, sourcePort: a.port, target: b.node, targetPort: b.port });
  return out;
}
