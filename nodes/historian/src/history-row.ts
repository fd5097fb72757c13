import type { Quality } from '@tagflow/node-sdk';

/**
 * One value of one tag at one time: the unit every historian backend stores. A row is identified
 * by `(tag, ts)`: writing the same pair again (at-least-once delivery after an outage) leaves one
 * row, so redelivery never duplicates history.
 */
export interface HistoryRow {
  /** Tag name, e.g. `pump3/flow/avg`. */
  tag: string;
  /** Source timestamp, milliseconds since the Unix epoch. */
  ts: number;
  /** The value when it is a number (booleans are stored as 1 and 0); null otherwise. */
  value: number | null;
  /** The value when it is text, or JSON for an object kept whole; null for numbers. */
  text: string | null;
  quality: Quality;
}

/** Quality as stored (a small integer column): good 0, uncertain 1, bad 2. */
export const QUALITY_CODES: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 };
const QUALITIES: Quality[] = ['good', 'uncertain', 'bad'];

/** The quality a stored code stands for; an unknown code reads as bad, never as good. */
export function qualityFromCode(code: number): Quality {
  return QUALITIES[code] ?? 'bad';
}
