import { numericValue } from './series-store';
import type { SeriesPoint } from './series-store';

/** The parts of a flow (a `Flow` or a `CanvasDoc`) that say where a node's values are recorded. */
export interface HistorySource {
  nodes: readonly { id: string; type: string; config?: Record<string, unknown> }[];
  edges: readonly { source: string; target: string }[];
}

/** Where the historian keeps a node's values: the `historian` resource and the tag. */
export interface HistoryTag {
  resourceId: string;
  tag: string;
  /** The historian-out node the tag comes from. */
  recorderId: string;
}

/** Why a node has no history tag, in plain words (for the chart's note). */
export type NoHistoryReason = 'not-recorded' | 'topic-unknown' | 'field-unknown';

export const HISTORIAN_OUT = 'historian-out';
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

/**
 * Fills a historian-out tag template as the node does (`{{topic}}` from the message), knowing only
 * the topic: undefined when the template needs the topic and it is unknown, or needs any other field.
 */
export function fillTagTemplate(template: string, topic?: string): string | undefined {
  let ok = true;
  const tag = template.replace(PLACEHOLDER, (_, path: string) => {
    if (path === 'topic' && topic !== undefined && topic !== '') return topic;
    ok = false;
    return '';
  });
  return ok && tag !== '' ? tag : undefined;
}

/**
 * The historian tag holding `nodeId`'s values: its own tag when it is a historian-out, else the tag
 * of a historian-out it feeds directly. The template is filled with `lastTopic` (the topic of the
 * node's latest message, when known); any other placeholder cannot be known, nor can `{{topic}}`
 * without a topic: then undefined. Historian-outs storing whole objects as JSON text are skipped
 * (their rows have no numbers to chart).
 */
export function historyTagFor(flow: HistorySource, nodeId: string, lastTopic?: string): HistoryTag | undefined {
  return historyLookup(flow, nodeId, lastTopic).tag;
}

/** `historyTagFor`, with the reason when there is no tag. */
export function historyLookup(
  flow: HistorySource,
  nodeId: string,
  lastTopic?: string,
): { tag?: HistoryTag; reason?: NoHistoryReason } {
  const node = flow.nodes.find((n) => n.id === nodeId);
  if (!node) return { reason: 'not-recorded' };
  const recorders =
    node.type === HISTORIAN_OUT
      ? [node]
      : flow.edges
          .filter((e) => e.source === nodeId)
          .map((e) => flow.nodes.find((n) => n.id === e.target))
          .filter((n): n is HistorySource['nodes'][number] => n !== undefined && n.type === HISTORIAN_OUT);
  let reason: NoHistoryReason = 'not-recorded';
  for (const r of recorders) {
    const config = r.config ?? {};
    const resourceId = config.historian;
    if (typeof resourceId !== 'string' || resourceId === '' || config.objects === 'json') continue;
    const template = typeof config.tag === 'string' && config.tag !== '' ? config.tag : '{{topic}}';
    const tag = fillTagTemplate(template, lastTopic);
    if (tag !== undefined) return { tag: { resourceId, tag, recorderId: r.id } };
    const needsOther = [...template.matchAll(PLACEHOLDER)].some((m) => m[1] !== 'topic');
    if (needsOther) {
      if (reason === 'not-recorded') reason = 'field-unknown';
    } else reason = 'topic-unknown';
  }
  return { reason };
}

/**
 * What a debug frame's data says: the value to chart and the message's topic. A debug node set to
 * show the whole message (`property: 'msg'`) sends the message, whose `payload` is the value;
 * otherwise the data is the payload itself and the topic is not known.
 */
export function debugValue(
  data: unknown,
  wholeMessage: boolean,
  frameTopic?: unknown,
): { value: unknown; topic?: string } {
  // The runtime sends the message's topic with the value: no need for the whole message then.
  if (typeof frameTopic === 'string' && frameTopic !== '')
    return { value: wholeMessage ? debugValue(data, true).value : data, topic: frameTopic };
  if (!wholeMessage || typeof data !== 'object' || data === null || Array.isArray(data)) return { value: data };
  const msg = data as { payload?: unknown; topic?: unknown };
  return typeof msg.topic === 'string' && msg.topic !== ''
    ? { value: msg.payload, topic: msg.topic }
    : { value: msg.payload };
}

/** One row of GET /api/history: raw (`value`) or bucketed (`mean`). */
export interface HistoryRow {
  tag?: unknown;
  ts?: unknown;
  value?: unknown;
  mean?: unknown;
}

/** The chartable points of a history answer for `tag`, oldest first: rows without a number are gaps, left out. */
export function historyPoints(rows: unknown, tag: string): SeriesPoint[] {
  if (!Array.isArray(rows)) return [];
  const out: SeriesPoint[] = [];
  for (const row of rows as HistoryRow[]) {
    if (typeof row !== 'object' || row === null) continue;
    if (row.tag !== undefined && row.tag !== tag) continue;
    const time = typeof row.ts === 'number' ? row.ts : typeof row.ts === 'string' ? Date.parse(row.ts) : NaN;
    const value = numericValue('mean' in row ? row.mean : row.value);
    if (!Number.isFinite(time) || value === undefined) continue;
    out.push({ time, value });
  }
  return out.sort((a, b) => a.time - b.time);
}

/** Bucket size for a history query over `windowMs`: about `points` buckets, at least a second. */
export function historyBucketMs(windowMs: number, points = 300): number {
  return Math.max(1000, Math.ceil(windowMs / points / 1000) * 1000);
}
