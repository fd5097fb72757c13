import { useEffect, useState } from 'react';
import type { Flow } from '@tagflow/flow-model';
import type { FlowEndpoint } from '../../api/flows-api';
import type { DeployResult, RunningFlow } from '../../api/types';
import { deployDiff } from '../../state';
import type { DeployDiff, EditorCatalog, ValidationResult } from '../../state';

interface Props {
  /** The flow's endpoints (GET and PUT /api/flows/:id). */
  target: FlowEndpoint;
  catalog: EditorCatalog;
  flow: Flow;
  /** The running version this edit started from (sent as If-Match). */
  baseVersion: number;
  validation: ValidationResult;
  onDeployed(version: number): void;
  onRejected(result: DeployResult): void;
  /** Load the running flow into the editor (dropping the local changes, undoable). */
  onReload(running: RunningFlow): void;
  onClose(): void;
}

type Phase =
  | { kind: 'loading' }
  | { kind: 'review'; running: RunningFlow; diff: DeployDiff }
  | { kind: 'deploying' }
  | { kind: 'done'; result: DeployResult }
  | { kind: 'failed'; message: string };

/** Shows what a deploy changes against the running flow, deploys with If-Match, and shows the runtime's answer. */
export function DeployDialog({
  target,
  catalog,
  flow,
  baseVersion,
  validation,
  onDeployed,
  onRejected,
  onReload,
  onClose,
}: Props) {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [diff, setDiff] = useState<DeployDiff | null>(null);

  useEffect(() => {
    let gone = false;
    target
      .load()
      .then((running) => {
        if (gone) return;
        const d = deployDiff(running.flow ?? undefined, flow, catalog);
        setDiff(d);
        setPhase({ kind: 'review', running, diff: d });
      })
      .catch(
        (err: unknown) =>
          !gone && setPhase({ kind: 'failed', message: err instanceof Error ? err.message : String(err) }),
      );
    return () => {
      gone = true;
    };
  }, [target, flow, catalog]);

  // deploy, overwrite and reload show their errors as the dialog's phase: buttons fire and forget them.
  const deploy = async (version: number) => {
    setPhase({ kind: 'deploying' });
    const result = await target.deploy(flow, version).catch((err: unknown): DeployResult => ({
      status: 'failed',
      message: err instanceof Error ? err.message : String(err),
    }));
    setPhase({ kind: 'done', result });
    if (result.status === 'deployed' || result.status === 'unchanged') onDeployed(result.version);
    else onRejected(result);
  };

  const overwrite = async () => {
    setPhase({ kind: 'deploying' });
    try {
      const running = await target.load();
      await deploy(running.version);
    } catch (err) {
      setPhase({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  };

  const reload = async () => {
    try {
      const running = await target.load();
      onReload(running);
      onClose();
    } catch (err) {
      setPhase({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  };

  return (
    <div className="modal-backdrop" role="presentation" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="deploy-title" data-testid="deploy-dialog">
        <h2 id="deploy-title">Deploy “{flow.name ?? flow.id}”</h2>
        {phase.kind === 'loading' && <p>Comparing with the running flow…</p>}
        {diff && <DiffView diff={diff} />}
        {phase.kind === 'review' && phase.running.version !== baseVersion && (
          <p className="error-text">
            Someone deployed version {phase.running.version} since you loaded version {baseVersion}. Deploying will be
            refused unless you overwrite it.
          </p>
        )}
        {!validation.ok && phase.kind === 'review' && (
          <p className="error-text" data-testid="deploy-problems">
            This flow has {validation.errors.length} problem{validation.errors.length === 1 ? '' : 's'} (outlined in
            red): the runtime will most likely refuse it.
          </p>
        )}
        {phase.kind === 'deploying' && <p>Deploying…</p>}
        {phase.kind === 'failed' && (
          <div className="deploy-result bad" data-testid="deploy-result">
            {phase.message}
          </div>
        )}
        {phase.kind === 'done' && <ResultView result={phase.result} />}
        <div className="actions">
          {phase.kind === 'done' && phase.result.status === 'conflict' ? (
            <>
              <button type="button" data-testid="conflict-reload" onClick={() => void reload()}>
                Reload the running flow (drop my changes)
              </button>
              <button
                type="button"
                className="danger"
                data-testid="conflict-overwrite"
                onClick={() => void overwrite()}
              >
                Overwrite it with mine
              </button>
            </>
          ) : null}
          <button type="button" onClick={onClose} data-testid="deploy-close">
            {phase.kind === 'done' ? 'Close' : 'Cancel'}
          </button>
          {phase.kind === 'review' && (
            <button
              type="button"
              className="primary"
              data-testid="deploy-confirm"
              onClick={() => void deploy(baseVersion)}
              autoFocus
            >
              Deploy
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

function DiffView({ diff }: { diff: DeployDiff }) {
  const rows: [string, string[], string][] = [
    ['added', diff.added, 'diff-added'],
    ['removed', diff.removed, 'diff-removed'],
    ['changed', diff.changed, 'diff-changed'],
    ['moved', diff.moved, ''],
    ['resources added', diff.resourcesAdded, 'diff-added'],
    ['resources removed', diff.resourcesRemoved, 'diff-removed'],
    ['resources changed', diff.resourcesChanged, 'diff-changed'],
    ['wires added', diff.edgesAdded, 'diff-added'],
    ['wires removed', diff.edgesRemoved, 'diff-removed'],
  ];
  const shown = rows.filter(([, ids]) => ids.length > 0);
  return (
    <div data-testid="deploy-diff">
      {shown.length === 0 ? (
        <p>Nothing changed compared with the running flow.</p>
      ) : (
        <ul className="diff-list">
          {shown.map(([what, ids, cls]) => (
            <li key={what} className={cls} data-kind={what}>
              {ids.length} {what}: {ids.join(', ')}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ResultView({ result }: { result: DeployResult }) {
  switch (result.status) {
    case 'deployed':
      return (
        <div className="deploy-result ok" data-testid="deploy-result" role="status">
          deployed: version {result.version} is running.
        </div>
      );
    case 'unchanged':
      return (
        <div className="deploy-result ok" data-testid="deploy-result" role="status">
          unchanged: version {result.version} was already running this flow (deployed).
        </div>
      );
    case 'rejected':
      return (
        <div className="deploy-result bad" data-testid="deploy-result" role="alert">
          {result.message}
          <ul>
            {result.errors.map((e, i) => (
              <li key={i}>{e.message}</li>
            ))}
          </ul>
        </div>
      );
    case 'conflict':
      return (
        <div className="deploy-result bad" data-testid="deploy-result" role="alert">
          conflict: {result.message}
        </div>
      );
    default:
      return (
        <div className="deploy-result bad" data-testid="deploy-result" role="alert">
          {result.message}
        </div>
      );
  }
}
