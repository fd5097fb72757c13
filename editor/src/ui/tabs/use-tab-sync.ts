import { useEffect, useRef } from 'react';
import type { FlowDocument } from '../../state';
import type { DocumentStore } from '../editor/use-document';

/**
 * Keeps the workspace's document and its tab's draft one: every edit goes to the tab (so a switch
 * to another tab keeps it), and a change made to the tab from outside (a rename from the tab bar)
 * comes into the document as an undoable edit.
 */
export function useTabSync(
  store: DocumentStore,
  draft: FlowDocument | undefined,
  onEdited: (doc: FlowDocument) => void,
) {
  const storeRef = useRef(store);
  storeRef.current = store;
  const onEditedRef = useRef(onEdited);
  onEditedRef.current = onEdited;
  const { doc } = store;
  useEffect(() => onEditedRef.current(doc), [doc]);
  // Keyed on the draft alone: between an edit and the tab's answer the draft lags the document by a render.
  useEffect(() => {
    if (draft && draft !== storeRef.current.current()) storeRef.current.edit(() => draft);
  }, [draft]);
}
