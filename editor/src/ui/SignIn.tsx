import { useState } from 'react';
import type { FormEvent } from 'react';
import { AdminApi } from '../api/client';
import type { NodesApiResponse } from '../state';

/** Asks for a runtime token and checks it against the runtime before keeping it. */
export function SignIn({
  initialError,
  onSignedIn,
}: {
  initialError?: string;
  onSignedIn(api: AdminApi, nodes: NodesApiResponse): void;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(initialError);
  const [busy, setBusy] = useState(false);
  // Shows its own errors in the form, so onSubmit fires it and forgets it.
  const signIn = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const value = token.trim();
    if (!value) return setError('Please paste a token first.');
    setBusy(true);
    setError(undefined);
    const api = new AdminApi(value);
    try {
      const nodes = await api.nodes();
      onSignedIn(api, nodes);
    } catch (err) {
      const status = (err as { status?: number }).status;
      setError(
        status === 401
          ? 'This token is not valid: it may be mistyped, incomplete or revoked. Check it and try again.'
          : err instanceof Error
            ? err.message
            : String(err),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in-page">
      <div className="sign-in-card">
        <h1>tagflow editor</h1>
        <p className="hint">
          Sign in with a token of this runtime. The token was printed once when the runtime first started (
          <code>admin token: tf_…</code>), or ask your administrator for one (<code>tagflow token create</code>).
        </p>
        <form onSubmit={(e) => void signIn(e)}>
          <label htmlFor="token">Token</label>
          <input
            id="token"
            data-testid="token-input"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="tf_…"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            autoFocus
          />
          {error && (
            <p className="sign-in-error" data-testid="sign-in-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary" data-testid="sign-in" disabled={busy}>
            {busy ? 'Checking…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
