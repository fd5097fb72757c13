import type { ProblemEntry } from '../../state';
import '../../styles/problems.css';

/**
 * Problems named for people: the node's label (a button that selects and centres it), what is
 * wrong in a sentence, and where in the flow file only as a small grey detail. Errors red,
 * warnings yellow.
 */
export function ProblemList({
  entries,
  onShowNode,
  testId,
}: {
  entries: readonly ProblemEntry[];
  onShowNode?(nodeId: string): void;
  testId: string;
}) {
  if (entries.length === 0) return null;
  return (
    <ul className="problem-list" data-testid={testId}>
      {entries.map((p) => (
        <li
          key={p.key}
          className={`problem ${p.severity}`}
          data-testid="problem"
          data-severity={p.severity}
          data-node={p.nodeId}
        >
          <span className="problem-mark" aria-hidden="true">
            {p.severity === 'error' ? '●' : '▲'}
          </span>{' '}
          <span className="visually-hidden">{p.severity === 'error' ? 'Error: ' : 'Warning: '}</span>
          {p.nodeId !== undefined && onShowNode ? (
            <button
              type="button"
              className="problem-owner link-button"
              data-testid="problem-node"
              title="Select this node and show it on the canvas"
              onClick={() => onShowNode(p.nodeId as string)}
            >
              {p.owner}
            </button>
          ) : (
            <strong className="problem-owner">{p.owner}</strong>
          )}
          : <span className="problem-text">{p.text}</span>
          {p.refused && <span className="problem-refused"> (the runtime refused the last deploy for this)</span>}
          <IssueDetail path={p.path} code={p.code} />
        </li>
      ))}
    </ul>
  );
}

/** The JSON path and code of an issue, small and grey: for those who edit the flow file. */
export function IssueDetail({ path, code }: { path?: string; code?: string }) {
  if (!path && !code) return null;
  return (
    <small className="issue-detail" title="Where in the flow file, and the problem's code">
      {' '}
      {[path, code].filter(Boolean).join(' · ')}
    </small>
  );
}
