import { useCallback, useEffect } from 'react';
import { Panel } from '@xyflow/react';
import { groupOf } from '../../state';
import type { DocumentStore } from '../editor/use-document';

/**
 * Over the canvas's top-left corner: Group the selected nodes (Ctrl+Shift+G, as in Node-RED), and
 * Ungroup the groups they are in (Ctrl+Shift+U). Both are undoable document edits.
 */
export function GroupBar({ store }: { store: DocumentStore }) {
  const { doc } = store;
  const selected = doc.nodes.filter((n) => n.selected).map((n) => n.id);
  const groups = doc.meta.groups ?? [];
  const inGroups = [...new Set(selected.map((id) => groupOf(groups, id)?.id).filter((g) => g !== undefined))];

  const group = useCallback(() => {
    const d = store.current();
    const ids = d.nodes.filter((n) => n.selected).map((n) => n.id);
    const name = `Group ${(d.meta.groups?.length ?? 0) + 1}`;
    if (store.edit((x) => x.group(ids, name)))
      store.notify(
        `Grouped ${ids.length} node${ids.length === 1 ? '' : 's'} as “${name}”: double-click its name to rename it.`,
        'info',
      );
  }, [store]);

  const ungroup = useCallback(() => {
    const d = store.current();
    const ids = d.nodes.filter((n) => n.selected).map((n) => groupOf(d.meta.groups, n.id)?.id);
    store.edit((x) => x.ungroup(ids.filter((g) => g !== undefined)));
  }, [store]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || !e.shiftKey) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"], .monaco-editor')) return;
      const key = e.key.toLowerCase();
      if (key === 'g') {
        e.preventDefault();
        group();
      } else if (key === 'u') {
        e.preventDefault();
        ungroup();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [group, ungroup]);

  if (selected.length === 0) return null;
  return (
    <Panel position="top-left">
      <div className="group-bar" data-testid="group-bar">
        <button
          type="button"
          data-testid="group-nodes"
          onClick={group}
          title="Put the selected nodes in a group (Ctrl+Shift+G)"
        >
          Group
        </button>
        {inGroups.length > 0 && (
          <button
            type="button"
            data-testid="ungroup-nodes"
            onClick={ungroup}
            title="Remove the group around the selected nodes; they stay where they are (Ctrl+Shift+U)"
          >
            Ungroup
          </button>
        )}
      </div>
    </Panel>
  );
}
