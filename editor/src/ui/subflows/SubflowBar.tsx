import type { Flow } from '@tagflow/flow-model';
import { closeSubflow, makeSubflow, openSubflow, subflowIdOf } from '../../state';
import type { DocumentStore } from '../editor/use-document';

/** The subflow being edited on the canvas, and the flow it belongs to. */
export interface SubflowEditing {
  parent: Flow;
  subflowId: string;
}

/**
 * Above the canvas: "Make subflow" for the selected nodes, "Open subflow" for a selected
 * instance, and while a subflow is open, a breadcrumb back to its flow.
 */
export function SubflowBar({
  store,
  editing,
  onEditing,
}: {
  store: DocumentStore;
  editing: SubflowEditing | null;
  onEditing(next: SubflowEditing | null): void;
}) {
  const doc = store.doc;
  const selected = doc.nodes.filter((n) => n.selected);
  const instance = selected.length === 1 ? subflowIdOf(selected[0].type) : undefined;
  const subflowName = editing
    ? (editing.parent.subflows?.find((s) => s.id === editing.subflowId)?.name ?? editing.subflowId)
    : undefined;
  if (!editing && selected.length === 0) return null;

  const make = () => {
    const made = makeSubflow(
      store.current().toFlow(),
      selected.map((n) => n.id),
    );
    if (!made.ok) return store.notify(capitalize(made.reason));
    store.replace(made.flow);
    store.notify(
      `Made subflow “${made.subflowId}” from ${selected.length} node${selected.length === 1 ? '' : 's'}; “${made.instanceId}” uses it (Undo to go back).`,
      'info',
    );
  };

  const open = () => {
    if (!instance) return;
    const parent = store.current().toFlow();
    const view = openSubflow(parent, instance);
    if (!view) return store.notify(`This flow has no subflow “${instance}”.`);
    onEditing({ parent, subflowId: instance });
    store.replace(view);
  };

  const back = () => {
    if (!editing) return;
    const merged = closeSubflow(editing.parent, editing.subflowId, store.current().toFlow());
    onEditing(null);
    store.replace(merged);
  };

  return (
    <div className="subflow-bar" data-testid="subflow-bar">
      {editing && (
        <nav className="subflow-breadcrumb" aria-label="Subflow">
          <button type="button" data-testid="subflow-back" onClick={back}>
            ← {editing.parent.name ?? editing.parent.id}
          </button>
          <span aria-hidden="true"> › </span>
          <span data-testid="subflow-open-name">Subflow “{subflowName}”</span>
        </nav>
      )}
      {selected.length > 0 && (
        <button type="button" data-testid="make-subflow" onClick={make}>
          Make subflow
        </button>
      )}
      {instance && (
        <button type="button" data-testid="open-subflow" onClick={open}>
          Open subflow
        </button>
      )}
    </div>
  );
}

/** The flow to deploy or save: while a subflow is open, its flow with the subflow put back. */
export function wholeFlow(current: Flow, editing: SubflowEditing | null): Flow {
  return editing ? closeSubflow(editing.parent, editing.subflowId, current) : current;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
