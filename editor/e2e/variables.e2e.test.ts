// Issue 16 in the browser: a field holding ${NAME} shows the value it gets on this runtime (or
// that it has none), and the problem list names each variable the runtime has no value for.
import type { Browser } from 'playwright-core';
import {
  ensureChromium,
  ensureCliBuilt,
  ensureEditorBuilt,
  launchChromium,
  stopAllTagflow,
  until,
} from '@tagflow/test-support';
import { EditorPage, startRuntime } from './editor-harness';
import type { Runtime } from './editor-harness';

/** One flow for every site: its tag and sample period come from the runtime's variables. */
const siteFlow = {
  schemaVersion: 1,
  id: 'e2e-variables',
  nodes: [
    {
      id: 'sensor',
      type: 'simulate',
      typeVersion: 1,
      config: { tag: '${SITE}/flow', intervalMs: '${SAMPLE_MS}' },
      ui: { x: 120, y: 100 },
    },
    { id: 'show', type: 'debug', typeVersion: 1, config: {}, ui: { x: 420, y: 100 } },
  ],
  edges: [{ source: 'sensor', target: 'show' }],
};

let browser: Browser;
let runtime: Runtime;

beforeAll(async () => {
  ensureChromium();
  ensureEditorBuilt();
  ensureCliBuilt();
  runtime = await startRuntime();
  for (const [name, value] of [
    ['SITE', 'plant-north'],
    ['SAMPLE_MS', '500'],
  ]) {
    const res = await runtime.api(`/api/variables/${name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ value }),
    });
    expect(res.status).toBe(200);
  }
  const deployed = await runtime.api('/api/flow', {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', 'If-Match': '"0"' },
    body: JSON.stringify(siteFlow),
  });
  expect(deployed.status).toBe(200);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stopAllTagflow();
}, 30_000);

describe('variables in the editor', () => {
  it("shows each ${NAME} field's value on this runtime, and lists the variables it has no value for", async () => {
    const ed = await EditorPage.open(browser, runtime);
    try {
      await ed.node('sensor').waitFor({ state: 'visible' });
      // No problem: the stored flow's ${...} resolve with this runtime's values.
      expect(await ed.node('sensor').locator('.tf-node').getAttribute('class')).not.toContain('invalid');
      await ed.select('sensor');
      const tag = ed.byTestId('variables-tag');
      await tag.waitFor({ state: 'visible' });
      expect(await tag.innerText()).toBe('${SITE} = "plant-north" on this runtime');
      expect(await ed.byTestId('variables-intervalMs').innerText()).toBe('${SAMPLE_MS} = "500" on this runtime');

      await ed.field('tag').fill('${SITE}/line-${LINE}/flow');
      await until(async () => (await tag.innerText()).includes('LINE'), 'the LINE variable beside the field');
      expect(await tag.innerText()).toBe(
        '${SITE} = "plant-north" on this runtime\n${LINE} not set on this runtime (tagflow var set LINE VALUE)',
      );
      await until(
        async () => ((await ed.byTestId('field-error-tag').textContent()) ?? '').includes('LINE'),
        'the field error',
      );
      expect(await ed.byTestId('field-error-tag').innerText()).toContain(
        'variable LINE is not set on this runtime (set it with: tagflow var set LINE VALUE)',
      );
      await ed.screenshot('variables-field');

      // The flow's problem list (nothing selected) names the variable and who uses it.
      await ed.clickEmptyCanvas();
      const unset = ed.byTestId('unset-variables');
      await unset.waitFor({ state: 'visible' });
      expect(await unset.innerText()).toBe(
        'Variables not set on this runtime (tagflow var set NAME VALUE):\nLINE, used by node "sensor"',
      );
      expect(await ed.node('sensor').locator('.tf-node').getAttribute('class')).toContain('invalid');
      await ed.screenshot('variables-problems');
      expect(ed.problems).toEqual([]);
    } finally {
      await ed.close();
    }
  }, 90_000);
});
