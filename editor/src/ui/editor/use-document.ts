import { useCallback, useMemo, useRef, useState } from 'react';
import type { Flow } from '@tagflow/flow-model';
import { FlowDocument } from '../../state';
import type { EditResult } from '../../state';

/** The edited document, its undo across whole-flow replacements, and refused edits' reasons. */
export interface DocumentStore {
  doc: FlowDocument;
  /** The document now, also between a callback's edits (React state lags a render behind). */
  current(): FlowDocument;
  /** Applies an edit; a refused edit shows its reason and returns false. */
  edit(change: (doc: FlowDocument) => EditResult): boolean;
  /** Replaces the whole flow (JSON view, import, example, reload) as one undo step. */
  replace(flow: Flow): void;
  undo(): void;
  redo(): void;
  canUndo: boolean;
  canRedo: boolean;
  notice: Notice | null;
  notify(text: string, kind?: Notice['kind']): void;
  dismiss(): void;
}

export interface Notice {
  text: string;
  kind: 'error' | 'info';
  id: number;
}

/**
 * FlowDocument keeps undo for edits made through it; a whole-flow replacement is a new document,
 * so the documents it replaced are kept here (`before`/`after`) and undo steps back into them.
 */
export function useDocument(initial: () => FlowDocument): DocumentStore {
  const [doc, setDoc] = useState<FlowDocument>(initial);
  const ref = useRef(doc);
  const before = useRef<FlowDocument[]>([]);
  const after = useRef<FlowDocument[]>([]);
  const [notice, setNotice] = useState<Notice | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const set = useCallback((next: FlowDocument) => {
    ref.current = next;
    setDoc(next);
  }, []);

  const notify = useCallback((text: string, kind: Notice['kind'] = 'error') => {
    setNotice({ text, kind, id: Date.now() });
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setNotice(null), kind === 'error' ? 7000 : 3500);
  }, []);

  const edit = useCallback(
    (change: (doc: FlowDocument) => EditResult): boolean => {
      const cur = ref.current;
      const result = change(cur);
      if (!result.ok) {
        notify(capitalize(result.reason));
        return false;
      }
      if (result === cur) return true;
      if (result.revision !== cur.revision) after.current = [];
      set(result);
      return true;
    },
    [notify, set],
  );

  const replace = useCallback(
    (flow: Flow) => {
      before.current.push(ref.current);
      after.current = [];
      set(FlowDocument.fromFlow(flow));
    },
    [set],
  );

  const undo = useCallback(() => {
    const cur = ref.current;
    if (cur.canUndo) return set(cur.undo());
    const prev = before.current.pop();
    if (prev) {
      after.current.push(cur);
      set(prev);
    }
  }, [set]);

  const redo = useCallback(() => {
    const cur = ref.current;
    if (cur.canRedo) return set(cur.redo());
    const next = after.current.pop();
    if (next) {
      before.current.push(cur);
      set(next);
    }
  }, [set]);

  const current = useCallback(() => ref.current, []);
  const dismiss = useCallback(() => setNotice(null), []);
  const canUndo = doc.canUndo || before.current.length > 0;
  const canRedo = doc.canRedo || after.current.length > 0;
  return useMemo(
    () => ({ doc, current, edit, replace, undo, redo, canUndo, canRedo, notice, notify, dismiss }),
    [doc, current, edit, replace, undo, redo, canUndo, canRedo, notice, notify, dismiss],
  );
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
