import { useEffect, useState } from 'react';
import { endNoticeText, safeModeText } from '../../state';
import { useLive } from './use-live';

/**
 * Under the toolbar: safe mode (no flow runs, why, since when) and the last time the runtime
 * stopped the flow and what it restored, dismissible. Deploying is the way out of safe mode; the
 * toolbar's Deploy button stays usable. The editor has no versions panel yet, so rolling back is
 * named but done with `tagflow rollback`.
 */
export function EngineBanner() {
  const live = useLive();
  const view = live.engine.view;
  // Re-rendered each half minute so that "5 min ago" keeps counting.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (view.state !== 'safe-mode') return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, [view.state]);
  const safe = safeModeText(view, now);
  if (!safe && !view.notice) return <div className="engine-banners" />;
  return (
    <div className="engine-banners">
      {safe && (
        <div className="engine-banner safe-mode" role="alert" data-testid="safe-mode-banner">
          <span>{safe.text}</span> {safe.since && <span className="since">{safe.since}</span>}
        </div>
      )}
      {view.notice && (
        <div className="engine-banner ended" role="status" data-testid="engine-notice">
          <span>{endNoticeText(view.notice)}</span>
          <button
            type="button"
            className="dismiss"
            data-testid="engine-notice-dismiss"
            aria-label="Dismiss this notice"
            title="Dismiss"
            onClick={() => live.dismissEngineNotice()}
          >
            ×
          </button>
        </div>
      )}
    </div>
  );
}
