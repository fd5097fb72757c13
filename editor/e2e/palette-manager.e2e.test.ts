// Issue 18 in the browser: the palette manager (install a package file, its node in the palette at
// once, removal refused while a deployed flow uses it, then done), what a viewer sees, the Help tab
// (formatted Markdown), and the inject button of a deployed timer.
import { until } from '@tagflow/test-support';
import { packCustomNode } from './custom-node-package';
import { EditorPage, editorSession } from './editor-harness';

jest.setTimeout(180_000);

/** A timer that sends only when its inject button is pressed, into a debug node. */
const seed = {
  schemaVersion: 1,
  id: 'e2e-palette',
  name: 'Press line',
  nodes: [
    {
      id: 'kick',
      type: 'timer',
      typeVersion: 1,
      name: 'Start batch',
      config: { payload: 'batch started' },
      ui: { x: 80, y: 80 },
    },
    { id: 'show', type: 'debug', typeVersion: 1, name: 'Show', config: {}, ui: { x: 360, y: 80 } },
  ],
  edges: [{ source: 'kick', target: 'show' }],
};

const session = editorSession(seed);

describe('the palette manager', () => {
  it('installs a package file, offers its node at once, refuses its removal while a deployed flow uses it, then removes it', async () => {
    const tgz = packCustomNode();
    const ed = await EditorPage.open(session.browser, session.runtime);
    try {
      await ed.node('kick').waitFor({ state: 'visible' });
      expect(await ed.byTestId('palette-item-oee').count()).toBe(0);

      await ed.byTestId('palette-manager-open').click();
      const manager = ed.byTestId('palette-manager');
      await manager.waitFor({ state: 'visible' });
      // The runtime's own packages are listed with their types, marked as coming with it, and not removable.
      const core = ed.byTestId('package-row-@tagflow/nodes-core');
      await core.waitFor({ state: 'visible' });
      expect(await core.innerText()).toContain('comes with the runtime');
      expect(await core.locator('code', { hasText: /^timer$/ }).count()).toBe(1);
      expect(await ed.byTestId('package-remove-@tagflow/nodes-core').count()).toBe(0);

      await ed.byTestId('package-file').setInputFiles(tgz);
      await ed.byTestId('package-install-file').click();
      const message = ed.byTestId('palette-manager-message');
      await until(async () => (await message.count()) > 0, 'the outcome of the install', 60_000);
      expect(await message.innerText()).toBe('Installed @acme/oee-nodes 0.1.0: oee. Its nodes are in the palette now.');
      const row = ed.byTestId('package-row-@acme/oee-nodes');
      await row.waitFor({ state: 'visible' });
      expect(await row.innerText()).toMatch(/@acme\/oee-nodes\s+0\.1\.0/);
      // In the palette at once: no reload.
      await ed.byTestId('palette-item-oee').waitFor({ state: 'attached', timeout: 10_000 });
      await ed.screenshot('palette-manager-installed');
      await ed.byTestId('palette-manager-close').click();
      await manager.waitFor({ state: 'hidden' });

      // Its help, formatted: the OEE docs have headings, code and a table.
      await ed.byTestId('palette-item-oee').hover();
      await ed.byTestId('tab-help').click();
      await until(async () => (await ed.byTestId('help-title').innerText()) === 'oee', 'the help of oee');
      // Formatted once markdown-it has loaded (with the first help shown).
      await ed.byTestId('help-docs').locator('table').first().waitFor({ state: 'visible' });

      await ed.byTestId('tab-properties').click();
      const oee = await ed.dragFromPalette('oee', 300, 420);
      await ed.select(oee);
      await ed.byTestId('node-label').fill('Press OEE');
      await ed.field('idealCycleTimeSeconds').fill('2');
      const first = await ed.deploy();
      expect(first.result).toMatch(/deployed/i);

      await ed.byTestId('palette-manager-open').click();
      await ed.byTestId('package-remove-@acme/oee-nodes').click();
      await ed.byTestId('package-remove-yes-@acme/oee-nodes').click();
      await until(
        async () => (await message.count()) > 0 && (await message.innerText()).includes('cannot be removed'),
        'the refusal of the removal',
        30_000,
      );
      expect(await message.innerText()).toBe(
        '@acme/oee-nodes cannot be removed while deployed flows use it: “Press OEE” (oee) in flow “Press line”. Delete or replace it, deploy, then remove the package.',
      );
      expect(await message.getAttribute('role')).toBe('alert');
      await ed.screenshot('palette-manager-remove-refused');
      expect(await ed.byTestId('package-row-@acme/oee-nodes').count()).toBe(1);
      await ed.byTestId('palette-manager-close').click();

      await ed.select(oee);
      await ed.page.keyboard.press('Delete');
      await until(async () => !(await ed.nodeIds()).includes(oee), 'the OEE node to leave the canvas');
      expect((await ed.deploy()).result).toMatch(/deployed/i);

      await ed.byTestId('palette-manager-open').click();
      await ed.byTestId('package-remove-@acme/oee-nodes').click();
      await ed.byTestId('package-remove-yes-@acme/oee-nodes').click();
      await until(
        async () => (await message.count()) > 0 && (await message.innerText()).startsWith('Removed'),
        'the removal',
        30_000,
      );
      expect(await message.innerText()).toBe('Removed @acme/oee-nodes 0.1.0: its nodes are gone from the palette.');
      await ed.byTestId('package-row-@acme/oee-nodes').waitFor({ state: 'detached' });
      await ed.byTestId('palette-item-oee').waitFor({ state: 'detached' });
      await ed.screenshot('palette-manager-removed');
    } catch (err) {
      await ed.screenshot('palette-manager-failure');
      throw new Error(`${String(err)}\npage problems: ${ed.problems.join('\n')}`);
    } finally {
      await ed.close();
    }
  });

  it('shows a viewer the packages, and why it cannot install or remove them', async () => {
    const created = await session.runtime.api('/api/tokens', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ role: 'viewer', name: 'Shift operator' }),
    });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    const ed = await EditorPage.open(session.browser, session.runtime, { signIn: false });
    try {
      await ed.signIn(token);
      await ed.byTestId('palette-manager-open').click();
      const readonly = ed.byTestId('palette-manager-readonly');
      await readonly.waitFor({ state: 'visible' });
      expect(await readonly.innerText()).toBe(
        'You are signed in with a viewer token (“Shift operator”): installing and removing node packages needs an admin token, because a package is code that runs inside the runtime. You can still see what is installed.',
      );
      await ed.byTestId('package-row-@tagflow/nodes-core').waitFor({ state: 'visible' });
      expect(await ed.byTestId('package-file').count()).toBe(0);
      expect(await ed.page.locator('[data-testid^="package-remove-"]').count()).toBe(0);
      await ed.screenshot('palette-manager-viewer');
    } finally {
      await ed.close();
    }
  });
});

describe('the Help tab', () => {
  it("shows the selected node's docs as formatted text, and follows the palette", async () => {
    const ed = await EditorPage.open(session.browser, session.runtime);
    try {
      await ed.node('kick').waitFor({ state: 'visible' });
      await ed.select('kick');
      await ed.byTestId('tab-help').click();
      const docs = ed.byTestId('help-docs');
      await docs.waitFor({ state: 'visible' });
      expect(await ed.byTestId('help-title').innerText()).toBe('timer');
      await docs.locator('h2', { hasText: 'What it sends, and when' }).waitFor({ state: 'visible' });
      expect(await docs.locator('h2', { hasText: 'What it sends, and when' }).count()).toBe(1);
      expect(await docs.locator('code', { hasText: /^onStart$/ }).count()).toBeGreaterThan(0);
      expect(await docs.locator('pre code').count()).toBeGreaterThan(0);
      expect(await docs.locator('li').count()).toBeGreaterThan(0);
      // Rendered, not raw Markdown: no backticks or heading marks in what a person reads.
      const text = await docs.innerText();
      expect(text).not.toContain('`');
      expect(text).not.toMatch(/^##/m);
      await ed.screenshot('help-tab-timer');

      await ed.byTestId('palette-item-moving-average').hover();
      await until(
        async () => (await ed.byTestId('help-title').innerText()) === 'moving-average',
        'the Help tab to follow the palette',
      );
      await ed.node('show').click();
      await until(
        async () => (await ed.byTestId('help-title').innerText()) === 'debug',
        'the Help tab to follow the selection',
      );
    } catch (err) {
      await ed.screenshot('help-tab-failure');
      throw new Error(`${String(err)}\npage problems: ${ed.problems.join('\n')}`);
    } finally {
      await ed.close();
    }
  });
});

describe('the inject button', () => {
  it('makes a deployed timer send one message now, shown by the debug node', async () => {
    const ed = await EditorPage.open(session.browser, session.runtime);
    try {
      const button = ed.byTestId('inject-kick');
      await button.waitFor({ state: 'visible' });
      // Sources without the capability get no button.
      expect(await ed.byTestId('inject-show').count()).toBe(0);
      await until(async () => await button.isEnabled(), 'the inject button of the deployed timer to be enabled');
      // The timer has no schedule: nothing arrives until the button is pressed.
      expect(await ed.debugEntries()).toEqual([]);
      await button.click();
      await until(async () => (await ed.debugEntries()).length === 1, 'one debug entry after the press', 15_000);
      expect((await ed.debugEntries())[0]).toContain('batch started');
      expect(await ed.byTestId('notice').innerText()).toBe('“Start batch” sent one message.');
      await ed.screenshot('inject-button-sent');
      await button.click();
      await until(
        async () => (await ed.debugEntries()).length === 2,
        'a second debug entry after a second press',
        15_000,
      );

      // A timer not deployed yet: the button is there but greyed out, saying why.
      const fresh = await ed.dragFromPalette('timer', 200, 320);
      const freshButton = ed.byTestId(`inject-${fresh}`);
      await freshButton.waitFor({ state: 'visible' });
      expect(await freshButton.isDisabled()).toBe(true);
      expect(await freshButton.getAttribute('title')).toBe('Deploy the flow first: only a deployed node can send');
    } catch (err) {
      await ed.screenshot('inject-button-failure');
      throw new Error(`${String(err)}\npage problems: ${ed.problems.join('\n')}`);
    } finally {
      await ed.close();
    }
  });
});
