import type { NodeCatalog, NodeTypeInfo, ResourceTypeInfo } from './catalog';

type TypeMap<T> = ReadonlyMap<string, T> | Record<string, T> | undefined;

/** The installed node type named `type`, from a catalog given as a Map or a plain record. */
export function findNodeType(catalog: NodeCatalog, type: string): NodeTypeInfo | undefined {
  return lookup(catalog.nodes, type);
}

/** The installed resource type named `type`. */
export function findResourceType(catalog: NodeCatalog, type: string): ResourceTypeInfo | undefined {
  return lookup(catalog.resources, type);
}

/** Every installed node type, e.g. for a palette. */
export function catalogNodeTypes(catalog: NodeCatalog): NodeTypeInfo[] {
  return values(catalog.nodes);
}

/** Names of all installed node types (for "did you mean" hints). */
export function nodeTypeNames(catalog: NodeCatalog): string[] {
  return names(catalog.nodes);
}

/** Names of all installed resource types. */
export function resourceTypeNames(catalog: NodeCatalog): string[] {
  return names(catalog.resources);
}

function lookup<T>(map: TypeMap<T>, key: string): T | undefined {
  if (!map) return undefined;
  if (isMap(map)) return map.get(key);
  // Own keys only: a type named `constructor` must not find Object.prototype's.
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

function names<T>(map: TypeMap<T>): string[] {
  if (!map) return [];
  return isMap(map) ? [...map.keys()] : Object.keys(map);
}

function values<T>(map: TypeMap<T>): T[] {
  if (!map) return [];
  return isMap(map) ? [...map.values()] : Object.values(map);
}

function isMap<T>(map: ReadonlyMap<string, T> | Record<string, T>): map is ReadonlyMap<string, T> {
  return (
    typeof (map as ReadonlyMap<string, T>).get === 'function' &&
    typeof (map as ReadonlyMap<string, T>).keys === 'function'
  );
}
