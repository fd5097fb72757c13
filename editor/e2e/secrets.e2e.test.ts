// Issue 15 in the browser: storing a secret from a config field, bound to hosts or not, and the
// list of stored secrets with their bindings ("any host" when unbound).
import { until } from '@tagflow/test-support';
import { EditorPage, editorSession } from './editor-harness';

/** A historian-out node on a local historian: its form offers a new historian, with passwordEnv. */
const seed = {
  schemaVersion: 1,
  id: 'e2e-secrets',
  resources: [{ id: 'local', type: 'historian', config: {} }],
  nodes: [
    {
      id: 'rec',
      type: 'historian-out',
      typeVersion: 1,
      config: { historian: 'local', tag: 't' },
      ui: { x: 200, y: 100 },
    },
  ],
  edges: [],
};

const session = editorSession(seed);

describe('secrets in the editor', () => {
  it('stores a secret bound to a host, then unbound with the warning, and lists each with its binding', async () => {
    const ed = await EditorPage.open(session.browser, session.runtime);
    try {
      await ed.node('rec').waitFor({ state: 'visible' });
      await ed.select('rec');
      await ed.byTestId('resource-new-historian').click();
      await ed.byTestId('resource-form').waitFor({ state: 'visible' });
      await ed.field('passwordEnv').fill('PLANT_MQTT_PASSWORD');
      // passwordEnv's button: tokenEnv's has no name yet, so it is disabled.
      await ed.byTestId('resource-form').locator('[data-testid="store-secret"]:enabled').click();
      await ed.byTestId('secret-list').waitFor({ state: 'visible' });
      expect(await ed.byTestId('secret-list').innerText()).toBe('No secrets stored on this runtime yet.');

      await ed.byTestId('secret-value').fill('SuperSecretPlantPw_42');
      await ed.byTestId('secret-allow').fill('broker.plant:1883');
      await ed.byTestId('secret-save').click();
      const notice = ed.byTestId('secret-notice');
      await notice.waitFor({ state: 'visible' });
      expect(await notice.innerText()).toBe(
        'Stored on the runtime as "PLANT_MQTT_PASSWORD", to be sent only to broker.plant:1883. The flow holds only the name.',
      );
      const entry = ed.byTestId('secret-PLANT_MQTT_PASSWORD');
      await entry.waitFor({ state: 'visible' });
      expect(await entry.getByTestId('secret-binding').innerText()).toBe('broker.plant:1883');
      await ed.screenshot('secret-bound');

      await ed.byTestId('secret-value').fill('SuperSecretPlantPw_42');
      await ed.byTestId('secret-allow').fill('');
      await ed.byTestId('secret-save').click();
      await until(async () => (await notice.innerText()).includes('not bound'), 'the unbound warning');
      expect(await notice.innerText()).toMatch(
        /^Stored on the runtime as "PLANT_MQTT_PASSWORD"\. secret PLANT_MQTT_PASSWORD is not bound to any host: anyone allowed to deploy can make a flow send it to a host of their choosing/,
      );
      await until(
        async () => (await entry.getByTestId('secret-binding').innerText()) === 'any host',
        'the any-host badge',
      );
      await ed.screenshot('secret-unbound');

      const listed = (await (await session.runtime.api('/api/secrets')).json()) as unknown;
      expect(listed).toEqual({
        names: ['PLANT_MQTT_PASSWORD'],
        secrets: [{ name: 'PLANT_MQTT_PASSWORD', allow: null }],
      });
      // The value went to the runtime only: the page never shows it.
      expect(await ed.page.content()).not.toContain('SuperSecretPlantPw_42');
    } finally {
      await ed.close();
    }
  }, 90_000);
});
