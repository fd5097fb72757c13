import { subflowPackage, subflowPackProblem } from '@tagflow/flow-model';
import type { Flow } from '@tagflow/flow-model';
import { closeSubflow, gzip, makeSubflow, openSubflow, subflowIdOf, tarArchive } from '../../state';
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

  // The subflow to pack: the open one, or the one the selected instance places.
  const packable = editing?.subflowId ?? instance;
  const pack = async () => {
    if (!packable) return;
    const flow = wholeFlow(store.current().toFlow(), editing);
    const problem = subflowPackProblem(flow, packable);
    if (problem) return store.notify(`Cannot pack subflow “${packable}”: ${problem}.`);
    // The package only calls defineNode, which every SDK since 0.1.0 has.
    const pkg = subflowPackage(flow, packable, { sdkRange: '>=0.1.0' });
    const bytes = await gzip(tarArchive(pkg.files));
    const file = `${pkg.name}-${pkg.version}.tgz`;
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/gzip' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = file;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    store.notify(
      `Saved ${file}: node type “${pkg.type}”, version ${pkg.version}. Install it on a runtime with: tagflow nodes install ${file}`,
      'info',
    );
  };

  const back = () => {
    if (!editing) return;
    const merged = closeSubflow(editing.parent, editing.subflowId, store.current().toFlow());
    onEditing(null);
    store.replace(merged);
  };

  return (
    // A zero-height anchor: the bar floats over the canvas, which keeps its place.
    <div className="subflow-anchor">
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
        {packable && (
          <button type="button" data-testid="pack-subflow" onClick={() => void pack()}>
            Pack as node package
          </button>
        )}
      </div>
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
