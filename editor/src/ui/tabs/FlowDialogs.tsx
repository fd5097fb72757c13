import { useState } from 'react';
import { slugify } from '../../state';

/**
 * Asks for a flow's name: for a new flow (`idFrom` shows the id the name will give) or a rename
 * (the id stays). `onConfirm` returns the reason when the name is refused; the dialog stays open.
 */
export function FlowNameDialog({
  title,
  initial,
  confirmLabel,
  testId,
  idNote,
  onConfirm,
  onClose,
}: {
  title: string;
  initial: string;
  confirmLabel: string;
  /** Prefix of the dialog's test ids: `<testId>-dialog`, `-name`, `-confirm`, `-cancel`. */
  testId: string;
  /** What to say about the id under the field, from the name typed so far. */
  idNote(name: string): string;
  onConfirm(name: string): string | undefined;
  onClose(): void;
}) {
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | undefined>();
  const submit = () => {
    const refused = onConfirm(name);
    if (refused) setError(refused);
    else onClose();
  };
  return (
    <div className="modal-backdrop" role="presentation" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <form
        className="modal flow-name-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${testId}-title`}
        data-testid={`${testId}-dialog`}
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <h2 id={`${testId}-title`}>{title}</h2>
        <div className="field">
          <label htmlFor={`${testId}-name`}>Flow name</label>
          <input
            id={`${testId}-name`}
            data-testid={`${testId}-name`}
            type="text"
            value={name}
            autoFocus
            onChange={(e) => {
              setName(e.target.value);
              setError(undefined);
            }}
          />
          <p className="hint" data-testid={`${testId}-id`}>
            {idNote(name)}
          </p>
          {error && (
            <p className="error-text" role="alert">
              {error}
            </p>
          )}
        </div>
        <div className="actions">
          <button type="button" data-testid={`${testId}-cancel`} onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid={`${testId}-confirm`}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </div>
  );
}

/** What the id note of the new-flow dialog says for a name typed so far. */
export function newFlowIdNote(name: string, uniqueId: (name: string) => string): string {
  return slugify(name)
    ? `Its id will be “${uniqueId(name)}” (used by the CLI and the API; it does not change on rename).`
    : 'Its id is made from the name: type letters or digits.';
}

/**
 * Asks before a flow is deleted, naming it; `deployed` false for a flow the runtime does not hold
 * yet (only the tab goes). `onConfirm` rejects with the runtime's reason, shown in the dialog.
 */
export function DeleteFlowDialog({
  name,
  id,
  deployed,
  dirty,
  onConfirm,
  onClose,
}: {
  name: string;
  id: string;
  deployed: boolean;
  dirty: boolean;
  onConfirm(): Promise<void>;
  onClose(): void;
}) {
  const [phase, setPhase] = useState<{ kind: 'ask' } | { kind: 'deleting' } | { kind: 'failed'; message: string }>({
    kind: 'ask',
  });
  const confirm = () => {
    setPhase({ kind: 'deleting' });
    onConfirm().then(onClose, (err: unknown) =>
      setPhase({ kind: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
  };
  return (
    <div className="modal-backdrop" role="presentation" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div
        className="modal"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="delete-flow-title"
        aria-describedby="delete-flow-text"
        data-testid="delete-flow-dialog"
      >
        <h2 id="delete-flow-title">Delete the flow “{name}”?</h2>
        <p id="delete-flow-text" data-testid="delete-flow-text">
          {deployed
            ? `“${name}” (id ${id}) stops running and leaves this runtime; the other flows keep running. Its versions are kept in the runtime's flows-deleted folder, not in the editor.`
            : `“${name}” was never deployed: its tab and everything drawn in it go.`}
          {dirty && deployed ? ' Its undeployed changes are lost.' : ''}
        </p>
        {phase.kind === 'failed' && (
          <p className="deploy-result bad" role="alert" data-testid="delete-flow-error">
            {phase.message}
          </p>
        )}
        <div className="actions">
          <button type="button" data-testid="delete-flow-cancel" onClick={onClose} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            className="danger"
            data-testid="delete-flow-confirm"
            disabled={phase.kind === 'deleting'}
            onClick={confirm}
          >
            {phase.kind === 'deleting' ? 'Deleting…' : `Delete “${name}”`}
          </button>
        </div>
      </div>
    </div>
  );
}
