/**
 * isolated-vm asks Node.js 20+ to run with `--no-node-snapshot`: V8 shares start-up snapshot data
 * between isolates, and isolates built from different snapshots can crash the process. It worked
 * without the flag on the machines we tested, but the runtime should start Node with it.
 */
export function lacksNoSnapshotFlag(): boolean {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) return false;
  const flag = '--no-node-snapshot';
  return !process.execArgv.includes(flag) && !(process.env.NODE_OPTIONS ?? '').split(/\s+/).includes(flag);
}
