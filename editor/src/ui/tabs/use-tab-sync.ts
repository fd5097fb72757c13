import { useEffect, useRef } from 'react';
import type { FlowDocument } from '../../state';
import type { DocumentStore } from '../editor/use-document';

/**
 * Keeps the workspace's document and its tab's draft one: every edit goes to the tab (so a switch
 * to another tab keeps it), and a change made to the tab from outside (a rename from the tab bar)
 * comes into the document as an undoable edit. `toDraft` turns the document shown into the tab's
 * flow when they differ (a subflow open on the canvas is put back into its flow).
 */
export function useTabSync(
  store: DocumentStore,
  draft: FlowDocument | undefined,
  onEdited: (doc: FlowDocument) => void,
  toDraft: (doc: FlowDocument) => FlowDocument = (doc) => doc,
) {
  const storeRef = useRef(store);
  storeRef.current = store;
  const onEditedRef = useRef(onEdited);
  onEditedRef.current = onEdited;
  const toDraftRef = useRef(toDraft);
  toDraftRef.current = toDraft;
  // Documents this workspace made: coming back as the tab's draft, they are no news (and may lag
  // the document by an edit or two during a drag), so only drafts made elsewhere are taken in.
  const own = useRef(new WeakSet<FlowDocument>());
  const { doc } = store;
  useEffect(() => {
    own.current.add(doc);
    const flowDraft = toDraftRef.current(doc);
    own.current.add(flowDraft);
    onEditedRef.current(flowDraft);
  }, [doc]);
  useEffect(() => {
    if (draft && !own.current.has(draft) && draft !== storeRef.current.current()) storeRef.current.edit(() => draft);
  }, [draft]);
}
