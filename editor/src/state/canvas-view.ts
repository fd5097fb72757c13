/**
 * How the canvas frames a flow: readable first. The old default (fit with 20% padding) showed a
 * flow that fits at 1:1 at about 0.85, where status text and handles were about 9 px. A flow that
 * fits at 1:1 is now shown at 1:1; a bigger one is shrunk just enough to show it whole.
 */

/** Space kept around the flow when fitting, in screen pixels (not a share of the canvas). */
export const FIT_PADDING_PX = 40;

/** The least space around a flow shown at 1:1: a flow that fits with this much is "small". */
export const TIGHT_PADDING_PX = 12;

/**
 * The largest zoom a fit picks: 1:1, as Node-RED shows flows. Larger made a first node dropped on
 * an empty canvas so big that the next ones, dropped beside it, landed on top of it.
 */
export const MAX_FIT_ZOOM = 1;

/** The smallest zoom a fit picks for a big flow; the user can zoom out further. */
export const MIN_FIT_ZOOM = 0.2;

/**
 * The zoom a fit shows a flow at, given the zooms at which it exactly fits with `FIT_PADDING_PX`
 * (`fitZoom`) and with `TIGHT_PADDING_PX` (`tightZoom`) around it.
 */
export function readableZoom(fitZoom: number, tightZoom: number = fitZoom): number {
  if (!Number.isFinite(fitZoom) || fitZoom <= 0) return 1;
  const tight = Number.isFinite(tightZoom) && tightZoom > fitZoom ? tightZoom : fitZoom;
  const zoom = tight >= 1 ? Math.max(fitZoom, 1) : tight;
  return Math.min(MAX_FIT_ZOOM, Math.max(MIN_FIT_ZOOM, zoom));
}
