import type { HistoryRow } from './history-row';
import { QUALITY_CODES } from './history-row';

/** Earliest and latest millisecond InfluxDB can store (its nanosecond int64 range, a little inside). */
export const INFLUX_MIN_MS = -9_223_372_036_854;
export const INFLUX_MAX_MS = 9_223_372_036_854;

/** A measurement name for line protocol: commas and spaces escaped. */
export function escapeMeasurement(name: string): string {
  refuseUnwritable(name, 'measurement');
  return name.replace(/[, ]/g, (c) => `\\${c}`);
}

/** A tag key or tag value (also a field key) for line protocol: commas, equals signs and spaces escaped. */
export function escapeTag(text: string): string {
  refuseUnwritable(text, 'tag');
  return text.replace(/[,= ]/g, (c) => `\\${c}`);
}

/** A string field value for line protocol, quotes included: double quotes and backslashes escaped. */
export function quoteFieldString(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * One history row as a line: `<measurement>,tag=<tag> value=<float>,quality=<int>i <ms>` for a
 * number, `text="..."` instead of `value` for text, neither for a row without a value. Numbers
 * are written without the `i` suffix so the `value` field is always a float in InfluxDB (an
 * integer once would fix the field's type for the whole shard and refuse later floats).
 */
export function lineFor(measurement: string, row: HistoryRow): string {
  const refusal = timeRefusal(row);
  if (refusal !== undefined) throw new Error(refusal);
  return lineWith(measurement, escapeTag(row.tag), row);
}

/** Why InfluxDB cannot store this row's time or tag name, leaving out the tag's characters (see `escapeTag`). */
export function timeRefusal(row: HistoryRow): string | undefined {
  if (!Number.isInteger(row.ts) || row.ts < INFLUX_MIN_MS || row.ts > INFLUX_MAX_MS)
    return `the row of tag "${row.tag}" has a timestamp InfluxDB cannot store: ${row.ts}`;
  if (row.tag === '') return 'a row has an empty tag name, which InfluxDB cannot store';
  return undefined;
}

/** `lineFor` with the measurement and the tag already escaped and the row already checked. */
export function lineWith(measurement: string, escapedTag: string, row: HistoryRow): string {
  const quality = QUALITY_CODES[row.quality] ?? QUALITY_CODES.bad;
  // NaN and ±Infinity have no line protocol form: they are stored as "no value", like a null.
  if (row.value !== null && Number.isFinite(row.value))
    return `${measurement},tag=${escapedTag} value=${row.value},quality=${quality}i ${row.ts}`;
  if (row.text !== null)
    return `${measurement},tag=${escapedTag} text=${quoteFieldString(row.text)},quality=${quality}i ${row.ts}`;
  return `${measurement},tag=${escapedTag} quality=${quality}i ${row.ts}`;
}

/** The body of one write request: one line per row, measurement escaped once. */
export function linesFor(measurement: string, rows: readonly HistoryRow[]): string {
  const escaped = escapeMeasurement(measurement);
  return rows.map((row) => lineFor(escaped, row)).join('\n');
}

// A newline ends a line, and InfluxDB's parser reads a backslash as "skip the next character"
// but never unescapes `\\`: a backslash before a separator or at the end cannot be carried in a
// measurement or tag. Refuse those in plain words rather than write a line that parses wrongly.
function refuseUnwritable(text: string, what: 'measurement' | 'tag'): void {
  if (/[\r\n]/.test(text))
    throw new Error(
      `the ${what} name ${JSON.stringify(text)} contains a line break, which InfluxDB line protocol cannot carry`,
    );
  if (/\\([,= ]|$)/.test(text)) {
    throw new Error(
      `the ${what} name ${JSON.stringify(text)} has a backslash before a comma, equals sign, space or its end, which InfluxDB line protocol cannot carry`,
    );
  }
}
