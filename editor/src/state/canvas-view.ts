/**
 * How the canvas frames a flow: readable first. At the old default (fit with 20% padding, about
 * 0.85 for the demo flow) status text and handles were about 9 px; a flow that nearly fits is now
 * shown at 1:1 or larger, and only a big flow is shrunk to fit.
 */

/** Space kept around the flow when fitting, in screen pixels (not a share of the canvas). */
export const FIT_PADDING_PX = 40;

/** The largest zoom a fit picks (a flow of two nodes is not blown up). */
export const MAX_FIT_ZOOM = 1.25;

/** The smallest zoom a fit picks for a big flow; the user can zoom out further. */
export const MIN_FIT_ZOOM = 0.2;

/** A flow that fits at this zoom or more is "small": it is shown at 1:1 at least. */
export const SMALL_FLOW_ZOOM = 0.75;

/** The zoom a fit shows a flow at, given the zoom at which it would exactly fit. */
export function readableZoom(fitZoom: number): number {
  if (!Number.isFinite(fitZoom) || fitZoom <= 0) return 1;
  const zoom = fitZoom >= SMALL_FLOW_ZOOM ? Math.max(fitZoom, 1) : fitZoom;
  return Math.min(MAX_FIT_ZOOM, Math.max(MIN_FIT_ZOOM, zoom));
}
