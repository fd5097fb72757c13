import { useState } from 'react';
import type { CanvasNode } from '../../state';
import { DebugValueTree } from './DebugValueTree';
import type { TreeActions } from './DebugValueTree';
import type { DebugEntry } from './live-store';
import { useLive } from './use-live';
import '../../styles/debug-panel.css';

/**
 * The debug sidebar: values from debug nodes and node errors, newest first, pinned ones on top.
 * Objects open as a tree with copy path / copy value; filter by node and by text; pause, clear
 * (pinned messages stay).
 */
export function DebugPanel({ nodes, onSelectNode }: { nodes: readonly CanvasNode[]; onSelectNode(id: string): void }) {
  const live = useLive();
  const [nodeFilter, setNodeFilter] = useState('');
  const [text, setText] = useState('');
  const [open, setOpen] = useState(true);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [copied, setCopied] = useState('');
  const filter = { ...(nodeFilter ? { nodeId: nodeFilter } : {}), ...(text ? { text } : {}) };
  const pinned = live.debug.pinned(filter).reverse();
  const entries = live.debug
    .entries(filter)
    .filter((e) => !live.debug.isPinned(e))
    .slice(-200)
    .reverse();
  const ids = new Set<string>([
    ...nodes.filter((n) => n.type === 'debug').map((n) => n.id),
    ...live.debug.entries().map((e) => e.nodeId),
  ]);
  const nameOf = (id: string) => nodes.find((n) => n.id === id)?.label ?? id;

  const actionsFor = (entry: DebugEntry): TreeActions => ({
    isOpen: (path) => expanded.has(`${entry.seq}:${path}`),
    toggle: (path) => {
      const key = `${entry.seq}:${path}`;
      const next = new Set(expanded);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      setExpanded(next);
    },
    copy: (what, path, value) => {
      const content = what === 'path' ? path : valueText(value);
      const said = what === 'path' ? `Copied the path ${path}` : `Copied the value${path ? ` of ${path}` : ''}`;
      navigator.clipboard.writeText(content).then(
        () => setCopied(said),
        (err: unknown) =>
          setCopied(`Could not copy (the browser refused: ${err instanceof Error ? err.message : String(err)})`),
      );
    },
  });
  const togglePin = (entry: DebugEntry) => {
    if (live.debug.isPinned(entry)) live.debug.unpin(entry);
    else live.debug.pin(entry);
    live.changed();
  };
  const row = (e: DebugEntry) => (
    <Entry
      key={e.seq}
      entry={e}
      who={e.name ?? nameOf(e.nodeId)}
      root={live.showsWholeMessage(e.nodeId) ? '' : 'payload'}
      pinned={live.debug.isPinned(e)}
      actions={actionsFor(e)}
      onSelectNode={onSelectNode}
      onPin={togglePin}
    />
  );
  return (
    <section className={`debug-panel${open ? '' : ' collapsed'}`} data-testid="debug-panel" aria-label="Debug messages">
      <div className="bar">
        <button
          type="button"
          className="icon"
          aria-expanded={open}
          aria-label={open ? 'Hide debug messages' : 'Show debug messages'}
          onClick={() => setOpen(!open)}
        >
          {open ? '▾' : '▸'}
        </button>
        <strong>Debug messages</strong>
        {live.debug.paused && <span className="hint">paused ({live.debug.missedWhilePaused} not shown)</span>}
        {copied && (
          <span className="hint" data-testid="debug-copied" role="status">
            {copied}
          </span>
        )}
        <input
          type="search"
          className="debug-search"
          data-testid="debug-search"
          aria-label="Show messages containing"
          placeholder="Filter by text"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <select
          data-testid="debug-filter"
          aria-label="Show messages of"
          value={nodeFilter}
          onChange={(e) => setNodeFilter(e.target.value)}
        >
          <option value="">all nodes</option>
          {[...ids].sort().map((id) => (
            <option key={id} value={id}>
              {nameOf(id) === id ? id : `${nameOf(id)} (${id})`}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="small"
          data-testid="debug-pause"
          aria-pressed={live.debug.paused}
          onClick={() => (live.debug.paused ? live.debug.resume() : live.debug.pause(), live.changed())}
        >
          {live.debug.paused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          className="small"
          data-testid="debug-clear"
          title="Clear the messages (pinned ones stay)"
          onClick={() => (live.debug.clear(), live.changed())}
        >
          Clear
        </button>
      </div>
      {open && (
        <div className="debug-list" role="log">
          {pinned.length > 0 && (
            <div className="debug-pinned" data-testid="debug-pinned" aria-label="Pinned messages">
              {pinned.map(row)}
            </div>
          )}
          {entries.length === 0 && pinned.length === 0 && (
            <p className="panel-empty">
              {text || nodeFilter
                ? 'No message matches the filter.'
                : 'No messages yet. Add a debug node after the node you want to watch, then deploy.'}
            </p>
          )}
          {entries.map(row)}
        </div>
      )}
    </section>
  );
}

function Entry({
  entry: e,
  who,
  root,
  pinned,
  actions,
  onSelectNode,
  onPin,
}: {
  entry: DebugEntry;
  who: string;
  /** Where the shown value sits in the message: `payload`, or '' for a whole message. */
  root: string;
  pinned: boolean;
  actions: TreeActions;
  onSelectNode(id: string): void;
  onPin(entry: DebugEntry): void;
}) {
  return (
    <div
      className={`debug-entry${e.kind === 'error' ? ' error-text' : ''}${pinned ? ' pinned' : ''}`}
      data-testid={e.kind === 'debug' ? 'debug-entry' : 'debug-error-entry'}
      data-node-id={e.nodeId}
      data-pinned={pinned}
    >
      <span className="time">{new Date(e.time).toLocaleTimeString()}</span>
      <span
        className="who"
        role="button"
        tabIndex={0}
        onClick={() => onSelectNode(e.nodeId)}
        onKeyDown={(k) => {
          if (k.key !== 'Enter' && k.key !== ' ') return;
          // Space would otherwise scroll the panel, as on any element that is not a real button.
          k.preventDefault();
          onSelectNode(e.nodeId);
        }}
      >
        {who}
      </span>
      <span className="value">
        {e.kind === 'error' ? (
          `error: ${String(e.data)}`
        ) : (
          <DebugValueTree value={e.data} path={root} actions={actions} />
        )}
      </span>
      <button
        type="button"
        className="pin"
        data-testid="debug-pin"
        aria-pressed={pinned}
        aria-label={pinned ? 'Unpin this message' : 'Pin this message (Clear keeps it)'}
        title={pinned ? 'Unpin' : 'Pin: Clear and new messages keep it'}
        onClick={() => onPin(e)}
      >
        {pinned ? 'Unpin' : 'Pin'}
      </button>
    </div>
  );
}

/** A value as the clipboard gets it: text as it is, anything else as indented JSON. */
function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    // Not JSON (a cycle, a BigInt): what String makes of it is still worth pasting.
    return String(value);
  }
}
