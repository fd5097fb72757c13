import { contextPreview, scopeSummary, sizeText } from '../src/state';
import type { ContextScopeView } from '../src/state';

const view = (over: Partial<ContextScopeView>): ContextScopeView => ({
  scope: 'node',
  flowId: 'plant',
  nodeId: 'avg',
  keys: 2,
  bytes: 1536,
  limitBytes: 1024 * 1024,
  refusedWrites: 0,
  entries: [],
  ...over,
});

describe('the Context tab: scope lines and value previews', () => {
  it('says how many keys, and the size against the limit', () => {
    expect(scopeSummary(view({}))).toEqual({ text: '2 keys, 1.5 KB of 1 MB' });
    expect(scopeSummary(view({ keys: 1, bytes: 12 })).text).toBe('1 key, 12 B of 1 MB');
  });

  it('says in plain words that writes were refused, with the last reason', () => {
    const summary = scopeSummary(
      view({
        refusedWrites: 3,
        lastRefusal:
          'node "avg": storing context key "w" would take the context to 2000000 bytes, past its limit of 1048576',
      }),
    );
    expect(summary.warning).toBe(
      '3 writes were refused since the runtime started. Last: node "avg": storing context key "w" would take the context to 2000000 bytes, past its limit of 1048576',
    );
  });

  it('shows a value as one line of JSON, cut when long', () => {
    expect(contextPreview({ level: 4.5, tags: ['a'] })).toBe('{"level":4.5,"tags":["a"]}');
    expect(contextPreview('x'.repeat(300))).toHaveLength(201);
    expect(sizeText(4 * 1024 * 1024)).toBe('4 MB');
  });
});
