import type {
  JSONSchema,
  LinkRole,
  NodeCatalog,
  NodeTypeInfo,
  NumberedPorts,
  PrecompiledValidators,
  ResourceTypeInfo,
  SubflowDef,
} from '@tagflow/flow-model';

/** The npm package a node or resource type came from. */
export interface PackageRef {
  name: string;
  version: string;
}

/** One node type as GET /api/nodes returns it. */
export interface ApiNodeType {
  type: string;
  version: number;
  category: string;
  description?: string;
  /** Markdown help; `null` when the package has none. */
  docs?: string | null;
  /** Error codes the node may raise, with their meanings; older runtimes leave it out. */
  errors?: Readonly<Record<string, string>>;
  inputs: readonly string[];
  outputs: readonly string[];
  /** Output ports `out1` … `outN` after `outputs`, N from a config field; older runtimes leave it out. */
  numberedOutputs?: NumberedPorts;
  configSchema: JSONSchema;
  /** Config field -> resource type, e.g. `{ broker: 'mqtt-broker' }`; older runtimes leave it out. */
  resources?: Readonly<Record<string, string>>;
  package?: PackageRef;
  /** True when the node delays or limits what it passes on (a loop through it cannot spin). */
  breaksCycles?: true;
  /** True when the node has an inject button (a person may make it send now); older runtimes leave it out. */
  manualTrigger?: true;
  /** A link node's role: its virtual wires are drawn dashed and count as connections. */
  link?: LinkRole;
  /** A packed subflow's template: validation expands its nodes as the runtime does. */
  subflow?: SubflowDef;
}

/** One resource type as GET /api/nodes returns it. */
export interface ApiResourceType {
  type: string;
  version?: number;
  category?: string;
  description?: string;
  /** Markdown help; `null` when the package has none. */
  docs?: string | null;
  /** Error codes the resource may raise, with their meanings. */
  errors?: Readonly<Record<string, string>>;
  configSchema: JSONSchema;
  package?: PackageRef;
}

/** The body of GET /api/nodes. */
export interface NodesApiResponse {
  nodes: readonly ApiNodeType[];
  resources?: readonly ApiResourceType[];
  /** Where the runtime serves these types' config validators, compiled ahead of time (relative to the page). */
  validators?: string;
  /** Those validators, once loaded (not JSON: the API client attaches them, see `withPrecompiledValidators`). */
  precompiled?: PrecompiledValidators;
}

/** A node type as the editor knows it: what validation needs, and the docs and errors its help shows. */
export type EditorNodeTypeInfo = NodeTypeInfo;

/** A `NodeCatalog` whose maps are `Map`s, with the docs the palette shows; `validateFlow` accepts it as is. */
export interface EditorCatalog extends NodeCatalog {
  nodes: ReadonlyMap<string, EditorNodeTypeInfo>;
  resources: ReadonlyMap<string, ResourceTypeInfo>;
}

/** Builds the catalog `validateFlow` needs from GET /api/nodes, e.g. `catalogFromApi(await (await fetch('/api/nodes')).json())`. */
export function catalogFromApi(response: NodesApiResponse): EditorCatalog {
  const nodes = new Map<string, EditorNodeTypeInfo>();
  for (const n of response.nodes ?? []) {
    const info: EditorNodeTypeInfo = {
      type: n.type,
      version: n.version,
      category: n.category,
      configSchema: n.configSchema,
      inputs: [...(n.inputs ?? [])],
      outputs: [...(n.outputs ?? [])],
    };
    if (n.package) info.package = { name: n.package.name, version: n.package.version };
    if (n.resources) info.resources = { ...n.resources };
    if (n.description !== undefined) info.description = n.description;
    if (typeof n.docs === 'string') info.docs = n.docs;
    if (n.errors && Object.keys(n.errors).length > 0) info.errors = { ...n.errors };
    if (n.breaksCycles === true) info.breaksCycles = true;
    if (n.manualTrigger === true) info.manualTrigger = true;
    if (n.link === 'in' || n.link === 'out' || n.link === 'call') info.link = n.link;
    if (n.subflow && typeof n.subflow === 'object') info.subflow = n.subflow;
    const numbered = n.numberedOutputs;
    if (typeof numbered?.prefix === 'string' && typeof numbered.countField === 'string')
      info.numberedOutputs = { prefix: numbered.prefix, countField: numbered.countField };
    nodes.set(n.type, info);
  }
  const resources = new Map<string, ResourceTypeInfo>();
  for (const r of response.resources ?? []) {
    const info: ResourceTypeInfo = { type: r.type, configSchema: r.configSchema };
    if (r.category !== undefined) info.category = r.category;
    if (r.package) info.package = { name: r.package.name, version: r.package.version };
    if (r.version !== undefined) info.version = r.version;
    if (r.description !== undefined) info.description = r.description;
    if (typeof r.docs === 'string') info.docs = r.docs;
    if (r.errors && Object.keys(r.errors).length > 0) info.errors = { ...r.errors };
    resources.set(r.type, info);
  }
  // With them, validation here compiles nothing: the page's CSP forbids eval.
  return response.precompiled ? { nodes, resources, validators: response.precompiled } : { nodes, resources };
}
