import { getViewportForBounds } from '@xyflow/react';
import type { ReactFlowInstance } from '@xyflow/react';
import { FIT_PADDING_PX, MAX_FIT_ZOOM, MIN_FIT_ZOOM, readableZoom, TIGHT_PADDING_PX } from '../../state';

/** The canvas's React Flow pane in the page (its size is the view's size). */
function paneSize(): { width: number; height: number } | undefined {
  const pane = document.querySelector('.canvas-wrap .react-flow');
  if (!pane) return undefined;
  const { width, height } = pane.getBoundingClientRect();
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/**
 * Frames the whole flow readably (see `readableZoom`): a flow that fits at 1:1 at 1:1 or more, a
 * bigger one shrunk just enough to show it whole. Used for the first view, the Fit button and after an import.
 */
export function fitReadable(
  rf: Pick<ReactFlowInstance, 'getNodes' | 'getNodesBounds' | 'setViewport'>,
  options: { duration?: number } = {},
): void {
  const nodes = rf.getNodes();
  const size = paneSize();
  if (nodes.length === 0 || !size) return;
  const bounds = rf.getNodesBounds(nodes);
  const padding = `${FIT_PADDING_PX}px` as const;
  const fit = getViewportForBounds(bounds, size.width, size.height, MIN_FIT_ZOOM, 4, padding);
  const tight = getViewportForBounds(bounds, size.width, size.height, MIN_FIT_ZOOM, 4, `${TIGHT_PADDING_PX}px`);
  const zoom = Math.min(readableZoom(fit.zoom, tight.zoom), MAX_FIT_ZOOM);
  void rf.setViewport(getViewportForBounds(bounds, size.width, size.height, zoom, zoom, padding), options);
}
