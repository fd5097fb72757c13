import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Flow } from '@tagflow/flow-model';
import {
  debugValue,
  fillTagTemplate,
  FlowDocument,
  historyBucketMs,
  historyLookup,
  historyPoints,
  historyTagFor,
} from '../src/state';

const pumpMonitor = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'examples', 'pump-monitor', 'flow.json'), 'utf8'),
) as Flow;

describe('fillTagTemplate', () => {
  it('fills {{topic}} (spaces allowed) and refuses what it cannot know', () => {
    expect(fillTagTemplate('{{topic}}/avg', 'pump3/flow')).toBe('pump3/flow/avg');
    expect(fillTagTemplate('site/{{ topic }}', 'p1')).toBe('site/p1');
    expect(fillTagTemplate('fixed/tag')).toBe('fixed/tag');
    expect(fillTagTemplate('{{topic}}/avg')).toBeUndefined();
    expect(fillTagTemplate('{{topic}}', '')).toBeUndefined();
    expect(fillTagTemplate('{{payload.unit}}/x', 'pump3')).toBeUndefined();
  });
});

describe('historyTagFor', () => {
  it('gives the tag of the historian-out a node feeds directly, filled with the topic', () => {
    expect(historyTagFor(pumpMonitor, 'avg', 'pump3/flow')).toStrictEqual({
      resourceId: 'pump-history',
      tag: 'pump3/flow/avg',
      recorderId: 'record-average',
    });
    // Works on the editor's document too.
    const doc = FlowDocument.fromFlow(pumpMonitor);
    expect(historyTagFor(doc, 'avg', 'pump3/flow')?.tag).toBe('pump3/flow/avg');
  });

  it('gives a historian-out its own tag', () => {
    expect(historyTagFor(pumpMonitor, 'record-average', 'pump3/flow')?.tag).toBe('pump3/flow/avg');
  });

  it('is undefined without the topic, for nodes not feeding a historian directly, and for JSON-text recorders', () => {
    expect(historyLookup(pumpMonitor, 'avg')).toStrictEqual({ reason: 'topic-unknown' });
    // flow-sensor feeds avg, which feeds the historian: not directly.
    expect(historyLookup(pumpMonitor, 'flow-sensor', 'pump3/flow')).toStrictEqual({ reason: 'not-recorded' });
    // high-flow's recorder stores alarm objects as JSON text.
    expect(historyTagFor(pumpMonitor, 'high-flow', 'pump3/flow')).toBeUndefined();
    expect(historyLookup(pumpMonitor, 'nope')).toStrictEqual({ reason: 'not-recorded' });
  });

  it('defaults the tag to {{topic}}, skips a recorder without a historian and one needing another field', () => {
    const flow = {
      nodes: [
        { id: 'src', type: 'simulate', config: {} },
        { id: 'bad', type: 'historian-out', config: { tag: 'x' } },
        { id: 'other', type: 'historian-out', config: { historian: 'h', tag: '{{payload.site}}/x' } },
        { id: 'plain', type: 'historian-out', config: { historian: 'h2' } },
      ],
      edges: [
        { source: 'src', target: 'bad' },
        { source: 'src', target: 'other' },
        { source: 'src', target: 'plain' },
      ],
    };
    expect(historyTagFor(flow, 'src', 't1')).toStrictEqual({ resourceId: 'h2', tag: 't1', recorderId: 'plain' });
    expect(historyLookup(flow, 'other', 't1')).toStrictEqual({ reason: 'field-unknown' });
    expect(historyTagFor({ nodes: flow.nodes, edges: [] }, 'plain', undefined)).toBeUndefined();
  });
});

describe('debugValue', () => {
  it('reads the payload and topic of a whole message, and passes a payload through', () => {
    expect(debugValue({ payload: 41.5, topic: 'pump3/flow', timestamp: 1, quality: 'good' }, true)).toStrictEqual({
      value: 41.5,
      topic: 'pump3/flow',
    });
    expect(debugValue({ payload: 2 }, true)).toStrictEqual({ value: 2 });
    expect(debugValue(41.5, true)).toStrictEqual({ value: 41.5 });
    const payload = { payload: 1, topic: 'looks like a message' };
    expect(debugValue(payload, false)).toStrictEqual({ value: payload });
  });
});

describe('historyPoints', () => {
  it('reads raw and bucketed rows of the tag, oldest first, leaving gaps out', () => {
    const rows = [
      { tag: 'a', ts: 2000, value: 2, text: null, quality: 'good' },
      { tag: 'a', ts: 1000, value: 1, text: null, quality: 'good' },
      { tag: 'a', ts: 3000, value: null, text: null, quality: 'bad' },
      { tag: 'b', ts: 1500, value: 9 },
      { tag: 'a', ts: '1970-01-01T00:00:04.000Z', value: true },
      { tag: 'a', ts: 5000, min: 1, max: 3, mean: 2.5, count: 4 },
      'junk',
    ];
    expect(historyPoints(rows, 'a')).toStrictEqual([
      { time: 1000, value: 1 },
      { time: 2000, value: 2 },
      { time: 4000, value: 1 },
      { time: 5000, value: 2.5 },
    ]);
    expect(historyPoints({ error: 'x' }, 'a')).toStrictEqual([]);
  });

  it('historyBucketMs gives about 300 buckets, at least a second', () => {
    expect(historyBucketMs(30_000)).toBe(1000);
    expect(historyBucketMs(300_000)).toBe(1000);
    expect(historyBucketMs(3_600_000)).toBe(12_000);
  });
});
