// Issue 16 in the browser: the Context tab shows the flow state the runtime keeps for the
// selected node, the flow and the runtime, refreshes it, and deletes a key.
import { until } from '@tagflow/test-support';
import { EditorPage, editorSession } from './editor-harness';

/** A timer feeding a function node that counts ticks in its context, and seeds flow and global values. */
const seed = {
  schemaVersion: 1,
  id: 'e2e-context',
  nodes: [
    { id: 'tick', type: 'timer', typeVersion: 1, config: { intervalMs: 200, onStart: true }, ui: { x: 60, y: 100 } },
    {
      id: 'counter',
      type: 'function',
      typeVersion: 1,
      name: 'Tick counter',
      config: {
        code: [
          'const count = (context.get("count") || 0) + 1;',
          'context.set("count", count);',
          'flow.set("pump", { running: true, speed: 1450 });',
          'if (count === 1) global.set("site", "plant-3");',
          'return null;',
        ].join('\n'),
      },
      ui: { x: 300, y: 100 },
    },
  ],
  edges: [{ source: 'tick', target: 'counter' }],
};

const session = editorSession(seed);

describe('the Context tab', () => {
  it("shows the selected node's, the flow's and the global values, refreshes them and deletes a key", async () => {
    const ed = await EditorPage.open(session.browser, session.runtime);
    try {
      await ed.node('counter').waitFor({ state: 'visible' });
      await ed.select('counter');
      await ed.byTestId('tab-context').click();
      const nodeScope = ed.byTestId('context-scope-node');
      await nodeScope.waitFor({ state: 'visible' });
      expect(await nodeScope.locator('h3').innerText()).toBe('This node: Tick counter (counter)');

      const countOf = async () =>
        Number(await nodeScope.locator('[data-testid="context-entry"][data-key="count"] code').innerText());
      await until(async () => {
        await ed.byTestId('context-refresh').click();
        return (await nodeScope.locator('[data-testid="context-entry"][data-key="count"]').count()) === 1;
      }, 'the count in the node context');
      const first = await countOf();
      await until(async () => {
        await ed.byTestId('context-refresh').click();
        return (await countOf()) > first;
      }, 'a larger count after Refresh');
      expect(await nodeScope.getByTestId('context-summary').innerText()).toMatch(/^1 key, \d+ B of 1 MB$/);

      const flowScope = ed.byTestId('context-scope-flow');
      expect(await flowScope.locator('h3').innerText()).toBe('Flow: e2e-context');
      expect(await flowScope.locator('[data-key="pump"] code').innerText()).toBe('{"running":true,"speed":1450}');
      const globalScope = ed.byTestId('context-scope-global');
      expect(await globalScope.locator('[data-key="site"] code').innerText()).toBe('"plant-3"');
      await ed.screenshot('context-tab');

      await globalScope.locator('[data-key="site"]').getByTestId('context-delete').click();
      await globalScope.getByTestId('context-delete-confirm').click();
      await until(async () => (await globalScope.getByTestId('context-entry').count()) === 0, 'the deleted key to go');
      expect(await globalScope.innerText()).toContain('No values.');
      const res = await session.runtime.api('/api/context/global');
      expect(((await res.json()) as { entries: unknown[] }).entries).toEqual([]);

      // With no node selected, the tab shows the flow and the global scopes only.
      await ed.page.keyboard.press('Escape');
      await ed.clickEmptyCanvas();
      await until(async () => (await ed.byTestId('context-scope-node').count()) === 0, 'the node scope to go');
      await ed.byTestId('context-scope-flow').waitFor({ state: 'visible' });
    } finally {
      await ed.close();
    }
  }, 90_000);
});
