/** One sample of a trend. */
export interface SeriesPoint {
  /** Milliseconds since the Unix epoch. */
  time: number;
  /** The value drawn; NaN for an event without a number (a text), drawn as a marker on the axis. */
  value: number;
  /** Smallest and largest number of the window a runtime sample covers. */
  min?: number;
  max?: number;
  /** Messages the sample stands for (a runtime sample covers a window of them). */
  count?: number;
  /** What an event said (a text payload, an alarm object as JSON), for a marker's tooltip. */
  text?: string;
}

/** How a series is drawn: numbers as a line, on/off values as steps, events (alarms, texts) as markers. */
export type SeriesShape = 'line' | 'steps' | 'markers';

/** What the runtime's per-node sampling sends for one output port and one window (a `samples` frame entry). */
export interface PortSample {
  nodeId: string;
  port: string;
  /** The kind of the last payload of the window: `number`, `boolean`, `string`, `object` or `other`. */
  kind: string;
  count: number;
  /** Messages of the window with a number in them; `last`, `min`, `max` are theirs. */
  numeric: number;
  last?: number;
  min?: number;
  max?: number;
  text?: string;
  topic?: string;
}

/** The shape a payload kind is drawn as: a number as a line, a boolean as steps, anything else as markers. */
export function shapeOfKind(kind: string): SeriesShape {
  if (kind === 'number') return 'line';
  if (kind === 'boolean') return 'steps';
  return 'markers';
}

/** The series key of a node's output port (a node with one output has one series per port). */
export function seriesKey(nodeId: string, port: string): string {
  return `${nodeId}\u0000${port}`;
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
  private readonly shapes = new Map<string, SeriesShape>();
  /** Bumped on every change. */
  revision = 0;

  constructor(options: SeriesStoreOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_SERIES_WINDOW_MS;
    this.maxPoints = options.maxPoints ?? DEFAULT_SERIES_MAX_POINTS;
  }

  /** Adds a sample if `value` has a number in it (see `numericValue`); returns whether it was kept. */
  add(key: string, time: number, value: unknown): boolean {
    const number = numericValue(value);
    if (number === undefined) return false;
    return this.insert(key, { time, value: number });
  }

  /**
   * Adds a runtime sample (one window of one port) at `time`, the end of its window: its last number
   * with the window's min and max, or, for an event without a number, a marker with its text.
   * The series takes the sample's shape (`shapeOfKind`): the latest payload kind decides.
   */
  addSample(key: string, time: number, sample: PortSample): boolean {
    const shape = shapeOfKind(sample.kind);
    const hasNumber = sample.numeric > 0 && typeof sample.last === 'number' && Number.isFinite(sample.last);
    // A window of only texts or NaNs: nothing to draw on a line; an event still gets its marker.
    if (!hasNumber && shape !== 'markers') return false;
    const point: SeriesPoint = { time, value: hasNumber ? (sample.last as number) : NaN, count: sample.count };
    if (hasNumber && typeof sample.min === 'number' && typeof sample.max === 'number') {
      point.min = sample.min;
      point.max = sample.max;
    }
    if (sample.text !== undefined) point.text = sample.text;
    if (!this.insert(key, point)) return false;
    this.shapes.set(key, shape);
    return true;
  }

  /** How `key` is drawn: the shape of its latest runtime sample, else a line. */
  shape(key: string): SeriesShape {
    return this.shapes.get(key) ?? 'line';
  }

  private insert(key: string, point: SeriesPoint): boolean {
    const { time } = point;
    if (!Number.isFinite(time)) return false;
    const points = this.series.get(key) ?? [];
    const newest = points.length > 0 ? points[points.length - 1].time : -Infinity;
    if (time < newest - this.windowMs) return false; // already out of the window
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
    if (key === undefined) {
      this.series.clear();
      this.shapes.clear();
    } else {
      this.series.delete(key);
      this.shapes.delete(key);
    }
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
