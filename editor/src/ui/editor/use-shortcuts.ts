import { useEffect } from 'react';
import type { DocumentStore } from './use-document';

/** True when the key or clipboard event belongs to a text field (or Monaco), not to the canvas. */
function inTextField(target: EventTarget | null): boolean {
  const el = target instanceof Element ? target : document.activeElement;
  if (!el) return false;
  if (el.closest('input, textarea, select, [contenteditable="true"], .monaco-editor')) return true;
  return false;
}

/**
 * Undo/redo keys, and copy/paste of nodes through the system clipboard (as flow JSON, so it works
 * between tabs). Clipboard events need no permission and work over plain HTTP on a plant network.
 */
export function useShortcuts(store: DocumentStore): void {
  const { undo, redo, current, notify, edit } = store;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (inTextField(e.target)) return;
      if (document.querySelector('.modal')) return;
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const key = e.key.toLowerCase();
      if (key === 'a') {
        e.preventDefault();
        edit((d) =>
          d.select(
            d.nodes.map((n) => n.id),
            d.edges.map((x) => x.id),
          ),
        );
      } else if (key === 'z' && !e.shiftKey) {
        e.preventDefault();
        undo();
      } else if ((key === 'z' && e.shiftKey) || key === 'y') {
        e.preventDefault();
        redo();
      }
    };
    const onCopy = (e: ClipboardEvent) => {
      if (inTextField(e.target) || document.querySelector('.modal')) return;
      const selectedText = window.getSelection()?.toString() ?? '';
      if (selectedText !== '') return;
      const doc = current();
      const ids = doc.nodes.filter((n) => n.selected).map((n) => n.id);
      if (ids.length === 0 || !e.clipboardData) return;
      e.clipboardData.setData('text/plain', doc.copy(ids));
      e.preventDefault();
      notify(
        `Copied ${ids.length} node${ids.length === 1 ? '' : 's'}. Ctrl+V pastes them (also in another tab).`,
        'info',
      );
    };
    const onPaste = (e: ClipboardEvent) => {
      if (inTextField(e.target) || document.querySelector('.modal')) return;
      const text = e.clipboardData?.getData('text/plain') ?? '';
      if (!text) return;
      e.preventDefault();
      edit((d) => d.paste(text));
    };
    window.addEventListener('keydown', onKey);
    document.addEventListener('copy', onCopy);
    document.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('paste', onPaste);
    };
  }, [undo, redo, current, notify, edit]);
}
