import { createContext, useContext, useSyncExternalStore } from 'react';
import type { LiveStore } from './live-store';

export const LiveContext = createContext<LiveStore | null>(null);

/** The live store, re-rendering the caller whenever it changes. */
export function useLive(): LiveStore {
  const store = useContext(LiveContext);
  if (!store) throw new Error('useLive outside a LiveContext provider');
  useSyncExternalStore(store.subscribe, store.getRevision);
  return store;
}
