/** A value shown by a debug node, as the runtime's event stream sends it. */
export interface DebugEvent {
  nodeId: string;
  nodeType?: string;
  name?: string;
  data: unknown;
  /** Milliseconds since the Unix epoch. */
  time: number;
}

/** Which entries to list. */
export interface DebugFilter {
  nodeId?: string;
  /** Case-insensitive text the entry's text (see the log's `textOf`) must contain. */
  text?: string;
}

/** The searchable text of an entry by default: its node id, name and data as JSON. */
export function defaultEntryText(entry: { nodeId?: string; name?: string; data?: unknown }): string {
  let data: string;
  try {
    data = typeof entry.data === 'string' ? entry.data : (JSON.stringify(entry.data) ?? String(entry.data));
  } catch {
    // A value that is not JSON (a cycle, a BigInt): search what String makes of it.
    data = String(entry.data);
  }
  return `${entry.nodeId ?? ''} ${entry.name ?? ''} ${data}`;
}

/** Entries kept by default; the oldest are dropped beyond it. */
export const DEBUG_LOG_CAPACITY = 1000;

/**
 * The debug sidebar's log: a bounded ring of the latest events, oldest first. Mutable (it takes
 * many events a second); React re-renders on `revision`. While paused, new events are counted in
 * `missedWhilePaused` and `droppedCount`, not kept. Pinned entries are kept apart: neither the
 * bound nor `clear()` removes them, only `unpin`.
 */
export class DebugLog<E extends { nodeId?: string } = DebugEvent> {
  private ring: (E | undefined)[];
  private readonly pins: E[] = [];
  /** Entry texts for the text filter, made once per entry (entries are immutable). */
  private readonly texts = new WeakMap<E, string>();
  private start = 0;
  private count = 0;
  private isPaused = false;
  /** Events lost since the last `clear()`: pushed out by the bound or arriving while paused. */
  droppedCount = 0;
  /** Events that arrived during the current (or last) pause. */
  missedWhilePaused = 0;
  /** Bumped on every change, for `useSyncExternalStore`-style re-renders. */
  revision = 0;

  constructor(
    readonly capacity = DEBUG_LOG_CAPACITY,
    private readonly textOf: (entry: E) => string = defaultEntryText,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`DebugLog capacity must be a positive integer (got ${capacity})`);
    this.ring = new Array<E | undefined>(capacity);
  }

  get paused(): boolean {
    return this.isPaused;
  }

  get size(): number {
    return this.count;
  }

  add(event: E): void {
    this.revision += 1;
    if (this.isPaused) {
      this.missedWhilePaused += 1;
      this.droppedCount += 1;
      return;
    }
    if (this.count === this.capacity) {
      this.ring[this.start] = event;
      this.start = (this.start + 1) % this.capacity;
      this.droppedCount += 1;
      return;
    }
    this.ring[(this.start + this.count) % this.capacity] = event;
    this.count += 1;
  }

  /** Kept entries, oldest first, optionally of one node and containing a text (pinned ones included). */
  entries(filter: DebugFilter = {}): E[] {
    const out: E[] = [];
    for (let i = 0; i < this.count; i += 1) {
      const e = this.ring[(this.start + i) % this.capacity] as E;
      if (this.matches(e, filter)) out.push(e);
    }
    return out;
  }

  /** Pinned entries, in the order they were pinned, filtered as `entries`. */
  pinned(filter: DebugFilter = {}): E[] {
    return this.pins.filter((e) => this.matches(e, filter));
  }

  isPinned(entry: E): boolean {
    return this.pins.includes(entry);
  }

  /** Keeps `entry` whatever comes after: the bound and `clear()` leave it. */
  pin(entry: E): void {
    if (this.pins.includes(entry)) return;
    this.pins.push(entry);
    this.revision += 1;
  }

  unpin(entry: E): void {
    const at = this.pins.indexOf(entry);
    if (at < 0) return;
    this.pins.splice(at, 1);
    this.revision += 1;
  }

  private matches(e: E, filter: DebugFilter): boolean {
    if (filter.nodeId !== undefined && e.nodeId !== filter.nodeId) return false;
    const wanted = filter.text?.trim().toLowerCase();
    if (!wanted) return true;
    let text = this.texts.get(e);
    if (text === undefined) {
      text = this.textOf(e).toLowerCase();
      this.texts.set(e, text);
    }
    return text.includes(wanted);
  }

  pause(): void {
    if (this.isPaused) return;
    this.isPaused = true;
    this.missedWhilePaused = 0;
    this.revision += 1;
  }

  resume(): void {
    if (!this.isPaused) return;
    this.isPaused = false;
    this.revision += 1;
  }

  /** Forgets every entry but the pinned ones and resets the counters (the pause state stays). */
  clear(): void {
    this.ring = new Array<E | undefined>(this.capacity);
    this.start = 0;
    this.count = 0;
    this.droppedCount = 0;
    this.missedWhilePaused = 0;
    this.revision += 1;
  }
}
