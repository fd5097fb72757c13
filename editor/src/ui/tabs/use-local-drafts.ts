import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  DRAFT_SAVE_DELAY_MS,
  flowToDeploy,
  hasUndeployedWork,
  LocalDrafts,
  restoreQuestion,
  staleNote,
  tabName,
} from '../../state';
import type { FlowDocument, FlowTabs, LocalDraft } from '../../state';
import type { FlowTabsControl } from './use-flow-tabs';

/** A draft found in the browser at load, offered back to the user. */
export interface DraftOffer {
  draft: LocalDraft;
  /** `Restore your undeployed changes to Line 1 (saved 5 min ago)?` */
  question: string;
  /** Set when the runtime moved on since the draft was made. */
  note?: string;
}

/** The local drafts of the runtime's flows: offers after a reload, and the guards against losing edits. */
export interface DraftsControl {
  offers: readonly DraftOffer[];
  /** Why an edit could not be kept in the browser (too large, storage full or off). */
  warning?: string;
  restore(flowId: string): void;
  discard(flowId: string): void;
  /** Writes pending edits now (before a sign-out or when the page goes). */
  flush(): void;
  /** Names of the flows with undeployed changes, for the sign-out warning. */
  unsaved(): string[];
}

/**
 * Keeps each tab's undeployed edits in localStorage (per runtime origin and flow id, a short while
 * after each edit), offers them back after a reload, removes them once deployed or discarded, and
 * asks the browser to warn before the page is left while edits are undeployed.
 */
export function useLocalDrafts(control: FlowTabsControl): DraftsControl {
  const store = useMemo(() => openStore(), []);
  const [offers, setOffers] = useState<DraftOffer[]>([]);
  const [warning, setWarning] = useState<string | undefined>(store ? undefined : NO_STORAGE);
  const offered = useRef(new Set<string>());
  const listed = useRef(false);
  const saved = useRef(new Map<string, FlowDocument>());
  const known = useRef(new Set<string>());
  const pending = useRef<LocalDraft | null>(null);
  const tabsRef = useRef<FlowTabs | null>(control.tabs);
  tabsRef.current = control.tabs;
  const controlRef = useRef(control);
  controlRef.current = control;
  const { tabs } = control;

  // Once the runtime's flows are listed: the drafts found are offered (before any is overwritten).
  useEffect(() => {
    if (!tabs || !store || listed.current) return;
    listed.current = true;
    const now = Date.now();
    const found = store.list().map((draft) => {
      offered.current.add(draft.flowId);
      const note = staleNote(draft, tabs.tab(draft.flowId)?.remote?.version);
      return { draft, question: restoreQuestion(draft, now), ...(note ? { note } : {}) };
    });
    setOffers(found);
  }, [tabs, store]);

  const write = useCallback(
    (current: FlowTabs | null) => {
      if (!current || !store) return;
      const ids = new Set(current.ids());
      // A flow deleted from here takes its draft along.
      for (const id of known.current) {
        if (!ids.has(id) && !offered.current.has(id)) store.remove(id);
      }
      known.current = ids;
      for (const tab of current.tabs) {
        if (!tab.draft) continue;
        if (hasUndeployedWork(tab)) {
          if (saved.current.get(tab.id) === tab.draft) continue;
          saved.current.set(tab.id, tab.draft);
          const flow = flowToDeploy(tab);
          if (!flow) continue;
          const outcome = store.save(tab.id, flow, tab.baseVersion, Date.now());
          if (outcome === 'too-large')
            setWarning(`“${tabName(tab)}” is too large to keep in this browser: deploy it or Export it to a file.`);
          else if (outcome === 'no-room')
            setWarning(
              `The browser's storage is full: the changes to “${tabName(tab)}” are not kept. Deploy or Export them.`,
            );
        } else if (!offered.current.has(tab.id)) {
          // Deployed (or undone back to the deployed version): nothing left to keep.
          saved.current.delete(tab.id);
          store.remove(tab.id);
        }
      }
    },
    [store],
  );

  useEffect(() => {
    if (!tabs) return;
    const timer = setTimeout(() => write(tabs), DRAFT_SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [tabs, write]);

  // A restore waiting for its tab's flow to load (GET /api/flows/:id) is applied once it has.
  useEffect(() => {
    const draft = pending.current;
    if (!draft || !tabs || tabs.needsLoad(draft.flowId)) return;
    pending.current = null;
    const refused = controlRef.current.restore(draft.flowId, draft.flow, draft.baseVersion);
    if (refused) setWarning(`The changes to “${draft.name}” could not be restored: ${refused}`);
  }, [tabs]);

  const anyUnsaved = tabs?.tabs.some(hasUndeployedWork) ?? false;
  useEffect(() => {
    const onHide = () => write(tabsRef.current);
    window.addEventListener('pagehide', onHide);
    if (!anyUnsaved) return () => window.removeEventListener('pagehide', onHide);
    // The browser asks "Leave site? Changes you made may not be saved." (its own words, not ours).
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      write(tabsRef.current);
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      window.removeEventListener('pagehide', onHide);
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [anyUnsaved, write]);

  const settle = (flowId: string) => {
    offered.current.delete(flowId);
    setOffers((list) => list.filter((o) => o.draft.flowId !== flowId));
  };

  return {
    offers,
    warning,
    restore: (flowId) => {
      const offer = offers.find((o) => o.draft.flowId === flowId);
      if (!offer) return;
      settle(flowId);
      const current = tabsRef.current;
      if (current?.needsLoad(flowId)) {
        pending.current = offer.draft;
        controlRef.current.select(flowId);
        return;
      }
      const refused = controlRef.current.restore(flowId, offer.draft.flow, offer.draft.baseVersion);
      if (refused) setWarning(`The changes to “${offer.draft.name}” could not be restored: ${refused}`);
    },
    discard: (flowId) => {
      settle(flowId);
      store?.remove(flowId);
      saved.current.delete(flowId);
      // Edits made since the load (not the discarded ones) are kept again at once.
      write(tabsRef.current);
    },
    flush: () => write(tabsRef.current),
    unsaved: () => (tabsRef.current?.tabs ?? []).filter(hasUndeployedWork).map(tabName),
  };
}

const NO_STORAGE =
  'This browser does not let the editor keep undeployed changes (its storage is off): deploy or Export before you leave the page.';

function openStore(): LocalDrafts | undefined {
  try {
    const storage = window.localStorage;
    // Per runtime: the editor is served by the runtime it edits, so its origin names it.
    return new LocalDrafts(storage, window.location.origin);
  } catch (err) {
    console.warn('localStorage is not available: undeployed changes are not kept in the browser', err);
    return undefined;
  }
}
