import type { EventsState } from '../../api/events';
import { deployButtonName, deployButtonText } from '../../state';
import { EXAMPLES } from '../examples';

interface Props {
  flowName: string;
  canUndo: boolean;
  canRedo: boolean;
  jsonOpen: boolean;
  connection: EventsState;
  /** Words while the flow engine (re)starts, e.g. `engine restarting…`. */
  engineActivity?: string;
  baseVersion: number;
  /** How many changes the runtime does not have yet (0: nothing to deploy). */
  changes?: number;
  onUndo(): void;
  onRedo(): void;
  onFit(): void;
  onToggleJson(): void;
  onExport(): void;
  onImport(file: File): void;
  onExample(name: string): void;
  onDeploy(): void;
  onSignOut(): void;
}

/** Top bar: history, view, files, examples, deploy, sign out. */
export function Toolbar(p: Props) {
  return (
    <header className="toolbar">
      <span className="brand">tagflow</span>
      <span className="flow-name" title={p.flowName}>
        {p.flowName}
      </span>
      <button type="button" data-testid="undo" onClick={p.onUndo} disabled={!p.canUndo} title="Undo (Ctrl+Z)">
        ↶ Undo
      </button>
      <button
        type="button"
        data-testid="redo"
        onClick={p.onRedo}
        disabled={!p.canRedo}
        title="Redo (Ctrl+Shift+Z or Ctrl+Y)"
      >
        ↷ Redo
      </button>
      <span className="sep" />
      <button type="button" data-testid="fit" onClick={p.onFit} title="Show the whole flow">
        Fit
      </button>
      <button
        type="button"
        data-testid="json-view"
        onClick={p.onToggleJson}
        aria-pressed={p.jsonOpen}
        title="Edit the whole flow as JSON"
      >
        {p.jsonOpen ? 'Canvas' : 'JSON'}
      </button>
      <span className="sep" />
      <label className="file-button" title="Open a flow file (.json)">
        <button type="button" tabIndex={-1}>
          Import…
        </button>
        <input
          type="file"
          accept=".json,application/json"
          data-testid="import-input"
          aria-label="Import a flow file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) p.onImport(file);
            e.target.value = '';
          }}
        />
      </label>
      <button type="button" data-testid="export" onClick={p.onExport} title="Download this flow as a .json file">
        Export
      </button>
      <select
        data-testid="examples"
        aria-label="Open an example flow"
        value=""
        onChange={(e) => {
          if (e.target.value) p.onExample(e.target.value);
        }}
      >
        <option value="">Examples…</option>
        {EXAMPLES.map((x) => (
          <option key={x.name} value={x.name}>
            {x.name}
          </option>
        ))}
      </select>
      <span className="sep" />
      <span className={`live ${p.connection}`} title="Live connection to the runtime (statuses and debug messages)">
        {p.connection === 'open' ? '● live' : p.connection === 'connecting' ? '○ connecting…' : '○ offline, retrying'}
        {p.baseVersion > 0 ? ` · v${p.baseVersion}` : ''}
        {p.engineActivity && (
          <span className="engine-activity" data-testid="engine-activity">
            {` · ${p.engineActivity}`}
          </span>
        )}
      </span>
      <button
        type="button"
        className={`primary${p.changes ? ' has-changes' : ''}`}
        data-testid="deploy"
        data-changes={p.changes ?? 0}
        aria-label={deployButtonName(p.changes ?? 0)}
        onClick={p.onDeploy}
        title="Send this flow to the runtime"
      >
        {deployButtonText(p.changes ?? 0)}
      </button>
      <button type="button" data-testid="sign-out" onClick={p.onSignOut} title="Forget the token in this tab">
        Sign out
      </button>
    </header>
  );
}
