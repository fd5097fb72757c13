/** One sample of a trend. */
export interface SeriesPoint {
  /** Milliseconds since the Unix epoch. */
  time: number;
  value: number;
}

/** Limits of a `SeriesStore`. */
export interface SeriesStoreOptions {
  /** How far back a series reaches from its newest point (default 10 minutes). */
  windowMs?: number;
  /** Most points kept per series; the oldest go first (default 2000). */
  maxPoints?: number;
}

export const DEFAULT_SERIES_WINDOW_MS = 10 * 60_000;
export const DEFAULT_SERIES_MAX_POINTS = 2000;

/**
 * Trend data for the canvas sparklines and charts, one series per key (a node id or an edge id).
 * Mutable and bounded: a series keeps the last `windowMs` before its newest point, at most
 * `maxPoints`. Non-numeric values are ignored. React re-renders on `revision`.
 */
export class SeriesStore {
  readonly windowMs: number;
  readonly maxPoints: number;
  private readonly series = new Map<string, SeriesPoint[]>();
  /** Bumped on every change. */
  revision = 0;

  constructor(options: SeriesStoreOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_SERIES_WINDOW_MS;
    this.maxPoints = options.maxPoints ?? DEFAULT_SERIES_MAX_POINTS;
  }

  /** Adds a sample if `value` has a number in it (see `numericValue`); returns whether it was kept. */
  add(key: string, time: number, value: unknown): boolean {
    const number = numericValue(value);
    if (number === undefined || !Number.isFinite(time)) return false;
    const points = this.series.get(key) ?? [];
    const newest = points.length > 0 ? points[points.length - 1].time : -Infinity;
    if (time < newest - this.windowMs) return false; // already out of the window
    const point = { time, value: number };
    if (time >= newest) points.push(point);
    else points.splice(insertionIndex(points, time), 0, point); // late arrival: keep time order
    const horizon = points[points.length - 1].time - this.windowMs;
    let expired = 0;
    while (expired < points.length && points[expired].time < horizon) expired += 1;
    const excess = Math.max(expired, points.length - this.maxPoints);
    if (excess > 0) points.splice(0, excess);
    this.series.set(key, points);
    this.revision += 1;
    return true;
  }

  /** The series of `key`, oldest first (a copy); empty when unknown. */
  points(key: string): SeriesPoint[] {
    return [...(this.series.get(key) ?? [])];
  }

  keys(): string[] {
    return [...this.series.keys()];
  }

  /** Forgets one series, or all. */
  clear(key?: string): void {
    if (key === undefined) this.series.clear();
    else this.series.delete(key);
    this.revision += 1;
  }
}

/** The number a payload stands for: a finite number, a boolean as 1/0, or `{ value: number }`; undefined otherwise. */
export function numericValue(payload: unknown): number | undefined {
  if (typeof payload === 'number') return Number.isFinite(payload) ? payload : undefined;
  if (typeof payload === 'boolean') return payload ? 1 : 0;
  if (typeof payload === 'object' && payload !== null && !Array.isArray(payload) && 'value' in payload) {
    const inner = payload.value;
    if (typeof inner === 'number' || typeof inner === 'boolean') return numericValue(inner);
  }
  return undefined;
}

function insertionIndex(points: readonly SeriesPoint[], time: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].time <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
