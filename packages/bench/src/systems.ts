// The systems the Node-RED comparison measures: tagflow, and each Node-RED release installed side by
// side in packages/bench (npm aliases in its devDependencies). One table here, so that adding a
// release is one line and no figure names a version.

/** A Node-RED release under measurement. */
export type NodeRedSystem = 'node-red-4' | 'node-red-5';

/** A system under measurement. */
export type System = NodeRedSystem | 'tagflow';

/** The Node-RED releases, oldest first. */
export const NODE_RED_SYSTEMS: readonly NodeRedSystem[] = ['node-red-4', 'node-red-5'];

/** Every system, in the order tables list them. */
export const SYSTEMS: readonly System[] = [...NODE_RED_SYSTEMS, 'tagflow'];

/** The release the README's targets are stated against (issue 8 measured it). */
export const TARGET_BASELINE: NodeRedSystem = 'node-red-4';

/** The npm package (or alias) each Node-RED release is installed as; nodered/nr-child.cjs requires it. */
export const NODE_RED_PACKAGE: Record<NodeRedSystem, string> = { 'node-red-4': 'node-red', 'node-red-5': 'node-red-5' };

export function isNodeRed(system: System): system is NodeRedSystem {
  return system !== 'tagflow';
}

/** The version of a system as installed here, e.g. `5.0.7`, read from its package.json. */
export function systemVersion(system: System): string {
  const pkg = system === 'tagflow' ? '@tagflow/runtime' : NODE_RED_PACKAGE[system];
  return (require(`${pkg}/package.json`) as { version: string }).version;
}

/** How tables name a system: `Node-RED 4.1.15`, `tagflow`. */
export function systemName(system: System): string {
  return isNodeRed(system) ? `Node-RED ${systemVersion(system)}` : 'tagflow';
}

/** `runs` rounds of `subjects`, the order rotating each round, so that drift on the machine hits each alike. */
export function rotations<T>(subjects: readonly T[], runs: number): T[][] {
  return Array.from({ length: runs }, (_, run) => subjects.map((_s, k) => subjects[(k + run) % subjects.length]));
}
