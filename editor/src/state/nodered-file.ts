import { isRecord } from '@tagflow/flow-model';

/**
 * True when a parsed file looks like a Node-RED export rather than a tagflow flow: Node-RED's
 * Export writes a list of nodes (each with an `id` and a `type`), or `{ flows: [...] }` from its
 * storage API; a tagflow flow is an object with `nodes` and `edges`.
 */
export function isNodeRedExport(json: unknown): boolean {
  const list = Array.isArray(json) ? json : isRecord(json) && !('nodes' in json) ? json.flows : undefined;
  return (
    Array.isArray(list) &&
    list.length > 0 &&
    list.every((o) => isRecord(o) && typeof o.id === 'string' && typeof o.type === 'string')
  );
}
