import type {
  ConfigCheck,
  LinkRole,
  NodeCatalog,
  NodeMigrations,
  NumberedPorts,
  NodeTypeInfo,
  ResourceTypeInfo,
  SubflowDef,
} from '@tagflow/flow-model';
import type { AnyNodeDefinition, AnyResourceDefinition } from '@tagflow/node-sdk';

/** The npm package a node or resource type came from. */
export interface PackageRef {
  name: string;
  version: string;
}

/** A node type the runtime can run, with the package that provided it. */
export interface RegisteredNode {
  definition: AnyNodeDefinition;
  package: PackageRef;
}

/** A resource type the runtime can open, with the package that provided it. */
export interface RegisteredResource {
  definition: AnyResourceDefinition;
  package: PackageRef;
}

/** Where types registered without a package (by tests, by embedding code) come from. */
const LOCAL: PackageRef = { name: 'local', version: '0.0.0' };

/**
 * The node and resource types installed in this runtime. Filled by package discovery (or directly
 * by tests); read by the engine and by validation. A type name is unique: registering a second
 * type of the same name from another package is refused, so a flow always means one thing.
 */
export class NodeRegistry {
  private readonly nodes = new Map<string, RegisteredNode>();
  private readonly resources = new Map<string, RegisteredResource>();
  private cachedCatalog: NodeCatalog | undefined;

  registerNode(definition: AnyNodeDefinition, pkg: PackageRef = LOCAL): void {
    this.register(this.nodes, 'node', { definition, package: pkg });
  }

  registerResource(definition: AnyResourceDefinition, pkg: PackageRef = LOCAL): void {
    this.register(this.resources, 'resource', { definition, package: pkg });
  }

  private register<T extends RegisteredNode | RegisteredResource>(types: Map<string, T>, kind: string, entry: T): void {
    const type = entry.definition.type;
    const existing = types.get(type);
    if (existing && existing.package.name !== entry.package.name) {
      throw new Error(
        `${kind} type "${type}" from ${entry.package.name} clashes with the one already installed from ${existing.package.name}`,
      );
    }
    types.set(type, entry);
    this.cachedCatalog = undefined;
  }

  /** Removes every type a package provided (used when a package is uninstalled). */
  unregisterPackage(packageName: string): void {
    for (const [type, entry] of this.nodes) if (entry.package.name === packageName) this.nodes.delete(type);
    for (const [type, entry] of this.resources) if (entry.package.name === packageName) this.resources.delete(type);
    this.cachedCatalog = undefined;
  }

  node(type: string): RegisteredNode | undefined {
    return this.nodes.get(type);
  }

  resource(type: string): RegisteredResource | undefined {
    return this.resources.get(type);
  }

  nodeTypes(): RegisteredNode[] {
    return [...this.nodes.values()];
  }

  resourceTypes(): RegisteredResource[] {
    return [...this.resources.values()];
  }

  /** Plain-data view for flow validation and the editor's palette. */
  catalog(): NodeCatalog {
    if (this.cachedCatalog) return this.cachedCatalog;
    const nodes = new Map<string, NodeTypeInfo>();
    for (const { definition: d, package: pkg } of this.nodes.values()) {
      nodes.set(d.type, {
        type: d.type,
        version: d.version,
        category: d.category,
        package: pkg,
        configSchema: d.configSchema,
        inputs: d.inputs,
        outputs: d.outputs,
        ...(d.numberedOutputs ? { numberedOutputs: d.numberedOutputs } : {}),
        resources: d.resources,
        description: d.description,
        docs: d.docs,
        errors: d.errors,
        check: checkOf(d),
        ...(d.breaksCycles ? { breaksCycles: true as const } : {}),
        ...(d.manualTrigger ? { manualTrigger: true as const } : {}),
        ...(d.link ? { link: d.link } : {}),
        ...(d.subflow ? { subflow: d.subflow } : {}),
      });
    }
    const resources = new Map<string, ResourceTypeInfo>();
    for (const { definition: d, package: pkg } of this.resources.values()) {
      resources.set(d.type, {
        type: d.type,
        version: d.version,
        package: pkg,
        configSchema: d.configSchema,
        description: d.description,
        docs: d.docs,
        errors: d.errors,
        check: checkOf(d),
      });
    }
    this.cachedCatalog = { nodes, resources };
    return this.cachedCatalog;
  }

  /**
   * The body of `GET /api/nodes`, which the editor's palette, forms and help are drawn from: every
   * node and resource type in registration order, absent optional fields as `null` or `{}`.
   */
  paletteJson(): PaletteJson {
    return {
      nodes: this.nodeTypes().map(({ definition: d, package: pkg }) => ({
        type: d.type,
        version: d.version,
        category: d.category,
        description: d.description,
        docs: d.docs ?? null,
        errors: d.errors ?? {},
        inputs: d.inputs,
        outputs: d.outputs,
        // The editor draws `out1` … `outN` handles from it as the config's count changes.
        ...(d.numberedOutputs ? { numberedOutputs: d.numberedOutputs } : {}),
        configSchema: d.configSchema,
        // Which config fields name a resource, and of which type: the editor offers resource pickers from it.
        resources: d.resources ?? {},
        package: pkg,
        ...(d.breaksCycles ? { breaksCycles: true as const } : {}),
        ...(d.manualTrigger ? { manualTrigger: true as const } : {}),
        ...(d.link ? { link: d.link } : {}),
        // A packed subflow: the editor expands it as validation does (same checks as a deploy).
        ...(d.subflow ? { subflow: d.subflow } : {}),
      })),
      resources: this.resourceTypes().map(({ definition: d, package: pkg }) => ({
        type: d.type,
        version: d.version,
        description: d.description,
        docs: d.docs ?? null,
        errors: d.errors ?? {},
        configSchema: d.configSchema,
        package: pkg,
      })),
    };
  }

  /** Config migrations of a node type, for `validateFlow`. */
  readonly migrations = (type: string): NodeMigrations | undefined => {
    const entry = this.nodes.get(type);
    return entry && { version: entry.definition.version, migrations: entry.definition.migrations };
  };
}

/** A definition's `check`, called on its definition (a check may read `this`), or undefined. */
function checkOf(definition: AnyNodeDefinition | AnyResourceDefinition): ConfigCheck | undefined {
  const check = definition.check;
  return check && ((config) => check.call(definition, config));
}

/** `GET /api/nodes`: what the editor knows of the installed types (see `NodeRegistry.paletteJson`). */
export interface PaletteJson {
  nodes: Array<
    Pick<AnyNodeDefinition, 'type' | 'version' | 'category' | 'description' | 'inputs' | 'outputs' | 'configSchema'> & {
      docs: string | null;
      errors: Readonly<Record<string, string>>;
      resources: Readonly<Record<string, string>>;
      package: PackageRef;
      /** Present (true) when the node delays or limits what it passes on. */
      breaksCycles?: true;
      /** Present (true) when a person may make the node send now (the editor's inject button). */
      manualTrigger?: true;
      /** Present on link nodes: the editor offers link-in pickers and draws their virtual wires. */
      link?: LinkRole;
      /** Present when the config sets a number of output ports (see `NumberedPorts`). */
      numberedOutputs?: NumberedPorts;
      /** Present on a packed subflow: its template (see `NodeTypeInfo.subflow`). */
      subflow?: SubflowDef;
    }
  >;
  resources: Array<
    Pick<AnyResourceDefinition, 'type' | 'version' | 'description' | 'configSchema'> & {
      docs: string | null;
      errors: Readonly<Record<string, string>>;
      package: PackageRef;
    }
  >;
}
