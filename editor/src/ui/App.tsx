import { lazy, Suspense, useEffect, useState } from 'react';
import { AdminApi } from '../api/client';
import { forgetToken, loadToken, saveToken } from '../api/token-store';
import type { NodesApiResponse } from '../state';
import { LoadBoundary } from './LoadBoundary';
import { SignIn } from './SignIn';

// The editor (canvas, forms, panels) is most of the code: the sign-in page loads without it, and
// it is fetched once a token is typed (or found saved), while the runtime checks the token.
const loadShell = () => import('./editor/EditorShell');
const EditorShell = lazy(() => loadShell().then((m) => ({ default: m.EditorShell })));
function preloadShell(): void {
  // A failed fetch is not lost: the lazy component asks again when it renders and shows the error.
  loadShell().catch((err: unknown) => console.warn('preloading the editor failed; it is fetched again on use', err));
}
// With a saved token, the editor's fetch and the token's check start as this module loads,
// before React's first render: the canvas shows sooner after a reload.
const savedToken = loadToken();
let savedCheck: Promise<NodesApiResponse> | undefined;
if (savedToken) {
  preloadShell();
  savedCheck = new AdminApi(savedToken).nodes();
  // Its failure is reported by the effect below, which takes this promise over.
  savedCheck.catch(() => undefined);
}

type Session =
  | { kind: 'signed-out'; error?: string }
  | { kind: 'checking'; api: AdminApi }
  | { kind: 'signed-in'; api: AdminApi; nodes: NodesApiResponse };

/** Sign-in gate: a token kept in sessionStorage is checked again on load. */
export function App() {
  const [session, setSession] = useState<Session>(() => {
    const token = loadToken();
    return token ? { kind: 'checking', api: new AdminApi(token) } : { kind: 'signed-out' };
  });

  useEffect(() => {
    if (session.kind !== 'checking') return;
    let gone = false;
    const check = savedCheck && session.api.token === savedToken ? savedCheck : session.api.nodes();
    savedCheck = undefined;
    check
      .then((nodes) => !gone && setSession({ kind: 'signed-in', api: session.api, nodes }))
      .catch((err: unknown) => {
        if (gone) return;
        const status = (err as { status?: number }).status;
        if (status === 401) forgetToken();
        setSession({
          kind: 'signed-out',
          error:
            status === 401
              ? 'Your saved token is no longer valid (revoked?). Please sign in again.'
              : err instanceof Error
                ? err.message
                : String(err),
        });
      });
    return () => {
      gone = true;
    };
  }, [session]);

  if (session.kind === 'checking') return <div className="sign-in-page">Connecting to the runtime…</div>;
  if (session.kind === 'signed-out') {
    return (
      <div style={{ display: 'contents' }} onInput={preloadShell}>
        <SignIn
          initialError={session.error}
          onSignedIn={(api, nodes) => {
            saveToken(api.token);
            setSession({ kind: 'signed-in', api, nodes });
          }}
        />
      </div>
    );
  }
  return (
    <LoadBoundary>
      <Suspense fallback={<div className="sign-in-page">Loading the editor…</div>}>
        <EditorShell
          api={session.api}
          nodes={session.nodes}
          onSignOut={() => {
            forgetToken();
            setSession({ kind: 'signed-out' });
          }}
        />
      </Suspense>
    </LoadBoundary>
  );
}
