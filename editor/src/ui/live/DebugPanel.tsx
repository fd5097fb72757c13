import { useState } from 'react';
import type { CanvasNode } from '../../state';
import { useLive } from './use-live';

/** The debug sidebar: values from debug nodes and node errors, newest first; filter, pause, clear. */
export function DebugPanel({ nodes, onSelectNode }: { nodes: readonly CanvasNode[]; onSelectNode(id: string): void }) {
  const live = useLive();
  const [filter, setFilter] = useState('');
  const [open, setOpen] = useState(true);
  const entries = live.debug
    .entries(filter ? { nodeId: filter } : {})
    .slice(-200)
    .reverse();
  const ids = new Set<string>([
    ...nodes.filter((n) => n.type === 'debug').map((n) => n.id),
    ...live.debug.entries().map((e) => e.nodeId),
  ]);
  const nameOf = (id: string) => nodes.find((n) => n.id === id)?.label ?? id;
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
        <select
          data-testid="debug-filter"
          aria-label="Show messages of"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
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
          onClick={() => (live.debug.clear(), live.changed())}
        >
          Clear
        </button>
      </div>
      {open && (
        <div className="debug-list" role="log">
          {entries.length === 0 && (
            <p className="panel-empty">
              No messages yet. Add a debug node after the node you want to watch, then deploy.
            </p>
          )}
          {entries.map((e) => (
            <div
              className={`debug-entry${e.kind === 'error' ? ' error-text' : ''}`}
              key={e.seq}
              data-testid={e.kind === 'debug' ? 'debug-entry' : 'debug-error-entry'}
              data-node-id={e.nodeId}
            >
              <span className="time">{new Date(e.time).toLocaleTimeString()}</span>
              <span
                className="who"
                role="button"
                tabIndex={0}
                onClick={() => onSelectNode(e.nodeId)}
                onKeyDown={(k) => k.key === 'Enter' && onSelectNode(e.nodeId)}
              >
                {e.name ?? nameOf(e.nodeId)}
              </span>
              <span className="value">{e.kind === 'error' ? `error: ${String(e.data)}` : formatValue(e.data)}</span>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    const text = JSON.stringify(v);
    return text === undefined ? String(v) : text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
  } catch {
    return String(v);
  }
}
