import path from 'node:path';
import { isPlainObject, splitDocsExample } from '@tagflow/flow-model';
import type { NodeTypeInfo, ResourceTypeInfo } from '@tagflow/flow-model';
import { discoverNodePackages, NodeRegistry } from '@tagflow/runtime/engine';

/** This package's folder: its node_modules links the repository's node packages, as a runtime's would. */
const PACKAGE_DIR = path.resolve(__dirname, '..');

let installed: Promise<NodeRegistry> | undefined;

/**
 * A registry filled the way `tagflow start` fills its own: package discovery over node_modules
 * (core, MQTT, Modbus, OPC UA, historian). Loaded once per test file; a package that fails to load
 * fails the caller, since the properties would otherwise quietly cover fewer types.
 */
export function installedRegistry(): Promise<NodeRegistry> {
  installed ??= (async () => {
    const registry = new NodeRegistry();
    const report = await discoverNodePackages([PACKAGE_DIR], registry);
    if (report.problems.length > 0)
      throw new Error(
        `node packages failed to load:\n${report.problems.map((p) => `${p.package}: ${p.message}`).join('\n')}`,
      );
    return registry;
  })();
  return installed;
}

/** The node types of one package, e.g. `@tagflow/nodes-core`. */
export function typesOf(registry: NodeRegistry, packageName: string): NodeTypeInfo[] {
  return [...catalogNodes(registry)].filter((info) => info.package?.name === packageName);
}

export function catalogNodes(registry: NodeRegistry): NodeTypeInfo[] {
  return [...(registry.catalog().nodes as ReadonlyMap<string, NodeTypeInfo>).values()];
}

export function catalogResources(registry: NodeRegistry): ResourceTypeInfo[] {
  return [...((registry.catalog().resources ?? new Map()) as ReadonlyMap<string, ResourceTypeInfo>).values()];
}

/**
 * The configs a type's own docs show in their `## Example` section (every definition has one): valid
 * configs written by the node's author, a better start for mutations than configs drawn from the schema.
 */
export function exampleConfigs(info: { type: string; docs?: string }): Array<Record<string, unknown>> {
  const example = splitDocsExample(info.docs ?? '').example ?? '';
  const configs: Array<Record<string, unknown>> = [];
  for (const block of example.matchAll(/```(?:json)?\n([\s\S]*?)```/g)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(block[1]);
    } catch {
      continue; // prose-like blocks (messages with comments, shell lines) are not configs
    }
    collect(parsed, info.type, configs);
  }
  return configs;
}

function collect(value: unknown, type: string, out: Array<Record<string, unknown>>): void {
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) stack.push(...(item as unknown[]));
    else if (isPlainObject(item)) {
      if (item.type === type && isPlainObject(item.config)) out.push(item.config);
      stack.push(...Object.values(item));
    }
  }
}
