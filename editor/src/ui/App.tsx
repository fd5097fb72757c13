import { useEffect, useState } from 'react';
import { AdminApi } from '../api/client';
import { forgetToken, loadToken, saveToken } from '../api/token-store';
import type { NodesApiResponse } from '../state';
import { SignIn } from './SignIn';
import { EditorShell } from './editor/EditorShell';

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
    session.api
      .nodes()
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
      <SignIn
        initialError={session.error}
        onSignedIn={(api, nodes) => {
          saveToken(api.token);
          setSession({ kind: 'signed-in', api, nodes });
        }}
      />
    );
  }
  return (
    <EditorShell
      api={session.api}
      nodes={session.nodes}
      onSignOut={() => {
        forgetToken();
        setSession({ kind: 'signed-out' });
      }}
    />
  );
}
