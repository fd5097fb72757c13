import '../../styles/drafts.css';

/** Asks before signing out while flows have undeployed changes, naming them. */
export function SignOutDialog({
  flows,
  onSignOut,
  onCancel,
}: {
  /** Names of the flows with undeployed changes. */
  flows: readonly string[];
  onSignOut(): void;
  onCancel(): void;
}) {
  return (
    <div className="modal-backdrop" role="presentation" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <div
        className="modal"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="sign-out-title"
        aria-describedby="sign-out-text"
        data-testid="sign-out-dialog"
      >
        <h2 id="sign-out-title">Sign out with undeployed changes?</h2>
        <div id="sign-out-text">
          <p>{flows.length === 1 ? 'This flow has' : 'These flows have'} changes the runtime does not have yet:</p>
          <ul className="sign-out-flows" data-testid="sign-out-flows">
            {flows.map((name) => (
              <li key={name}>{name}</li>
            ))}
          </ul>
          <p>
            They stay in this browser only, and are offered back when you sign in here again. Deploy them to keep them
            on the runtime.
          </p>
        </div>
        <div className="actions">
          <button type="button" data-testid="sign-out-cancel" onClick={onCancel} autoFocus>
            Cancel
          </button>
          <button type="button" className="danger" data-testid="sign-out-confirm" onClick={onSignOut}>
            Sign out anyway
          </button>
        </div>
      </div>
    </div>
  );
}
