import { Component } from 'react';
import type { ReactNode } from 'react';

/**
 * Catches a part of the editor that could not be fetched (the runtime went away, or was updated
 * and no longer has the files this page names), or an error while drawing it, and offers a
 * reload instead of a blank page.
 */
export class LoadBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override componentDidCatch(error: Error): void {
    console.error('the editor could not be shown', error);
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    // Chromium, Firefox and Safari word a failed dynamic import differently.
    const notFetched = /dynamically imported module|Importing a module script failed/i.test(error.message);
    return (
      <main className="sign-in-page">
        <div className="sign-in-card" data-testid="load-error" role="alert">
          <h1>{notFetched ? 'The editor could not be loaded' : 'The editor stopped on an error'}</h1>
          <p className="sign-in-error">
            {notFetched
              ? 'The runtime did not send a part of the editor. It may be restarting, or it was updated since this page was opened.'
              : `${error.message}.`}{' '}
            Reload the page to try again; your sign-in is kept.
          </p>
          <button
            type="button"
            className="primary"
            data-testid="load-error-reload"
            onClick={() => window.location.reload()}
          >
            Reload
          </button>
        </div>
      </main>
    );
  }
}
