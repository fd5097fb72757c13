// `tagflow run` starts Node.js with its start-up snapshot (about a third less CPU to the first
// message) unless the flow needs `--no-node-snapshot`: isolated-vm, the function node's sandbox,
// asks for that flag (isolates built from different start-up snapshots can crash the process), and
// a node package that is not tagflow's own may use isolated-vm too. Such a flow runs in the same
// process started again with the flag (process.execve: same pid, same stdio and signals).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { NodeRegistry } from '@tagflow/runtime/engine';

const FLAG = '--no-node-snapshot';

/** Node types that run code in an isolated-vm sandbox. */
const SANDBOXED = new Set(['function']);
/** Packages whose node and resource types never load isolated-vm except SANDBOXED. */
const OWN_PACKAGES = /^@tagflow\/nodes-/;

/** Whether this process runs with Node's start-up snapshot (the flag neither given nor in NODE_OPTIONS). */
export function snapshotOn(): boolean {
  return !process.execArgv.includes(FLAG) && !(process.env.NODE_OPTIONS ?? '').split(/\s+/).includes(FLAG);
}

/** The `type` of each item of `list`; undefined when `list` is not a list of typed objects. */
function typesOf(list: unknown): string[] | undefined {
  if (list === undefined) return [];
  if (!Array.isArray(list)) return undefined;
  const types = list.map((item: unknown) =>
    typeof item === 'object' && item !== null && typeof (item as { type?: unknown }).type === 'string'
      ? (item as { type: string }).type
      : undefined,
  );
  return types.every((t) => t !== undefined) ? types : undefined;
}

/**
 * Whether `flow` (as read from its file, not yet checked) may load isolated-vm: a function node
 * (in the flow, its subflows, or a packed subflow's template), a node or resource type that is
 * unknown or from a package not tagflow's, or a file whose shape says nothing sure.
 */
export function flowNeedsNoSnapshot(flow: unknown, registry: NodeRegistry): boolean {
  if (typeof flow !== 'object' || flow === null) return true;
  const f = flow as { nodes?: unknown; resources?: unknown; subflows?: unknown };
  const seen = new Set<string>();
  const nodes = (list: unknown): boolean => {
    const types = typesOf(list);
    if (!types) return true;
    return types.some((type) => {
      if (SANDBOXED.has(type)) return true;
      if (seen.has(type)) return false;
      seen.add(type);
      // The flow's own subflows are looked at below.
      if (type.startsWith('subflow:')) return false;
      const registered = registry.node(type);
      if (!registered || !OWN_PACKAGES.test(registered.package.name)) return true;
      return registered.definition.subflow ? nodes(registered.definition.subflow.nodes) : false;
    });
  };
  const resources = (list: unknown): boolean => {
    const types = typesOf(list);
    if (!types) return true;
    return types.some((type) => {
      const registered = registry.resource(type);
      return !registered || !OWN_PACKAGES.test(registered.package.name);
    });
  };
  if (f.subflows !== undefined && !Array.isArray(f.subflows)) return true;
  const subflows = (f.subflows ?? []) as unknown[];
  return (
    resources(f.resources) ||
    nodes(f.nodes) ||
    subflows.some((s) => {
      if (typeof s !== 'object' || s === null) return true;
      const sub = s as { nodes?: unknown; resources?: unknown };
      return resources(sub.resources) || nodes(sub.nodes);
    })
  );
}

/**
 * Starts this command again with `--no-node-snapshot`: in place with process.execve (Node.js 23.11
 * and later; it does not return), else as a child with the same stdio whose exit code is returned
 * (Ctrl-C reaches it from the terminal; SIGTERM and SIGHUP sent to this process are passed on).
 */
export async function restartWithoutSnapshot(): Promise<number> {
  const args = [FLAG, ...process.execArgv, ...process.argv.slice(1)];
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (execve) execve(process.execPath, [process.execPath, ...args], process.env);
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0))),
  );
}
