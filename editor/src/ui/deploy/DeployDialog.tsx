import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import type { Flow } from '@tagflow/flow-model';
import type { FlowEndpoint } from '../../api/flows-api';
import type { DeployResult, RunningFlow } from '../../api/types';
import { deployDiff, diffEdgeWords, diffNodeNames } from '../../state';
import type { DeployDiff, EditorCatalog, ProblemEntry, ValidationResult } from '../../state';
import { IssueDetail, ProblemList } from '../problems/ProblemList';

interface Props {
  /** The flow's endpoints (GET and PUT /api/flows/:id). */
  target: FlowEndpoint;
  catalog: EditorCatalog;
  flow: Flow;
  /** The running version this edit started from (sent as If-Match). */
  baseVersion: number;
  validation: ValidationResult;
  /** The flow's problems named for people (errors, then warnings), from `problemEntries`. */
  problems?: readonly ProblemEntry[];
  /** Closes the dialog and selects and centres the node (a click on a problem's node name). */
  onShowNode?(nodeId: string): void;
  onDeployed(version: number): void;
  onRejected(result: DeployResult): void;
  /** Load the running flow into the editor (dropping the local changes, undoable). */
  onReload(running: RunningFlow): void;
  onClose(): void;
}

type Phase =
  | { kind: 'loading' }
  | { kind: 'review'; running: RunningFlow; diff: DeployDiff; names: NodeNames }
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
  problems = [],
  onShowNode,
  onDeployed,
  onRejected,
  onReload,
  onClose,
}: Props) {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [diff, setDiff] = useState<{ diff: DeployDiff; names: NodeNames } | null>(null);

  useEffect(() => {
    let gone = false;
    target
      .load()
      .then((running) => {
        if (gone) return;
        const d = deployDiff(running.flow ?? undefined, flow, catalog);
        const names = diffNodeNames(running.flow ?? undefined, flow);
        setDiff({ diff: d, names });
        setPhase({ kind: 'review', running, diff: d, names });
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
        {diff && <DiffView diff={diff.diff} names={diff.names} />}
        {phase.kind === 'review' && phase.running.version !== baseVersion && (
          <p className="error-text">
            Someone deployed version {phase.running.version} since you loaded version {baseVersion}. Deploying will be
            refused unless you overwrite it.
          </p>
        )}
        {phase.kind === 'review' && (
          <DeployProblems validation={validation} problems={problems} onShowNode={onShowNode} />
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

type NodeNames = (id: string) => { name: string; id?: string };

/** Before a deploy: the errors the runtime will most likely refuse, and the warnings, each naming its node. */
function DeployProblems({
  validation,
  problems,
  onShowNode,
}: {
  validation: ValidationResult;
  problems: readonly ProblemEntry[];
  onShowNode?(nodeId: string): void;
}) {
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = problems.filter((p) => p.severity === 'warning');
  const count = Math.max(validation.errors.length, errors.length);
  return (
    <>
      {count > 0 && (
        <div className="error-text" data-testid="deploy-problems">
          <p>
            This flow has {count} problem{count === 1 ? '' : 's'}: the runtime will most likely refuse it. Fix{' '}
            {count === 1 ? 'it' : 'them'} first:
          </p>
          <ProblemList entries={errors} onShowNode={onShowNode} testId="deploy-problem-list" />
        </div>
      )}
      {warnings.length > 0 && (
        <div data-testid="deploy-warnings">
          <p>
            {warnings.length} warning{warnings.length === 1 ? '' : 's'}: the flow can run, but have a look:
          </p>
          <ProblemList entries={warnings} onShowNode={onShowNode} testId="deploy-warning-list" />
        </div>
      )}
    </>
  );
}

function DiffView({ diff, names }: { diff: DeployDiff; names: NodeNames }) {
  const node = (id: string) => {
    const n = names(id);
    return (
      <span key={id} className="diff-node">
        {n.name}
        {n.id !== undefined && <span className="diff-id"> ({n.id})</span>}
      </span>
    );
  };
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
  const joined = (items: ReactNode[]) => items.flatMap((item, i) => (i === 0 ? [item] : [', ', item]));
  const words = (what: string, ids: string[]): ReactNode[] => {
    if (!what.includes(' ')) return joined(ids.map(node));
    if (what.startsWith('wires')) return joined(ids.map((key) => diffEdgeWords(key, names)));
    return joined(ids);
  };
  return (
    <div data-testid="deploy-diff">
      {shown.length === 0 ? (
        <p>Nothing changed compared with the running flow.</p>
      ) : (
        <ul className="diff-list">
          {shown.map(([what, ids, cls]) => (
            <li key={what} className={cls} data-kind={what}>
              {ids.length} {what}: {words(what, ids)}
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
              <li key={i}>
                {e.message}
                <IssueDetail path={e.path} code={e.code} />
              </li>
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
