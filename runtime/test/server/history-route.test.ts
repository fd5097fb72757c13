import { defineResource } from '@tagflow/node-sdk';
import { startHarness } from './server-harness';
import type { Harness } from './server-harness';

// GET /api/history reads through a resource of the running flow that answers history queries (a
// historian does); the runtime knows only that shape. Here a small one that records its queries.
const asked: Array<{ tags: string[]; from: number; to: number; bucketMs?: number; limit?: number }> = [];
const archive = defineResource({
  type: 'test-archive',
  version: 1,
  description: 'answers history queries from memory',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  create: () => ({
    close: () => undefined,
    query: async (q: { tags: string[]; from: number; to: number; bucketMs?: number; limit?: number }) => {
      asked.push(q);
      return q.tags.map((tag, i) => ({ tag, ts: q.to - 1000 * (i + 1), value: 40 + i, text: null, quality: 'good' }));
    },
  }),
});
const plain = defineResource({
  type: 'test-plain',
  version: 1,
  description: 'a connection that answers no history',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  create: () => ({ close: () => undefined }),
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.registry.registerResource(archive);
  h.registry.registerResource(plain);
  const result = await h.engine.deploy({
    schemaVersion: 1,
    id: 'with-history',
    resources: [
      { id: 'hist', type: 'test-archive' },
      { id: 'conn', type: 'test-plain' },
    ],
    nodes: [{ id: 'sink', type: 'sink', typeVersion: 1 }],
    edges: [],
  });
  expect(result.ok).toBe(true);
  const deadline = Date.now() + 5000;
  while (!h.engine.resourceInstance('hist') || !h.engine.resourceInstance('conn')) {
    if (Date.now() > deadline) throw new Error('the resources did not connect');
    await new Promise((r) => setTimeout(r, 10));
  }
});
afterAll(async () => {
  await h.close();
});

it('reads tags through the resource that answers history queries, for viewers', async () => {
  const res = await h.api('/api/history?tags=pump3/flow/avg,pump3/flow&since=600000&bucketMs=10000&limit=50', {
    token: h.token.viewer,
  });
  expect(res.status).toBe(200);
  expect(res.json.map((r: { tag: string; value: number }) => [r.tag, r.value])).toEqual([
    ['pump3/flow/avg', 40],
    ['pump3/flow', 41],
  ]);
  const q = asked.at(-1);
  expect(q).toMatchObject({ tags: ['pump3/flow/avg', 'pump3/flow'], bucketMs: 10000, limit: 50 });
  expect((q?.to ?? 0) - (q?.from ?? 0)).toBe(600000);
  expect((await h.api('/api/history?tags=x')).status).toBe(401);
});

it('says in plain words when the tags, the resource or its kind are wrong', async () => {
  const missingTags = await h.api('/api/history', { token: h.token.viewer });
  expect([missingTags.status, missingTags.json.error]).toEqual([
    400,
    'tags is required: one or more tag names, comma-separated',
  ]);
  const unknown = await h.api('/api/history?resource=nope&tags=x', { token: h.token.viewer });
  expect([unknown.status, unknown.json.error]).toEqual([404, 'the running flow has no resource "nope"']);
  const notHistory = await h.api('/api/history?resource=conn&tags=x', { token: h.token.viewer });
  expect([notHistory.status, notHistory.json.error]).toEqual([
    404,
    'resource "conn" (test-plain) cannot answer history queries',
  ]);
  expect((await h.api('/api/history?tags=x&since=-5', { token: h.token.viewer })).status).toBe(400);
});
