// Issue 18, "plain words everywhere" and "a fixed refusal clears", in real Chromium on a real
// `tagflow start` seeded with examples/pump-monitor: every problem names the field and the node by
// their labels in a sentence, the JSON path only as a small detail; warnings are yellow and named
// (flow panel, deploy dialog), and clicking one shows its node; a refused node stops being red as
// soon as the user changes what was refused.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, until } from '@tagflow/test-support';
import { EditorPage, editorSession } from './editor-harness';
import type { FlowJson } from './editor-harness';

const pumpMonitor = JSON.parse(
  readFileSync(path.join(repoRoot, 'examples', 'pump-monitor', 'flow.json'), 'utf8'),
) as FlowJson;
const session = editorSession(pumpMonitor);

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

/** Clicks an empty spot of the canvas, so the properties panel shows the flow panel. */
async function deselect(ed: EditorPage): Promise<void> {
  const pane = await ed.page.locator('.react-flow__pane').boundingBox();
  if (!pane) throw new Error('no React Flow pane');
  await ed.page.mouse.click(pane.x + 12, pane.y + pane.height - 12);
  await ed.byTestId('flow-title').waitFor({ state: 'visible' });
}

const isRed = async (ed: EditorPage, nodeId: string) =>
  (await ed.node(nodeId).locator('.tf-node').getAttribute('class'))?.includes('invalid') === true;

describe('plain words (issue 18)', () => {
  it('clears a refused node as soon as its setting is fixed, and says it all in plain words', async () => {
    await onPage('plain-words-refusal', async (ed) => {
      await ed.node('high-flow').waitFor({ state: 'visible' });
      await ed.select('high-flow');
      await ed.field('above').fill('abc');
      const fieldError = ed.byTestId('field-error-above');
      await fieldError.waitFor({ state: 'visible' });
      expect(await fieldError.innerText()).toBe('High limit must be a number, e.g. 42.5 (you typed "abc")');

      // The deploy dialog names the problem by the node's label and says it; the path is a grey detail.
      await ed.byTestId('deploy').click();
      await ed.byTestId('deploy-dialog').waitFor({ state: 'visible' });
      const problems = ed.byTestId('deploy-problems');
      await problems.waitFor({ state: 'visible' });
      const problem = problems.getByTestId('problem').first();
      expect(await problem.getByTestId('problem-node').innerText()).toBe('High flow alarm');
      expect(await problem.locator('.problem-text').innerText()).toBe(
        'High limit must be a number, e.g. 42.5 (you typed "abc")',
      );
      expect(await problem.locator('.issue-detail').innerText()).toContain('/nodes/2/config/above');
      expect(await problems.innerText()).not.toMatch(/outlined in red/);
      // Changed nodes by label, the id as a detail.
      expect(await ed.byTestId('deploy-diff').innerText()).toMatch(/1 changed: High flow alarm \(high-flow\)/);
      await ed.screenshot('plain-words-deploy-dialog');

      // Deployed anyway: the runtime refuses it, in the same words.
      await ed.byTestId('deploy-confirm').click();
      const result = ed.byTestId('deploy-result');
      await result.waitFor({ state: 'visible', timeout: 20_000 });
      await until(async () => (await result.innerText()).trim().length > 0, 'a deploy result', 20_000);
      expect(await result.innerText()).toContain('High limit must be a number, e.g. 42.5 (you typed "abc")');
      await ed.byTestId('deploy-close').click();
      await ed.byTestId('deploy-dialog').waitFor({ state: 'hidden' });

      const refused = ed.byTestId('deploy-errors');
      await refused.waitFor({ state: 'visible' });
      expect(await refused.innerText()).toContain('High limit must be a number');
      expect(await isRed(ed, 'high-flow')).toBe(true);
      await ed.screenshot('plain-words-refused');

      // The fix: the red goes at once, not at the next deploy.
      await ed.field('above').fill('45');
      await refused.waitFor({ state: 'hidden', timeout: 10_000 });
      await fieldError.waitFor({ state: 'hidden', timeout: 10_000 });
      await until(async () => !(await isRed(ed, 'high-flow')), 'high-flow to lose its red outline', 10_000);
      await deselect(ed);
      expect(await ed.byTestId('flow-problem-count').innerText()).toBe('No problems found.');
      await ed.screenshot('plain-words-refusal-fixed');

      // An empty threshold: what to do, not "does not match any of the 2 allowed forms".
      await ed.select('high-flow');
      await ed.field('above').fill('');
      const whole = ed.byTestId('field-error-');
      await whole.waitFor({ state: 'visible' });
      expect(await whole.innerText()).toBe('Set at least one limit: High limit or Low limit');
      await ed.screenshot('plain-words-empty-threshold');
    });
  }, 120_000);

  it('shows an unconnected node as a named, clickable warning, yellow, in the panel and the deploy dialog', async () => {
    await onPage('plain-words-warnings', async (ed) => {
      await ed.node('high-flow').waitFor({ state: 'visible' });
      const pane = await ed.page.locator('.react-flow__pane').boundingBox();
      if (!pane) throw new Error('no React Flow pane');
      const added = await ed.dragFromPalette('debug', Math.round(pane.width * 0.5), Math.round(pane.height * 0.85));
      await ed.select(added);
      // A node just dropped is not wired yet: a yellow warning, never red.
      const warning = ed.byTestId('node-warnings');
      await warning.waitFor({ state: 'visible' });
      expect(await warning.innerText()).toMatch(/^Not connected to any other node yet: wire it to another node/);
      expect(await ed.byTestId('node-issues').count()).toBe(0);
      expect(await isRed(ed, added)).toBe(false);
      const colour = await warning.evaluate((el) => getComputedStyle(el).color);
      expect(colour).not.toBe('rgb(198, 40, 40)'); // --error
      await ed.page.getByTestId('node-label').fill('Spare display');
      await ed.screenshot('plain-words-warning-properties');

      // The flow panel lists it by name; a click selects the node and centres it.
      await deselect(ed);
      expect(await ed.byTestId('flow-problem-count').innerText()).toBe('1 warning (the flow can run).');
      const listed = ed.byTestId('flow-problems').getByTestId('problem');
      expect(await listed.count()).toBe(1);
      expect(await listed.getAttribute('data-severity')).toBe('warning');
      expect(await listed.getByTestId('problem-node').innerText()).toBe('Spare display');
      await ed.screenshot('plain-words-flow-panel');
      await listed.getByTestId('problem-node').click();
      await ed.byTestId('node-warnings').waitFor({ state: 'visible' });
      expect(await ed.page.getByTestId('node-label').inputValue()).toBe('Spare display');
      await until(
        async () => {
          const node = await ed.node(added).boundingBox();
          const view = await ed.page.locator('.react-flow__pane').boundingBox();
          if (!node || !view) return false;
          const dx = node.x + node.width / 2 - (view.x + view.width / 2);
          const dy = node.y + node.height / 2 - (view.y + view.height / 2);
          return Math.abs(dx) < 30 && Math.abs(dy) < 30;
        },
        'the clicked node to be centred on the canvas',
        5_000,
      );

      // The deploy dialog warns too, by name, and a click there shows the node.
      await ed.byTestId('deploy').click();
      await ed.byTestId('deploy-dialog').waitFor({ state: 'visible' });
      const warnings = ed.byTestId('deploy-warnings');
      await warnings.waitFor({ state: 'visible' });
      expect(await warnings.innerText()).toMatch(/1 warning: the flow can run/);
      expect(await warnings.getByTestId('problem-node').innerText()).toBe('Spare display');
      expect(await ed.byTestId('deploy-diff').innerText()).toMatch(/1 added: Spare display \(debug-1\)/);
      expect(await ed.byTestId('deploy-problems').count()).toBe(0);
      await ed.screenshot('plain-words-deploy-warning');
      await warnings.getByTestId('problem-node').click();
      await ed.byTestId('deploy-dialog').waitFor({ state: 'hidden' });
      await ed.byTestId('node-warnings').waitFor({ state: 'visible' });
    });
  }, 120_000);
});
