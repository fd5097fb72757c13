import { useCallback } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { DocumentStore } from '../editor/use-document';

/**
 * Selects a node and moves the canvas so it sits in the middle, at the current zoom: what a click
 * on a problem's node name does (the node's settings open in the properties panel).
 */
export function useShowNode(store: DocumentStore): (nodeId: string) => void {
  const rf = useReactFlow();
  return useCallback(
    (nodeId: string) => {
      store.edit((d) => d.select([nodeId]));
      const node = rf.getNode(nodeId);
      if (!node) return;
      const width = node.measured?.width ?? node.width ?? 0;
      const height = node.measured?.height ?? node.height ?? 0;
      void rf.setCenter(node.position.x + width / 2, node.position.y + height / 2, {
        zoom: rf.getZoom(),
        duration: 250,
      });
    },
    [rf, store],
  );
}
