// Never lose work (issue 18): undeployed changes show on the Deploy button and on each changed node;
// the browser warns before the page is left; a sign-out warns, naming the flow; the edits are kept
// in localStorage and offered back after a reload, a closed (crashed) tab or a sign-out; a draft
// made on an older version goes through the conflict path; a deploy removes marker and draft.
// Real headless Chromium on the built editor, served by a real `tagflow start`; the steps share one
// page and build on each other.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { until } from '@tagflow/test-support';
import { checkAccessibility, EditorPage, editorSession, screenshotDir } from './editor-harness';
import type { FlowJson } from './editor-harness';

const lineOne = {
  schemaVersion: 1,
  id: 'line-1',
  name: 'Line 1',
  nodes: [
    {
      id: 'level',
      type: 'simulate',
      typeVersion: 1,
      name: 'Level',
      config: { tag: 'line-1/level', intervalMs: 500, seed: 1 },
      ui: { x: 0, y: 0 },
    },
    { id: 'show', type: 'debug', typeVersion: 1, config: { property: 'payload' }, ui: { x: 320, y: 0 } },
  ],
  edges: [{ source: 'level', target: 'show' }],
};

const DRAFT_KEY_PREFIX = 'tagflow.draft.v1 ';

const session = editorSession(lineOne);
let ed: EditorPage;
/** Dialogs the page opened (their type: `beforeunload`, `confirm`...); the harness accepts them. */
const dialogs: string[] = [];

afterAll(async () => {
  await ed?.close();
});

/** Runs a step; on failure saves `drafts-<name>-failure.png` and names it with the page's errors. */
async function step(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const shot = ed
      ? await ed.screenshot(`drafts-${name}-failure`).catch((e: Error) => `(screenshot failed: ${e.message})`)
      : '(no page)';
    const problems = ed && ed.problems.length > 0 ? `\npage problems:\n  ${ed.problems.slice(0, 10).join('\n  ')}` : '';
    const message = `${err instanceof Error ? err.message : String(err)}\nscreenshot: ${shot}${problems}`;
    if (err instanceof Error) {
      err.message = message;
      throw err;
    }
    throw new Error(message);
  }
}

/** The drafts the page keeps in localStorage, by flow id. */
async function storedDrafts(
  page: Page,
): Promise<Record<string, { name: string; baseVersion: number; flow: FlowJson }>> {
  return page.evaluate((prefix) => {
    const out: Record<string, { name: string; baseVersion: number; flow: FlowJson }> = {};
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key?.startsWith(prefix)) {
        const draft = JSON.parse(localStorage.getItem(key) ?? 'null') as {
          flowId: string;
          name: string;
          baseVersion: number;
          flow: FlowJson;
        };
        out[draft.flowId] = draft;
      }
    }
    return out;
  }, DRAFT_KEY_PREFIX);
}

async function labelOf(page: Page, nodeId: string): Promise<string> {
  return page.locator(`.react-flow__node[data-id="${nodeId}"] .label`).innerText();
}

async function deployButton(): Promise<{ text: string; name: string | null; changes: string | null }> {
  const button = ed.byTestId('deploy');
  return {
    text: (await button.innerText()).trim(),
    name: await button.getAttribute('aria-label'),
    changes: await button.getAttribute('data-changes'),
  };
}

async function runningVersion(): Promise<{ version: number; flow: FlowJson }> {
  const res = await session.runtime.api('/api/flows/line-1');
  expect(res.status).toBe(200);
  const body = (await res.json()) as { version: { version: number }; flow: FlowJson };
  return { version: body.version.version, flow: body.flow };
}

describe('never lose work', () => {
  it('shows undeployed changes on the Deploy button and on the changed node', async () => {
    ed = await EditorPage.open(session.browser, session.runtime);
    ed.page.on('dialog', (d) => dialogs.push(d.type()));
    await step('marked', async () => {
      await ed.node('level').waitFor({ state: 'visible' });
      expect(await deployButton()).toEqual({ text: 'Deploy', name: 'Deploy: no undeployed changes', changes: '0' });
      expect(await ed.page.locator('.changed-marker').count()).toBe(0);

      await ed.select('level');
      await ed.byTestId('node-label').fill('Tank level');
      await until(async () => (await deployButton()).changes === '1', 'the Deploy button to count the change');
      expect(await deployButton()).toEqual({
        text: 'Deploy (1 change)',
        name: 'Deploy: 1 undeployed change',
        changes: '1',
      });
      // The accessible name is what a screen reader announces for the button.
      await ed.page.getByRole('button', { name: 'Deploy: 1 undeployed change' }).waitFor();
      const marker = ed.byTestId('changed-level');
      await marker.waitFor({ state: 'visible' });
      expect(await marker.getAttribute('data-change')).toBe('changed');
      expect(await ed.byTestId('changed-show').count()).toBe(0);
      // Kept in the browser a moment after the edit, with the version it is based on.
      await until(async () => (await storedDrafts(ed.page))['line-1'] !== undefined, 'the draft in localStorage');
      const draft = (await storedDrafts(ed.page))['line-1'];
      expect(draft.baseVersion).toBe((await runningVersion()).version);
      expect(draft.flow.nodes.find((n) => n.id === 'level')?.name).toBe('Tank level');
      await ed.screenshot('drafts-marked');
    });
  }, 90_000);

  it('offers the draft in another tab after this one crashed (no unload handlers ran)', async () => {
    await step('crash', async () => {
      // A second tab of the same browser profile shares localStorage; its sign-in is its own.
      const other = await ed.context.newPage();
      try {
        await other.goto(`${session.runtime.url}/`);
        await other.getByTestId('token-input').fill(session.runtime.token);
        await other.getByTestId('sign-in').click();
        const offer = other.getByTestId('draft-offer-line-1');
        await offer.waitFor({ state: 'visible', timeout: 15_000 });
        expect(await offer.getByTestId('draft-offer-text').innerText()).toBe(
          'Restore your undeployed changes to Line 1 (saved just now)?',
        );
        expect(await offer.getByTestId('draft-offer-stale').count()).toBe(0);
        await other.screenshot({ path: path.join(screenshotDir, 'drafts-crash-offer.png') });
      } finally {
        await other.close({ runBeforeUnload: false });
      }
      // That tab's load left the offered draft in place.
      expect((await storedDrafts(ed.page))['line-1']).toBeDefined();
    });
  }, 90_000);

  it('warns before a reload, then offers the draft back and restores it', async () => {
    await step('reload', async () => {
      dialogs.length = 0;
      await ed.page.reload();
      expect(dialogs).toContain('beforeunload');
      const offer = ed.byTestId('draft-offer-line-1');
      await offer.waitFor({ state: 'visible', timeout: 15_000 });
      expect(await offer.getByTestId('draft-offer-text').innerText()).toMatch(
        /^Restore your undeployed changes to Line 1 \(saved (just now|1 min ago)\)\?$/,
      );
      // Loaded as deployed until the user says: no marker, nothing to deploy.
      await ed.node('level').waitFor({ state: 'visible' });
      expect(await labelOf(ed.page, 'level')).toBe('Level');
      expect((await deployButton()).changes).toBe('0');
      await ed.screenshot('drafts-offer');
      expect(await checkAccessibility(ed.page, 'drafts-offer')).toEqual([]);

      await offer.getByTestId('draft-restore').click();
      await offer.waitFor({ state: 'detached' });
      await until(async () => (await labelOf(ed.page, 'level')) === 'Tank level', 'the restored label on the node');
      await ed.byTestId('changed-level').waitFor({ state: 'visible' });
      expect((await deployButton()).text).toBe('Deploy (1 change)');
      expect(await ed.byTestId('flow-tab-line-1').getAttribute('data-dirty')).toBe('true');
      await ed.screenshot('drafts-restored');
    });
  }, 90_000);

  it('warns at sign-out naming the flow, keeps the draft, and a Discard drops it', async () => {
    await step('sign-out', async () => {
      await ed.byTestId('sign-out').click();
      const dialog = ed.byTestId('sign-out-dialog');
      await dialog.waitFor({ state: 'visible' });
      expect(await ed.byTestId('sign-out-flows').innerText()).toBe('Line 1');
      await ed.screenshot('drafts-sign-out-warning');
      expect(await checkAccessibility(ed.page, 'drafts-sign-out-warning')).toEqual([]);
      await ed.byTestId('sign-out-cancel').click();
      await dialog.waitFor({ state: 'detached' });
      expect((await deployButton()).changes).toBe('1');

      await ed.byTestId('sign-out').click();
      await ed.byTestId('sign-out-confirm').click();
      await ed.byTestId('token-input').waitFor({ state: 'visible' });
      await ed.signIn(session.runtime.token);
      const offer = ed.byTestId('draft-offer-line-1');
      await offer.waitFor({ state: 'visible', timeout: 15_000 });
      await offer.getByTestId('draft-discard').click();
      await offer.waitFor({ state: 'detached' });
      await until(async () => (await storedDrafts(ed.page))['line-1'] === undefined, 'the discarded draft to go');
      expect(await labelOf(ed.page, 'level')).toBe('Level');
      expect((await deployButton()).changes).toBe('0');
    });
  }, 90_000);

  it('after a deploy shows no marker and keeps no draft', async () => {
    await step('deployed', async () => {
      await ed.select('level');
      await ed.byTestId('node-label').fill('Tank level');
      await ed.byTestId('changed-level').waitFor({ state: 'visible' });
      await until(async () => (await storedDrafts(ed.page))['line-1'] !== undefined, 'the draft in localStorage');
      const before = (await runningVersion()).version;
      const { result } = await ed.deploy();
      expect(result).toMatch(/deployed/i);
      const after = await runningVersion();
      expect(after.version).toBe(before + 1);
      expect(after.flow.nodes.find((n) => n.id === 'level')?.name).toBe('Tank level');
      await ed.byTestId('changed-level').waitFor({ state: 'detached' });
      expect(await deployButton()).toEqual({ text: 'Deploy', name: 'Deploy: no undeployed changes', changes: '0' });
      await until(
        async () => (await storedDrafts(ed.page))['line-1'] === undefined,
        'the draft to go after the deploy',
      );
      // Nothing left to lose: the page is left without a question.
      dialogs.length = 0;
      await ed.page.reload();
      await ed.node('level').waitFor({ state: 'visible' });
      expect(dialogs).toEqual([]);
      expect(await ed.byTestId('draft-offers').count()).toBe(0);
      await ed.screenshot('drafts-deployed');
    });
  }, 90_000);

  it('says when a draft is older than the running version, and deploys it through the conflict path', async () => {
    await step('stale', async () => {
      await ed.select('show');
      await ed.byTestId('node-label').fill('Level display');
      await ed.byTestId('changed-show').waitFor({ state: 'visible' });
      await until(async () => (await storedDrafts(ed.page))['line-1'] !== undefined, 'the draft in localStorage');
      const base = (await storedDrafts(ed.page))['line-1'].baseVersion;
      // Someone else deploys meanwhile.
      const running = await runningVersion();
      const other = { ...running.flow, description: 'deployed by someone else' };
      const res = await session.runtime.api('/api/flows/line-1', {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', 'If-Match': `"${running.version}"` },
        body: JSON.stringify(other),
      });
      expect(res.status).toBe(200);
      const newer = running.version + 1;

      await ed.page.reload();
      const offer = ed.byTestId('draft-offer-line-1');
      await offer.waitFor({ state: 'visible', timeout: 15_000 });
      expect(await offer.getByTestId('draft-offer-stale').innerText()).toBe(
        `Your changes were made on version ${base}; the runtime now runs version ${newer}. Deploying them will ask which one to keep.`,
      );
      await ed.screenshot('drafts-stale-offer');
      await offer.getByTestId('draft-restore').click();
      await until(async () => (await labelOf(ed.page, 'show')) === 'Level display', 'the restored label');

      await ed.byTestId('deploy').click();
      await ed.byTestId('deploy-dialog').waitFor({ state: 'visible' });
      await ed.byTestId('deploy-confirm').click();
      await ed.byTestId('conflict-overwrite').waitFor({ state: 'visible', timeout: 20_000 });
      await ed.screenshot('drafts-stale-conflict');
      await ed.byTestId('conflict-overwrite').click();
      await until(
        async () => /deployed/i.test(await ed.byTestId('deploy-result').innerText()),
        'the overwrite to deploy',
        20_000,
      );
      await ed.byTestId('deploy-close').click();
      const after = await runningVersion();
      expect(after.version).toBe(newer + 1);
      expect(after.flow.nodes.find((n) => n.id === 'show')?.name).toBe('Level display');
      await until(
        async () => (await storedDrafts(ed.page))['line-1'] === undefined,
        'the draft to go after the deploy',
      );
    });
  }, 120_000);
});
