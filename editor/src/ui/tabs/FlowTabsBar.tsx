import { useState } from 'react';
import { isDirty, tabName, tabState, uniqueFlowId } from '../../state';
import type { FlowTab, TabState } from '../../state';
import '../../styles/flow-tabs.css';
import { DeleteFlowDialog, FlowNameDialog, newFlowIdNote } from './FlowDialogs';
import type { FlowTabsControl } from './use-flow-tabs';

const STATE_TEXT: Record<TabState, string> = {
  running: 'running',
  new: 'not deployed',
  disabled: 'disabled',
  stopped: 'stopped',
  failed: 'failed',
};

type Dialog = 'new' | 'rename' | 'delete' | null;

/** The runtime's flows as tabs under the toolbar, with the shown flow's actions beside them. */
export function FlowTabsBar({ control }: { control: FlowTabsControl }) {
  const { tabs } = control;
  const [dialog, setDialog] = useState<Dialog>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  if (!tabs) return null;
  const active = tabs.active;
  const activeName = tabName(active);
  const state = tabState(active);
  const many = control.flows.multi;
  const oneFlowOnly = 'This runtime runs one flow only: update it to hold several.';

  const run = (action: () => string | undefined) => {
    setError(action());
  };
  const toggleEnabled = () => {
    setBusy(true);
    setError(undefined);
    control
      .setEnabled(active.id, state === 'disabled')
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
      .finally(() => setBusy(false));
  };

  return (
    <nav className="flow-tabs" aria-label="Flows on this runtime" data-testid="flow-tabs">
      <div className="flow-tab-list">
        {/* Only tabs in the tablist (the + beside them is a plain button); `contents` keeps the layout. */}
        <div role="tablist" aria-label="Flows" style={{ display: 'contents' }}>
          {tabs.tabs.map((tab) => (
            <TabButton
              key={tab.id}
              tab={tab}
              selected={tab.id === tabs.activeId}
              onSelect={() => {
                setError(undefined);
                control.select(tab.id);
              }}
              onRename={() => setDialog('rename')}
            />
          ))}
        </div>
        <button
          type="button"
          className="flow-tab-new"
          data-testid="flow-new"
          title={many ? 'New flow on this runtime' : oneFlowOnly}
          aria-label="New flow"
          disabled={!many}
          onClick={() => setDialog('new')}
        >
          +
        </button>
      </div>
      <div className="flow-tab-actions">
        <button
          type="button"
          data-testid="flow-rename"
          disabled={!active.draft}
          title="Rename this flow (its id stays)"
          onClick={() => setDialog('rename')}
        >
          Rename…
        </button>
        <button
          type="button"
          data-testid="flow-duplicate"
          disabled={!many || !active.draft}
          title={many ? 'Copy this flow as it is in the editor, as a new flow' : oneFlowOnly}
          onClick={() => run(() => control.duplicate(active.id))}
        >
          Duplicate
        </button>
        {state === 'disabled' ? (
          <button
            type="button"
            data-testid="flow-enable"
            disabled={busy}
            title="Run this flow again"
            onClick={toggleEnabled}
          >
            Enable
          </button>
        ) : (
          <button
            type="button"
            data-testid="flow-disable"
            disabled={busy || !many || state === 'new'}
            title={
              !many
                ? oneFlowOnly
                : state === 'new'
                  ? 'Deploy this flow first'
                  : 'Stop this flow and keep it stopped (also after a restart); the others keep running'
            }
            onClick={toggleEnabled}
          >
            Disable
          </button>
        )}
        <button
          type="button"
          className="danger"
          data-testid="flow-delete"
          disabled={!many}
          title={many ? 'Delete this flow (asks first)' : oneFlowOnly}
          onClick={() => setDialog('delete')}
        >
          Delete…
        </button>
      </div>
      {error && (
        <span className="flow-tabs-error error-text" role="alert" data-testid="flow-tabs-error">
          {error}
        </span>
      )}
      {dialog === 'new' && (
        <FlowNameDialog
          title="New flow"
          initial=""
          confirmLabel="Create"
          testId="new-flow"
          idNote={(name) => newFlowIdNote(name, (n) => uniqueFlowId(n, tabs.ids()))}
          onConfirm={(name) => control.create(name)}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'rename' && (
        <FlowNameDialog
          title={`Rename “${activeName}”`}
          initial={activeName}
          confirmLabel="Rename"
          testId="rename-flow"
          idNote={() => `The id stays “${active.id}”. Deploy to save the new name on the runtime.`}
          onConfirm={(name) => control.rename(active.id, name)}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'delete' && (
        <DeleteFlowDialog
          name={activeName}
          id={active.id}
          deployed={active.remote !== undefined}
          dirty={isDirty(active)}
          onConfirm={() => control.remove(active.id)}
          onClose={() => setDialog(null)}
        />
      )}
    </nav>
  );
}

function TabButton({
  tab,
  selected,
  onSelect,
  onRename,
}: {
  tab: FlowTab;
  selected: boolean;
  onSelect(): void;
  onRename(): void;
}) {
  const name = tabName(tab);
  const state = tabState(tab);
  // A new flow is all unsaved: its "not deployed" says so without a second marker.
  const dirty = state !== 'new' && isDirty(tab);
  return (
    <button
      type="button"
      role="tab"
      className={`flow-tab state-${state}`}
      aria-selected={selected}
      data-testid={`flow-tab-${tab.id}`}
      data-state={state}
      data-dirty={dirty ? 'true' : 'false'}
      title={`${name} (id ${tab.id}): ${STATE_TEXT[state]}${tab.remote ? `, version ${tab.remote.version}` : ''}${dirty ? ', with undeployed changes' : ''}`}
      onClick={onSelect}
      onDoubleClick={selected ? onRename : undefined}
    >
      <span className="flow-tab-name" data-testid="flow-tab-name">
        {name}
      </span>
      {dirty && (
        <span className="flow-tab-dirty" aria-label="undeployed changes">
          ●
        </span>
      )}
      {state !== 'running' && (
        <span className="flow-tab-state" data-testid="flow-tab-state">
          {STATE_TEXT[state]}
        </span>
      )}
    </button>
  );
}
