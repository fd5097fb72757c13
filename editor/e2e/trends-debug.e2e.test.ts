// Issue 18 in the browser: trends from the runtime's own per-node sampling (no debug node after
// the node), alarm events drawn as markers, an error badge on a failing node, and the debug
// panel's tree, copy path, text filter and pins.
import { until } from '@tagflow/test-support';
import { EditorPage, editorSession } from './editor-harness';

/**
 * simulate -> moving-average -> threshold with nothing after them; a function node failing four
 * times a second; and, apart, a function sending objects to a debug node for the debug panel.
 */
const seed = {
  schemaVersion: 1,
  id: 'e2e-trends',
  nodes: [
    {
      id: 'sensor',
      type: 'simulate',
      typeVersion: 1,
      name: 'Flow sensor',
      config: {
        tag: 'pump3/flow',
        intervalMs: 100,
        seed: 7,
        // Crosses the threshold's 42.5 (hysteresis 1) both ways every 2 s: alarm events keep coming.
        signal: { kind: 'sine', amplitude: 5, offset: 42.5, periodSeconds: 4, noise: 0.2 },
      },
      ui: { x: 40, y: 60 },
    },
    {
      id: 'avg',
      type: 'moving-average',
      typeVersion: 1,
      name: 'Average flow',
      config: { window: { count: 3 } },
      ui: { x: 300, y: 60 },
    },
    {
      id: 'high-flow',
      type: 'threshold',
      typeVersion: 1,
      name: 'High flow alarm',
      config: { above: 42.5, hysteresis: 1 },
      ui: { x: 560, y: 60 },
    },
    { id: 'tick', type: 'timer', typeVersion: 1, config: { intervalMs: 250, onStart: true }, ui: { x: 40, y: 220 } },
    {
      id: 'broken',
      type: 'function',
      typeVersion: 1,
      name: 'Broken scaling',
      config: { code: 'throw new Error("sensor offline: no reading on channel 3");' },
      ui: { x: 300, y: 220 },
    },
    {
      id: 'slow-tick',
      type: 'timer',
      typeVersion: 1,
      config: { intervalMs: 400, onStart: true },
      ui: { x: 40, y: 380 },
    },
    {
      id: 'report',
      type: 'function',
      typeVersion: 1,
      name: 'Pump report',
      config: {
        code: [
          'const n = (context.get("n") || 0) + 1;',
          'context.set("n", n);',
          'msg.payload = { pump: "P3", site: n % 2 ? "north" : "south", values: [1.5, 2.5, n], state: { running: true } };',
          'return msg;',
        ].join('\n'),
      },
      ui: { x: 300, y: 380 },
    },
    { id: 'watch', type: 'debug', typeVersion: 1, name: 'Report', config: {}, ui: { x: 560, y: 380 } },
  ],
  edges: [
    { source: 'sensor', target: 'avg' },
    { source: 'avg', target: 'high-flow' },
    { source: 'tick', target: 'broken' },
    { source: 'slow-tick', target: 'report' },
    { source: 'report', target: 'watch' },
  ],
};

const session = editorSession(seed);

/** Opens a page, runs `body`, and on failure saves `<name>-failure.png` and names it with the page's errors. */
async function onPage(name: string, body: (ed: EditorPage) => Promise<void>): Promise<void> {
  const ed = await EditorPage.open(session.browser, session.runtime);
  try {
    await body(ed);
  } catch (err) {
    const shot = await ed.screenshot(`${name}-failure`).catch((e: Error) => `(screenshot failed: ${e.message})`);
    const problems = ed.problems.length > 0 ? `\npage problems:\n  ${ed.problems.slice(0, 10).join('\n  ')}` : '';
    if (err instanceof Error) err.message = `${err.message}\nscreenshot: ${shot}${problems}`;
    throw err;
  } finally {
    await ed.close();
  }
}

describe('trends and errors from the runtime, and the debug panel', () => {
  it('trends a moving average with no debug node, and draws the alarm events as markers', async () => {
    await onPage('trends', async (ed) => {
      await ed.node('avg').waitFor({ state: 'visible' });
      // Nothing is wired after avg: its trend can only come from the runtime's own sampling.
      const deployed = await session.runtime.deployedFlow();
      expect(deployed?.edges.filter((e) => e.source === 'avg').map((e) => e.target)).toEqual(['high-flow']);

      await ed.select('avg');
      await ed.byTestId('trend-open').click();
      const chart = ed.byTestId('trend-chart');
      await chart.waitFor({ state: 'visible' });
      const attr = async (name: string) => (await chart.getAttribute(name)) ?? '';
      await until(async () => Number(await attr('data-points')) >= 3, 'three samples of avg in its trend', 15_000);
      expect(await attr('data-shape')).toBe('line');
      const line = chart.getByTestId('trend-live');
      expect(await line.getAttribute('data-shape')).toBe('line');
      expect(await line.evaluate((el) => el.tagName)).toBe('path');
      // Ten values a second per sample: their spread is shaded under the line.
      await chart.getByTestId('trend-spread').waitFor({ state: 'attached' });
      expect(await chart.innerText()).toMatch(/now \d+(\.\d+)?/);
      await ed.screenshot('trends-average-line');

      // The threshold sends alarm events (objects), not a signal: one marker per second with events.
      await ed.byTestId('trend-open').click();
      await ed.select('high-flow');
      await ed.byTestId('trend-open').click({ timeout: 15_000 });
      await chart.waitFor({ state: 'visible' });
      await until(async () => Number(await attr('data-points')) >= 2, 'two alarm events in the trend', 20_000);
      expect(await attr('data-shape')).toBe('markers');
      const markers = chart.getByTestId('trend-live');
      expect(await markers.getAttribute('data-shape')).toBe('markers');
      expect(await markers.evaluate((el) => el.tagName)).toBe('g');
      expect(await markers.locator('circle').count()).toBeGreaterThanOrEqual(2);
      // No line joins the events.
      expect(await chart.locator('path[data-shape="line"]').count()).toBe(0);
      expect(await markers.locator('circle title').first().textContent()).toMatch(/"alarm":"high"/);
      expect(await chart.getByTestId('trend-shape-note').innerText()).toContain('Events');
      await ed.screenshot('trends-threshold-markers');

      // A node that has sent nothing says why, instead of offering an empty trend.
      await ed.select('broken');
      const why = ed.byTestId('trend-unavailable');
      await why.waitFor({ state: 'visible' });
      expect(await why.innerText()).toContain('has sent nothing');
      expect(await ed.byTestId('trend-open').count()).toBe(0);
    });
  }, 90_000);

  it('shows a failing node a red badge with its recent error count and the last message on hover', async () => {
    await onPage('error-badge', async (ed) => {
      const badge = ed.byTestId('error-badge-broken');
      await badge.waitFor({ state: 'visible', timeout: 15_000 });
      const count = async () => Number(await badge.getAttribute('data-count'));
      const first = await count();
      await until(async () => (await count()) > first + 2, 'the error count to grow (4 errors a second)', 10_000);
      expect(await badge.innerText()).toMatch(/^! \d+$/);
      const title = (await badge.getAttribute('title')) ?? '';
      expect(title).toMatch(/^\d+ errors in the last 60 s\. Last, at .+: /);
      expect(title).toContain('sensor offline: no reading on channel 3');
      // The badge sits on the node, and nodes without errors have none.
      expect(await ed.node('broken').getByTestId('error-badge-broken').count()).toBe(1);
      expect(await ed.byTestId('error-badge-avg').count()).toBe(0);
      await badge.hover();
      await ed.screenshot('error-badge');
    });
  }, 60_000);

  it('opens objects as a tree, copies a path, filters by text and keeps a pinned message after Clear', async () => {
    await onPage('debug-panel', async (ed) => {
      await ed.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: session.runtime.url });
      const panel = ed.byTestId('debug-panel');
      const entries = panel.locator('[data-testid="debug-entry"][data-node-id="watch"]');
      await until(async () => (await entries.count()) >= 4, 'four reports in the debug panel', 15_000);
      // Hold the list still while working in it.
      await ed.byTestId('debug-pause').click();
      const first = entries.first();

      // Expand the payload, then its `values` array.
      await first.locator('[data-testid="debug-tree-toggle"][data-path="payload"]').click();
      const values = first.locator('[data-testid="debug-tree-toggle"][data-path="payload.values"]');
      await values.waitFor({ state: 'visible' });
      expect(await first.locator('[data-testid="debug-tree-row"]').count()).toBe(4); // pump, site, values, state
      await values.click();
      const third = first.locator('[data-testid="debug-tree-row"][data-path="payload.values[2]"]');
      await third.waitFor({ state: 'visible' });
      expect(await third.innerText()).toMatch(/^2:\s*\d+/);
      await ed.screenshot('debug-tree-open');

      // Copy the path of the third value, as Node-RED does.
      await third.hover();
      await third.locator('[data-testid="debug-copy-path"][data-path="payload.values[2]"]').click();
      await until(
        async () => (await ed.byTestId('debug-copied').innerText()).includes('payload.values[2]'),
        'the "copied" notice',
      );
      expect(await ed.page.evaluate(() => navigator.clipboard.readText())).toBe('payload.values[2]');
      // And a value: the state object as JSON.
      const state = first.locator('[data-testid="debug-tree-row"][data-path="payload.state"]');
      await state.hover();
      await state.locator('[data-testid="debug-copy-value"][data-path="payload.state"]').click();
      await until(
        async () => (await ed.page.evaluate(() => navigator.clipboard.readText())).includes('"running": true'),
        'the value of payload.state on the clipboard',
      );

      // Filter by text: only the reports from the north site stay.
      const all = await entries.count();
      await ed.byTestId('debug-search').fill('NORTH');
      await until(async () => (await entries.count()) < all, 'the text filter to hide the south reports');
      const shown = await entries.evaluateAll((els) => els.map((el) => el.textContent ?? ''));
      expect(shown.length).toBeGreaterThan(0);
      // The tree is closed on most rows: the filter matched inside the data, not the visible text.
      await ed.byTestId('debug-search').fill('no such text');
      await until(async () => (await entries.count()) === 0, 'no entry for a text nothing contains');
      expect(await panel.innerText()).toContain('No message matches the filter.');
      await ed.byTestId('debug-search').fill('');
      await until(async () => (await entries.count()) === all, 'every entry back without a filter');

      // Pin the newest report, then Clear: it stays, pinned, on top.
      const pinnedTime = await entries.first().locator('.time').innerText();
      await entries.first().getByTestId('debug-pin').click();
      const pinned = ed.byTestId('debug-pinned').locator('[data-testid="debug-entry"]');
      await until(async () => (await pinned.count()) === 1, 'one pinned message');
      await ed.byTestId('debug-pause').click(); // resume
      await ed.byTestId('debug-clear').click();
      expect(await pinned.count()).toBe(1);
      expect(await pinned.first().getAttribute('data-pinned')).toBe('true');
      expect(await pinned.first().locator('.time').innerText()).toBe(pinnedTime);
      // New reports arrive under it; it stays after another Clear, until unpinned.
      await until(async () => (await entries.count()) >= 3, 'new reports after Clear', 15_000);
      await ed.byTestId('debug-clear').click();
      expect(await pinned.count()).toBe(1);
      await ed.screenshot('debug-pinned-after-clear');
      await pinned.first().getByTestId('debug-pin').click();
      await until(async () => (await ed.byTestId('debug-pinned').count()) === 0, 'the pin to go');
    });
  }, 90_000);
});
