import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Flow } from '@tagflow/flow-model';
import type { AdminApi } from '../../api/client';
import { FlowsApi } from '../../api/flows-api';
import type { FlowSummary } from '../../api/flows-types';
import { FlowTabs } from '../../state';
import type { FlowDocument, TabsResult } from '../../state';

/** The runtime's flows as tabs, and the actions on them (the tab bar's and the workspace's). */
export interface FlowTabsControl {
  /** Null until GET /api/flows answered. */
  tabs: FlowTabs | null;
  /** Why the list of flows could not be read (the editor cannot start without it). */
  listError?: string;
  /** Why the shown tab's flow could not be loaded. */
  loadError?: string;
  flows: FlowsApi;
  select(id: string): void;
  /** Loads the shown tab's flow again after a failure. */
  retryLoad(): void;
  edited(id: string, draft: FlowDocument): void;
  /** Each returns the reason in plain words when refused. */
  create(name: string): string | undefined;
  rename(id: string, name: string): string | undefined;
  duplicate(id: string): string | undefined;
  /** Opens `flows` as new tabs (see `FlowTabs.addFlows`); the reason in plain words when refused. */
  addFlows(flows: readonly Flow[]): string | undefined;
  /** Puts a local draft back as tab `id`'s edits (see `FlowTabs.restore`); the reason when refused. */
  restore(id: string, flow: Flow, baseVersion: number): string | undefined;
  /** Tab `id`'s flow is version `version` on the runtime (deployed from here, or reloaded). */
  deployed(id: string, version: number, flow: Flow): void;
  /** Count of changes made here so far (read when asking the runtime for its list; see `refresh`). */
  changes(): number;
  /** The runtime's list again (from each status poll), asked for when `changes()` was `asOf`. */
  refresh(flows: readonly FlowSummary[], asOf: number): void;
  /** Disables or enables the flow on the runtime; rejects with the runtime's reason. */
  setEnabled(id: string, enabled: boolean): Promise<void>;
  /** Deletes the flow on the runtime (a new flow is only dropped); rejects with the runtime's reason. */
  remove(id: string): Promise<void>;
}

/**
 * Holds the tabs for `api`: lists the flows once, loads each tab's flow when it is first shown.
 * `onRemoved` hears of each flow deleted from here.
 */
export function useFlowTabs(api: AdminApi, onRemoved?: (id: string) => void): FlowTabsControl {
  const flows = useMemo(() => new FlowsApi(api), [api]);
  const [tabs, setTabs] = useState<FlowTabs | null>(null);
  const ref = useRef<FlowTabs | null>(null);
  const [listError, setListError] = useState<string | undefined>();
  const [loadError, setLoadError] = useState<{ id: string; message: string } | undefined>();
  const [attempt, setAttempt] = useState(0);
  const onRemovedRef = useRef(onRemoved);
  onRemovedRef.current = onRemoved;

  const update = useCallback((change: (tabs: FlowTabs) => FlowTabs) => {
    if (!ref.current) return;
    const next = change(ref.current);
    if (next === ref.current) return;
    ref.current = next;
    setTabs(next);
  }, []);

  /** Applies a refusable change; returns its reason when refused. */
  const attemptChange = useCallback(
    (change: (tabs: FlowTabs) => TabsResult): string | undefined => {
      if (!ref.current) return 'the flows are still loading';
      const result = change(ref.current);
      if (!result.ok) return capitalize(result.reason);
      update(() => result);
      return undefined;
    },
    [update],
  );

  useEffect(() => {
    let gone = false;
    flows.list().then(
      (list) => {
        if (gone) return;
        ref.current = FlowTabs.fromSummaries(list);
        setTabs(ref.current);
      },
      (err: unknown) => !gone && setListError(message(err)),
    );
    return () => {
      gone = true;
    };
  }, [flows]);

  // The shown tab's flow, fetched the first time it is shown.
  const activeId = tabs?.activeId;
  const mustLoad = activeId !== undefined && tabs !== null && tabs.needsLoad(activeId);
  useEffect(() => {
    if (!mustLoad || activeId === undefined) return;
    let gone = false;
    setLoadError(undefined);
    flows
      .endpoint(activeId)
      .load()
      .then(
        (running) => !gone && update((t) => t.loaded(activeId, running.flow, running.version)),
        (err: unknown) => !gone && setLoadError({ id: activeId, message: message(err) }),
      );
    return () => {
      gone = true;
    };
  }, [flows, activeId, mustLoad, attempt, update]);

  const remove = useCallback(
    async (id: string) => {
      const tab = ref.current?.tab(id);
      if (!tab) return;
      if (tab.remote) await flows.remove(id, tab.baseVersion);
      update((t) => t.removed(id));
      onRemovedRef.current?.(id);
    },
    [flows, update],
  );

  const setEnabled = useCallback(
    async (id: string, enabled: boolean) => {
      const state = enabled ? await flows.enable(id) : await flows.disable(id);
      update((t) => t.withState(id, state));
    },
    [flows, update],
  );

  return {
    tabs,
    listError,
    loadError: loadError && loadError.id === activeId ? loadError.message : undefined,
    flows,
    select: (id) => update((t) => t.select(id)),
    retryLoad: () => setAttempt((n) => n + 1),
    edited: (id, draft) => update((t) => t.edited(id, draft)),
    create: (name) => attemptChange((t) => t.create(name)),
    rename: (id, name) => attemptChange((t) => t.rename(id, name)),
    duplicate: (id) => attemptChange((t) => t.duplicate(id)),
    addFlows: (list) => attemptChange((t) => t.addFlows(list)),
    restore: (id, flow, baseVersion) => attemptChange((t) => t.restore(id, flow, baseVersion)),
    deployed: (id, version, flow) => update((t) => t.deployed(id, version, flow)),
    changes: () => ref.current?.changes ?? 0,
    refresh: (list, asOf) => update((t) => t.refresh(list, asOf)),
    setEnabled,
    remove,
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
