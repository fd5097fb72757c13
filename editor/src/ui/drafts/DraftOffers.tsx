import type { DraftsControl } from '../tabs/use-local-drafts';
import '../../styles/drafts.css';

/** Under the tabs: each undeployed edit found in the browser after a reload, with Restore and Discard. */
export function DraftOffers({ drafts }: { drafts: DraftsControl }) {
  if (drafts.offers.length === 0 && !drafts.warning) return null;
  return (
    <section className="draft-offers" aria-label="Undeployed changes kept in this browser" data-testid="draft-offers">
      {drafts.warning && (
        <p className="draft-offer-note" role="alert" data-testid="draft-warning">
          {drafts.warning}
        </p>
      )}
      {drafts.offers.map(({ draft, question, note }) => (
        <div className="draft-offer" key={draft.flowId} data-testid={`draft-offer-${draft.flowId}`}>
          <span data-testid="draft-offer-text">{question}</span>
          <button
            type="button"
            className="primary"
            data-testid="draft-restore"
            onClick={() => drafts.restore(draft.flowId)}
          >
            Restore
          </button>
          <button type="button" data-testid="draft-discard" onClick={() => drafts.discard(draft.flowId)}>
            Discard
          </button>
          {note && (
            <span className="draft-offer-note" data-testid="draft-offer-stale">
              {note}
            </span>
          )}
        </div>
      ))}
    </section>
  );
}
