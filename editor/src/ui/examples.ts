import type { Flow } from '@tagflow/flow-model';

// The example flows bundled at build time (nothing is fetched at run time).
const files = import.meta.glob<Flow>('../../../examples/*/flow.json', { eager: true, import: 'default' });

/** Bundled example flows by name (`pump-monitor`, ...), sorted. */
export const EXAMPLES: readonly { name: string; flow: Flow }[] = Object.entries(files)
  .map(([path, flow]) => ({ name: path.split('/').slice(-2, -1)[0], flow }))
  .sort((a, b) => a.name.localeCompare(b.name));
