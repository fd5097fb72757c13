import type { Flow, FlowIssue, FlowValidation } from '../src';

/** A valid two-node flow to break one field at a time. */
export function smallFlow(): Flow & { nodes: Array<Flow['nodes'][number] & Record<string, unknown>> } {
  return {
    schemaVersion: 1,
    id: 'small',
    resources: [],
    nodes: [
      { id: 'sensor', type: 'simulate', typeVersion: 1, config: { tag: 'pump/flow' } },
      { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: 3 } } },
    ],
    edges: [{ source: 'sensor', target: 'avg' }],
  };
}

/** The errors of a refused flow (fails the test when the flow was accepted). */
export function errorsOf(result: FlowValidation): FlowIssue[] {
  if (result.ok) throw new Error('expected the flow to be refused, but it was accepted');
  return result.errors;
}

/** Codes of a refused flow's errors, in order. */
export function codesOf(result: FlowValidation): string[] {
  return errorsOf(result).map((e) => e.code);
}
