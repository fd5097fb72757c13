import { createContext, useContext } from 'react';
import type { NodeChange } from '../../state';
import '../../styles/drafts.css';

/** Nodes added or changed since the deployed version, by id (provided by the editor for the shown flow). */
export const ChangedNodesContext = createContext<ReadonlyMap<string, NodeChange>>(new Map());

const WORDS: Record<NodeChange, string> = {
  added: 'New since the deployed version: not deployed yet',
  changed: 'Changed since the deployed version: not deployed yet',
};

/** A small mark on a node that the runtime does not run as it is shown (new or changed, not deployed). */
export function ChangedMarker({ id }: { id: string }) {
  const change = useContext(ChangedNodesContext).get(id);
  if (!change) return null;
  return (
    <span
      className={`changed-marker ${change}`}
      data-testid={`changed-${id}`}
      data-change={change}
      role="img"
      aria-label={WORDS[change]}
      title={WORDS[change]}
    >
      {change === 'added' ? 'new' : 'changed'}
    </span>
  );
}
