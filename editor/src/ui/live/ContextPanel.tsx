import { useCallback, useEffect, useState } from 'react';
import type { AdminApi } from '../../api/client';
import { contextPreview, scopeSummary } from '../../state';
import type { ContextScopeView } from '../../state';

type ScopeKind = 'node' | 'flow' | 'global';

interface Loaded {
  view?: ContextScopeView;
  error?: string;
}

/**
 * The Context tab: the flow state the runtime keeps (GET /api/context/...) for the selected node,
 * the flow and the runtime, read on open and on Refresh (values change as messages flow; the tab
 * does not poll). A key is deleted after a second click (deployer token).
 */
export function ContextPanel({
  api,
  flowId,
  node,
}: {
  api: AdminApi;
  flowId: string;
  /** The selected node, when exactly one is. */
  node?: { id: string; label?: string };
}) {
  const [scopes, setScopes] = useState<Partial<Record<ScopeKind, Loaded>>>({});
  const [loading, setLoading] = useState(false);
  const [confirming, setConfirming] = useState<string | undefined>();

  const nodeId = node?.id;
  const refresh = useCallback(async () => {
    setLoading(true);
    const load = async (kind: ScopeKind): Promise<[ScopeKind, Loaded]> => {
      try {
        const view =
          kind === 'global'
            ? await api.context()
            : kind === 'flow'
              ? await api.context(flowId)
              : await api.context(flowId, nodeId);
        return [kind, { view }];
      } catch (err) {
        return [kind, { error: err instanceof Error ? err.message : String(err) }];
      }
    };
    const kinds: ScopeKind[] = nodeId === undefined ? ['flow', 'global'] : ['node', 'flow', 'global'];
    const loaded = await Promise.all(kinds.map(load));
    setScopes(Object.fromEntries(loaded));
    setConfirming(undefined);
    setLoading(false);
  }, [api, flowId, nodeId]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const remove = async (kind: ScopeKind, key: string) => {
    try {
      if (kind === 'global') await api.deleteContextKey(key);
      else if (kind === 'flow') await api.deleteContextKey(key, flowId);
      else await api.deleteContextKey(key, flowId, nodeId);
      await refresh();
    } catch (err) {
      setConfirming(undefined);
      setScopes((s) => ({
        ...s,
        [kind]: { ...s[kind], error: err instanceof Error ? err.message : String(err) },
      }));
    }
  };

  const titles: Record<ScopeKind, string> = {
    node: `This node: ${node?.label ? `${node.label} (${node.id})` : (node?.id ?? '')}`,
    flow: `Flow: ${flowId}`,
    global: 'Global',
  };
  const kinds: ScopeKind[] = nodeId === undefined ? ['flow', 'global'] : ['node', 'flow', 'global'];
  return (
    <div className="context-panel" data-testid="context-panel">
      <div className="context-bar">
        <span className="hint">
          Flow state kept by the runtime{nodeId === undefined ? '; select a node to see its own' : ''}.
        </span>
        <button
          type="button"
          className="small"
          data-testid="context-refresh"
          disabled={loading}
          onClick={() => void refresh()}
        >
          {loading ? 'Reading…' : 'Refresh'}
        </button>
      </div>
      {kinds.map((kind) => {
        const loaded = scopes[kind];
        const summary = loaded?.view ? scopeSummary(loaded.view) : undefined;
        return (
          <section key={kind} className="context-scope" data-testid={`context-scope-${kind}`}>
            <h3>{titles[kind]}</h3>
            {summary && (
              <p className="context-summary" data-testid="context-summary">
                {summary.text}
              </p>
            )}
            {summary?.warning && (
              <p className="context-warning error-text" data-testid="context-refused">
                {summary.warning}
              </p>
            )}
            {loaded?.error && (
              <p className="error-text" role="alert" data-testid="context-error">
                {loaded.error}
              </p>
            )}
            {loaded?.view && loaded.view.entries.length === 0 && <p className="panel-empty">No values.</p>}
            {loaded?.view && loaded.view.entries.length > 0 && (
              <table className="context-entries">
                <tbody>
                  {loaded.view.entries.map(({ key, value }) => {
                    const id = `${kind}/${key}`;
                    return (
                      <tr key={key} data-testid="context-entry" data-key={key}>
                        <th scope="row">{key}</th>
                        <td title={JSON.stringify(value, null, 2)}>
                          <code>{contextPreview(value)}</code>
                        </td>
                        <td className="context-actions">
                          {confirming === id ? (
                            <>
                              <button
                                type="button"
                                className="small danger"
                                data-testid="context-delete-confirm"
                                onClick={() => void remove(kind, key)}
                              >
                                Delete
                              </button>
                              <button type="button" className="small" onClick={() => setConfirming(undefined)}>
                                Keep
                              </button>
                            </>
                          ) : (
                            <button
                              type="button"
                              className="small"
                              data-testid="context-delete"
                              aria-label={`Delete ${key}`}
                              onClick={() => setConfirming(id)}
                            >
                              ✕
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </section>
        );
      })}
    </div>
  );
}
