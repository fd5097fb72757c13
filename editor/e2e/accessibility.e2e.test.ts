// Accessibility (issue 18): axe-core finds no serious or critical violation on the sign-in page,
// the editor with a node selected, and the deploy dialog; every action is reachable with the
// keyboard (Tab, Enter/Space) with a visible focus, a node is selected and deleted from the keyboard
// on the canvas, and a palette node is added with Enter. Real headless Chromium on the built editor,
// served by a real `tagflow start`.
import { until } from '@tagflow/test-support';
import { checkAccessibility, EditorPage, editorSession } from './editor-harness';
import type { AxeViolation } from './editor-harness';

const flow = {
  schemaVersion: 1,
  id: 'tank',
  name: 'Tank',
  nodes: [
    {
      id: 'level',
      type: 'simulate',
      typeVersion: 1,
      name: 'Level',
      config: { tag: 'tank/level', intervalMs: 500, seed: 1 },
      ui: { x: 0, y: 0 },
    },
    { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: 5 } }, ui: { x: 300, y: 0 } },
    { id: 'show', type: 'debug', typeVersion: 1, config: { property: 'payload' }, ui: { x: 600, y: 0 } },
  ],
  edges: [
    { source: 'level', target: 'avg' },
    { source: 'avg', target: 'show' },
  ],
};

const session = editorSession(flow);

/** One line per violation, for a readable failure. */
function describe_(violations: AxeViolation[]): string[] {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.targets.join(', ')})`);
}

async function onPage(name: string, body: (ed: EditorPage) => Promise<void>, signIn = true): Promise<void> {
  const ed = await EditorPage.open(session.browser, session.runtime, { signIn });
  try {
    await body(ed);
  } catch (err) {
    const shot = await ed.screenshot(`a11y-${name}-failure`).catch((e: Error) => `(screenshot failed: ${e.message})`);
    if (err instanceof Error) err.message += `\nscreenshot: ${shot}\n${ed.problems.slice(0, 10).join('\n')}`;
    throw err;
  } finally {
    await ed.close();
  }
}

/** The element that has the keyboard focus: its test id, role, accessible text and whether its focus shows. */
async function focused(
  ed: EditorPage,
): Promise<{ testId: string | null; tag: string; text: string; outline: boolean }> {
  return ed.page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return { testId: null, tag: '', text: '', outline: false };
    const style = getComputedStyle(el);
    const outline =
      (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) ||
      style.boxShadow !== 'none' ||
      el.matches(':focus-visible');
    return {
      testId: el.getAttribute('data-testid'),
      tag: el.tagName.toLowerCase(),
      text: (el.getAttribute('aria-label') ?? el.innerText ?? '').trim().slice(0, 60),
      outline,
    };
  });
}

it('has no serious accessibility problem on the sign-in page', async () => {
  await onPage(
    'sign-in',
    async (ed) => {
      await ed.byTestId('token-input').waitFor({ state: 'visible' });
      expect(describe_(await checkAccessibility(ed.page, 'sign-in'))).toEqual([]);
    },
    false,
  );
}, 90_000);

it('has no serious accessibility problem in the editor with a node selected, nor in the deploy dialog', async () => {
  await onPage('editor', async (ed) => {
    await ed.node('avg').waitFor({ state: 'visible' });
    await ed.select('avg');
    expect(describe_(await checkAccessibility(ed.page, 'editor-node-selected'))).toEqual([]);
    await ed.byTestId('deploy').click();
    await ed.byTestId('deploy-confirm').waitFor({ state: 'visible' });
    expect(describe_(await checkAccessibility(ed.page, 'deploy-dialog'))).toEqual([]);
  });
}, 120_000);

it('has no serious accessibility problem in the Context tab, the new-flow dialog and the JSON view', async () => {
  await onPage('more', async (ed) => {
    await ed.node('avg').waitFor({ state: 'visible' });
    await ed.select('avg');
    await ed.byTestId('tab-context').click();
    await until(async () => (await ed.byTestId('tab-context').getAttribute('aria-selected')) === 'true', 'Context');
    expect(describe_(await checkAccessibility(ed.page, 'context-tab'))).toEqual([]);
    await ed.byTestId('flow-new').click();
    await ed.byTestId('new-flow-dialog').waitFor({ state: 'visible' });
    expect(describe_(await checkAccessibility(ed.page, 'new-flow-dialog'))).toEqual([]);
    await ed.page.keyboard.press('Escape');
    await ed.byTestId('new-flow-dialog').waitFor({ state: 'detached' });
    await ed.openJsonView();
    await ed.byTestId('json-editor').locator('.monaco-editor').waitFor({ state: 'visible', timeout: 30_000 });
    expect(describe_(await checkAccessibility(ed.page, 'json-view'))).toEqual([]);
  });
}, 120_000);

it('reaches every toolbar action with Tab, each with a visible focus, and presses one with Enter', async () => {
  await onPage('keyboard-toolbar', async (ed) => {
    await ed.node('level').waitFor({ state: 'visible' });
    await ed.page.locator('body').click({ position: { x: 5, y: 5 } });
    const seen: string[] = [];
    for (let i = 0; i < 40 && !seen.includes('sign-out'); i += 1) {
      await ed.page.keyboard.press('Tab');
      const f = await focused(ed);
      if (f.testId) seen.push(f.testId);
      if (['undo', 'redo', 'fit', 'json-view', 'export', 'examples', 'deploy', 'sign-out'].includes(f.testId ?? ''))
        expect({ id: f.testId, outline: f.outline }).toEqual({ id: f.testId, outline: true });
    }
    for (const id of ['fit', 'json-view', 'export', 'examples', 'deploy', 'sign-out']) expect(seen).toContain(id);
    // The file import is reached too: its transparent input takes the focus, its button shows it.
    expect(seen).toContain('import-input');
    await ed.byTestId('import-input').focus();
    const importRing = await ed.page
      .locator('.file-button')
      .evaluate(
        (el) => getComputedStyle(el).outlineStyle !== 'none' && parseFloat(getComputedStyle(el).outlineWidth) > 0,
      );
    expect(importRing).toBe(true);
    // Enter on the focused Deploy opens its dialog; Escape closes it.
    await ed.byTestId('deploy').focus();
    await ed.page.keyboard.press('Enter');
    await ed.byTestId('deploy-dialog').waitFor({ state: 'visible' });
    await ed.screenshot('a11y-keyboard-deploy-dialog');
    await ed.page.keyboard.press('Escape');
    await ed.byTestId('deploy-dialog').waitFor({ state: 'detached' });
    // The tab bar and the side tabs take Enter / Space as well.
    await ed.byTestId('tab-context').focus();
    await ed.page.keyboard.press('Space');
    await until(async () => (await ed.byTestId('tab-context').getAttribute('aria-selected')) === 'true', 'Context');
    await ed.byTestId('tab-properties').focus();
    await ed.page.keyboard.press('Enter');
    await until(
      async () => (await ed.byTestId('tab-properties').getAttribute('aria-selected')) === 'true',
      'Properties',
    );
    // A notice (here: a file that is no flow) is dismissed from the keyboard too.
    await ed.byTestId('import-input').setInputFiles({
      name: 'notes.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"hello": "world"}'),
    });
    await ed.byTestId('notice').waitFor({ state: 'visible' });
    await ed.byTestId('notice-dismiss').focus();
    await ed.page.keyboard.press('Enter');
    await ed.byTestId('notice').waitFor({ state: 'detached' });
  });
}, 90_000);

it('selects and deletes a node on the canvas, and adds one from the palette, with the keyboard', async () => {
  await onPage('keyboard-canvas', async (ed) => {
    await ed.node('show').waitFor({ state: 'visible' });
    // Nodes are focusable: Tab reaches them; Enter selects the focused one (its properties open).
    const node = ed.node('show');
    const pane = ed.page.locator('.react-flow__pane');
    await pane.click({ position: { x: 20, y: 20 } });
    let onNode = false;
    for (let i = 0; i < 30 && !onNode; i += 1) {
      await ed.page.keyboard.press('Tab');
      onNode = await node.evaluate((el) => el === document.activeElement);
    }
    expect(onNode).toBe(true);
    expect((await focused(ed)).outline).toBe(true);
    await ed.page.keyboard.press('Enter');
    await until(async () => (await node.getAttribute('class'))?.includes('selected') === true, 'show to be selected');
    await ed.byTestId('properties').waitFor({ state: 'visible' });
    await ed.screenshot('a11y-keyboard-node-selected');
    await node.focus();
    await ed.page.keyboard.press('Delete');
    await until(async () => !(await ed.nodeIds()).includes('show'), 'show to be deleted');

    // A palette item: Tab to it, Enter adds it in the middle of the canvas.
    const before = await ed.nodeIds();
    const item = ed.byTestId('palette-item-debug');
    await item.focus();
    expect((await focused(ed)).testId).toBe('palette-item-debug');
    await ed.page.keyboard.press('Enter');
    await until(async () => (await ed.nodeIds()).length === before.length + 1, 'a node added from the palette');
    await ed.screenshot('a11y-keyboard-palette-added');
  });
}, 90_000);
