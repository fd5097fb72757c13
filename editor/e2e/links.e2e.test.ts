// Link nodes in the editor (issue 16): choosing a link-out's link-in nodes in its form, and the
// virtual wire drawn dashed on the canvas. Real headless Chromium on the built editor, served by a
// real `tagflow start`, as editor.e2e.test.ts.
import { until } from '@tagflow/test-support';
import { EditorPage, editorSession } from './editor-harness';
import type { FlowJson } from './editor-harness';

/** A source feeding a link-out that names nothing yet, and two parts of the flow starting at link-in nodes. */
const seed = {
  schemaVersion: 1,
  id: 'e2e-links',
  name: 'Links scenario',
  nodes: [
    {
      id: 'sim',
      type: 'simulate',
      typeVersion: 1,
      config: {
        tag: 'e2e/level',
        intervalMs: 200,
        seed: 1,
        signal: { kind: 'sine', amplitude: 1, offset: 20, periodSeconds: 10 },
      },
      ui: { x: 0, y: 0 },
    },
    { id: 'to-parts', type: 'link-out', typeVersion: 1, ui: { x: 240, y: 0 } },
    { id: 'alarms-in', type: 'link-in', typeVersion: 1, name: 'Alarms', ui: { x: 0, y: 200 } },
    { id: 'history-in', type: 'link-in', typeVersion: 1, name: 'History', ui: { x: 0, y: 320 } },
    { id: 'show', type: 'debug', typeVersion: 1, config: { property: 'payload' }, ui: { x: 260, y: 200 } },
  ],
  edges: [
    { source: 'sim', target: 'to-parts' },
    { source: 'alarms-in', target: 'show' },
  ],
};

const session = editorSession(seed);

it('picks the link-in nodes of a link-out in its form, draws the virtual wire dashed and deploys it', async () => {
  const ed = await EditorPage.open(session.browser, session.runtime, { signIn: false });
  try {
    await ed.signIn(session.runtime.token);
    await ed.node('to-parts').waitFor({ state: 'visible' });
    const wire = ed.page.locator('[data-testid="rf__edge-link:to-parts->alarms-in"]');
    expect(await wire.count()).toBe(0);

    await ed.select('to-parts');
    // Only link-in nodes are offered, by their names.
    const picker = ed.byTestId('field-links');
    await picker.waitFor({ state: 'visible' });
    expect((await picker.locator('label').allInnerTexts()).map((t) => t.trim())).toEqual([
      'Alarms (alarms-in)',
      'History (history-in)',
    ]);
    await ed.byTestId('pick-links-alarms-in').check();

    await wire.waitFor({ state: 'attached', timeout: 10_000 });
    expect(await wire.getAttribute('class')).toMatch(/virtual-wire/);
    const dash = await wire
      .locator('.react-flow__edge-path')
      .evaluate((path) => getComputedStyle(path).strokeDasharray);
    expect(dash).toMatch(/^6(px)?,? 4(px)?$/);
    await ed.screenshot('links-virtual-wire');

    const { result } = await ed.deploy();
    expect(result).toMatch(/deployed/i);
    const deployed = (await session.runtime.deployedFlow()) as FlowJson;
    expect(deployed.nodes.find((n) => n.id === 'to-parts')?.config).toMatchObject({ links: ['alarms-in'] });
    // The virtual wire lives in the link-out's config, never as an edge of the file.
    expect(deployed.edges).toHaveLength(2);
    // Values reach the debug node through the virtual wire.
    await until(async () => (await ed.byTestId('debug-entry').count()) >= 2, 'debug entries through the link', 15_000);
  } finally {
    await ed.close();
  }
}, 90_000);
