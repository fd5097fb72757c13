import type { ConvertResult, ImportOutcome, ImportReportEntry } from '@tagflow/nodered-import';
import { summarizeReport } from '@tagflow/nodered-import';

type Converted = Extract<ConvertResult, { ok: true }>;

const OUTCOME_LABEL: Record<ImportOutcome, string> = {
  exact: 'converted',
  different: 'converted, differs',
  'not-converted': 'not converted',
  'out-of-scope': 'left out (dashboard)',
};

/**
 * What a Node-RED export becomes before anything changes: one new tab per Node-RED tab, and the
 * report per node (converted exactly, with a difference and which, not converted and what to use
 * instead), with the secrets to set. Nothing is deployed: each new tab is deployed on its own.
 */
export function NodeRedImportDialog({
  fileName,
  result,
  onConfirm,
  onClose,
}: {
  fileName: string;
  result: Converted;
  /** Opens the flows as tabs; returns the reason when refused (the dialog stays open). */
  onConfirm(): string | undefined;
  onClose(): void;
}) {
  const { flows, report } = result;
  const placeholders = report.counts['not-converted'];
  const listed = report.entries.filter((e) => e.outcome !== 'out-of-scope');
  return (
    <div className="modal-backdrop" role="presentation" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div
        className="modal nodered-import-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="nodered-import-title"
        data-testid="nodered-import-dialog"
      >
        <h2 id="nodered-import-title">Import from Node-RED: {fileName}</h2>
        <p data-testid="nodered-import-summary">{summarizeReport(report)}.</p>
        <p>
          {flows.length === 1
            ? 'One new flow, opened as a tab and deployed only when you deploy it: '
            : `${flows.length} new flows, each opened as a tab and deployed only when you deploy it: `}
          {flows.map((f, i) => (
            <span key={f.id}>
              {i > 0 && ', '}
              <strong data-testid="nodered-import-flow">{f.name ?? f.id}</strong>
            </span>
          ))}
          .
        </p>
        {placeholders > 0 && (
          <p className="notice warning" data-testid="nodered-import-placeholders">
            {placeholders === 1 ? 'One node was' : `${placeholders} nodes were`} not converted: each is a marked
            placeholder that stops a deploy until you replace it (the report says with what).
          </p>
        )}
        {report.secrets.length > 0 && (
          <div data-testid="nodered-import-secrets">
            <p>The export held credentials; the flows name secrets instead. Set each on the runtime:</p>
            <ul>
              {report.secrets.map((s) => (
                <li key={s.name}>
                  <code>tagflow secret set {s.name}</code> ({s.for})
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="nodered-import-report">
          <table data-testid="nodered-import-report">
            <thead>
              <tr>
                <th>Node-RED node</th>
                <th>Became</th>
                <th>Result</th>
                <th>Notes</th>
              </tr>
            </thead>
            <tbody>
              {listed.map((entry) => (
                <ReportRow key={entry.nodeRedId} entry={entry} />
              ))}
            </tbody>
          </table>
        </div>
        <div className="actions">
          <button type="button" data-testid="nodered-import-cancel" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="primary"
            data-testid="nodered-import-confirm"
            onClick={() => {
              if (!onConfirm()) onClose();
            }}
          >
            {flows.length === 1 ? 'Open the flow as a new tab' : `Open the ${flows.length} flows as new tabs`}
          </button>
        </div>
      </div>
    </div>
  );
}

function ReportRow({ entry }: { entry: ImportReportEntry }) {
  const name = entry.name ? `${entry.name} (${entry.nodeRedType})` : entry.nodeRedType;
  return (
    <tr data-outcome={entry.outcome} data-testid="nodered-import-entry">
      <td>
        {name}
        {entry.where && <span className="muted"> on {entry.where}</span>}
      </td>
      <td>{entry.tagflowTypes.map((t) => (t === 'nodered-placeholder' ? 'placeholder' : t)).join(', ') || '—'}</td>
      <td className={`outcome-${entry.outcome}`}>{OUTCOME_LABEL[entry.outcome]}</td>
      <td>{entry.notes.join(' ')}</td>
    </tr>
  );
}
