import type { FormContext } from './form-context';

/**
 * Picks nodes of the flow by id (`x-ui.widget: 'node-picker'`), of one type when the schema says
 * `x-ui.nodeType` (a link-out's link-in nodes): a list for one id, checkboxes for a list of ids.
 * An id that is not (or no longer) in the flow stays shown, marked, so nothing is lost silently.
 */
export function NodePicker({
  id,
  nodeType,
  multiple,
  value,
  onChange,
  ctx,
}: {
  id: string;
  nodeType?: string;
  multiple: boolean;
  value: unknown;
  onChange(v: unknown): void;
  ctx: FormContext;
}) {
  const candidates = ctx.nodes.filter((n) => n.id !== ctx.nodeId && (nodeType === undefined || n.type === nodeType));
  const what = nodeType ?? 'node';
  const label = (n: { id: string; label?: string }) => (n.label ? `${n.label} (${n.id})` : n.id);
  if (!multiple) {
    const chosen = typeof value === 'string' ? value : '';
    const missing = chosen !== '' && !candidates.some((n) => n.id === chosen);
    return (
      <select
        id={`f-${id}`}
        data-testid={`field-${id}`}
        value={chosen}
        onChange={(e) => onChange(e.target.value || undefined)}
      >
        <option value="">{candidates.length === 0 ? `— no ${what} in this flow yet —` : `— choose a ${what} —`}</option>
        {candidates.map((n) => (
          <option key={n.id} value={n.id}>
            {label(n)}
          </option>
        ))}
        {missing && <option value={chosen}>{chosen} (not in this flow)</option>}
      </select>
    );
  }
  const chosen = Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  const missing = chosen.filter((c) => !candidates.some((n) => n.id === c));
  const toggle = (nodeId: string, on: boolean) =>
    onChange(on ? [...chosen, nodeId] : chosen.filter((c) => c !== nodeId));
  return (
    <div className="node-picker" id={`f-${id}`} data-testid={`field-${id}`}>
      {candidates.length === 0 && missing.length === 0 && <p className="hint empty">No {what} in this flow yet.</p>}
      {[
        ...candidates.map((n) => ({ nodeId: n.id, text: label(n) })),
        ...missing.map((m) => ({ nodeId: m, text: `${m} (not in this flow)` })),
      ].map(({ nodeId, text }) => (
        <label key={nodeId} className="node-picker-item">
          <input
            type="checkbox"
            data-testid={`pick-${id}-${nodeId}`}
            checked={chosen.includes(nodeId)}
            onChange={(e) => toggle(nodeId, e.target.checked)}
          />
          {text}
        </label>
      ))}
    </div>
  );
}
