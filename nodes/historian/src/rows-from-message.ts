import { qualityOf } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import type { HistoryRow } from './history-row';

/** How a message with an object payload becomes rows. */
export type ObjectPayloadMode = 'fields' | 'json';

/**
 * The rows a message stands for. A number (or boolean, as 1/0) is one row under `tag`; text is one
 * text row; an object is either one row per field (`fields`: tag `<tag>/<field>`, numbers as values,
 * text as text, nested objects as JSON) or one text row holding the whole object as JSON (`json`,
 * for events such as alarms). A null payload is a row without a value, e.g. a failed read (bad).
 * Each field row has its own quality (`msg.qualities`, else the message's): one failed tag of a
 * poll does not make the good values of that poll bad. A row holding the whole object has the
 * message's quality, the worst of its fields.
 */
export function rowsFromMessage(msg: Message, tag: string, objects: ObjectPayloadMode): HistoryRow[] {
  const { payload, timestamp: ts, quality } = msg;
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload) && objects === 'fields') {
    return Object.entries(payload as Record<string, unknown>).map(([field, value]) => ({
      tag: `${tag}/${field}`,
      ts,
      quality: qualityOf(msg, field),
      ...columns(value),
    }));
  }
  return [{ tag, ts, quality, ...columns(payload) }];
}

function columns(value: unknown): Pick<HistoryRow, 'value' | 'text'> {
  if (typeof value === 'number')
    return Number.isFinite(value) ? { value, text: null } : { value: null, text: String(value) };
  if (typeof value === 'boolean') return { value: value ? 1 : 0, text: null };
  if (value === null || value === undefined) return { value: null, text: null };
  if (typeof value === 'string') return { value: null, text: value };
  return { value: null, text: JSON.stringify(value) };
}
