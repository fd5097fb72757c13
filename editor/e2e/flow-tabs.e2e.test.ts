// Many flows per runtime in the editor (issue 17): the runtime's flows as tabs. A second flow is
// created, deployed on its own, renamed (the tab, the flow panel, the deploy dialog and Export follow
// the name), duplicated, disabled and deleted after a confirmation, while unsaved edits survive tab
// switches and the first flow keeps running at its version. Real headless Chromium on the built
// editor, served by a real `tagflow start`; the steps share one page and build on each other.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { until } from '@tagflow/test-support';
import { EditorPage, editorSession, screenshotDir } from './editor-harness';
import type { FlowJson } from './editor-harness';

/** The flow the runtime starts with: it must keep running, untouched, through everything below. */
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
      config: { tag: 'line-1/level', intervalMs: 200, seed: 1 },
      ui: { x: 0, y: 0 },
    },
    { id: 'show', type: 'debug', typeVersion: 1, config: { property: 'payload' }, ui: { x: 320, y: 0 } },
  ],
  edges: [{ source: 'level', target: 'show' }],
};

const NEW_NAME = 'Line 2 alarms';
const NEW_ID = 'line-2-alarms';
const RENAMED = 'Line 2 alarm handling';
const COPY_ID = 'line-2-alarm-handling-copy';

interface Summary {
  id: string;
  name?: string;
  state: string;
  version: number;
  counters?: { in: number; out: number };
}

const session = editorSession(lineOne);
let ed: EditorPage;
let lineOneVersion: number;

afterAll(async () => {
  await ed?.close();
});

async function flows(): Promise<Summary[]> {
  const res = await session.runtime.api('/api/flows');
  expect(res.status).toBe(200);
  return ((await res.json()) as { flows: Summary[] }).flows;
}

async function flowOf(id: string): Promise<{ status: number; version?: number; flow?: FlowJson; state?: string }> {
  const res = await session.runtime.api(`/api/flows/${id}`);
  if (!res.ok) return { status: res.status };
  const body = (await res.json()) as { version: { version: number }; flow: FlowJson; state?: string };
  return { status: res.status, version: body.version.version, flow: body.flow, state: body.state };
}

/** Messages the first flow's nodes handled so far (its source's out counter). */
async function lineOneCount(): Promise<number> {
  const res = await session.runtime.api('/api/status?flow=line-1');
  expect(res.status).toBe(200);
  const status = (await res.json()) as { nodes: Record<string, { counters: Record<string, number> }> };
  return status.nodes.level?.counters.out ?? 0;
}

/** Runs a step; on failure saves `flow-tabs-<name>-failure.png` and names it with the page's errors. */
async function step(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const shot = ed
      ? await ed.screenshot(`flow-tabs-${name}-failure`).catch((e: Error) => `(screenshot failed: ${e.message})`)
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

const tab = (id: string) => ed.byTestId(`flow-tab-${id}`);

async function showTab(id: string): Promise<void> {
  await tab(id).click();
  await until(async () => (await tab(id).getAttribute('aria-selected')) === 'true', `the tab ${id} to be shown`);
}

/** Clicks the empty canvas, so the properties show the flow panel. */
async function showFlowPanel(): Promise<void> {
  const pane = ed.page.locator('.react-flow__pane');
  const box = await pane.boundingBox();
  if (!box) throw new Error('the React Flow pane is not on the page');
  await pane.click({ position: { x: box.width - 30, y: 30 } });
  await ed.byTestId('flow-title').waitFor({ state: 'visible' });
}

describe('flows as tabs', () => {
  it('shows the runtime flow as a tab and creates a second flow named by the user', async () => {
    ed = await EditorPage.open(session.browser, session.runtime);
    await step('create', async () => {
      const [first] = await flows();
      expect(first).toMatchObject({ id: 'line-1', state: 'running' });
      lineOneVersion = first.version;
      expect(lineOneVersion).toBeGreaterThan(0);
      await ed.node('level').waitFor({ state: 'visible' });
      expect(await tab('line-1').getAttribute('aria-selected')).toBe('true');
      expect(await tab('line-1').innerText()).toContain('Line 1');

      await ed.byTestId('flow-new').click();
      await ed.byTestId('new-flow-dialog').waitFor({ state: 'visible' });
      await ed.byTestId('new-flow-name').fill(NEW_NAME);
      expect(await ed.byTestId('new-flow-id').innerText()).toContain(`“${NEW_ID}”`);
      await ed.screenshot('flow-tabs-new-dialog');
      await ed.byTestId('new-flow-confirm').click();
      await ed.byTestId('new-flow-dialog').waitFor({ state: 'hidden' });

      await until(async () => (await tab(NEW_ID).getAttribute('aria-selected')) === 'true', 'the new tab shown');
      expect(await tab(NEW_ID).getAttribute('data-state')).toBe('new');
      expect(await tab(NEW_ID).innerText()).toContain('not deployed');
      expect(await ed.nodeIds()).toEqual([]);
      // Nothing reaches the runtime before a deploy.
      expect((await flows()).map((f) => f.id)).toEqual(['line-1']);
    });
  }, 120_000);

  it('deploys the new flow on its own (If-Match "0"), with its own diff; the first flow stays at its version', async () => {
    await step('deploy', async () => {
      const pane = await ed.page.locator('.react-flow__pane').boundingBox();
      if (!pane) throw new Error('the React Flow pane is not on the page');
      const sim = await ed.dragFromPalette('simulate', Math.round(pane.width * 0.3), Math.round(pane.height * 0.4));
      const dbg = await ed.dragFromPalette('debug', Math.round(pane.width * 0.65), Math.round(pane.height * 0.6));
      await ed.connect(sim, 'out', dbg, 'in');
      await ed.select(sim);
      await ed.field('intervalMs').fill('250');

      await ed.byTestId('deploy').click();
      await ed.byTestId('deploy-dialog').waitFor({ state: 'visible' });
      expect(await ed.page.locator('#deploy-title').innerText()).toContain(NEW_NAME);
      const diff = await ed.byTestId('deploy-diff').innerText();
      expect(diff).toMatch(/2 added: simulate-1, debug-1/);
      // Its own diff: nothing of the first flow's nodes.
      expect(diff).not.toMatch(/level|show/);
      await ed.screenshot('flow-tabs-deploy-dialog');
      await ed.byTestId('deploy-close').click();
      const { result } = await ed.deploy();
      expect(result).toMatch(/deployed: version 1/);

      const created = await flowOf(NEW_ID);
      expect(created).toMatchObject({ status: 200, version: 1 });
      expect(created.flow).toMatchObject({ id: NEW_ID, name: NEW_NAME });
      expect(created.flow?.nodes.map((n) => n.id).sort()).toEqual(['debug-1', 'simulate-1']);
      expect((await flowOf('line-1')).version).toBe(lineOneVersion);
      await until(async () => (await tab(NEW_ID).getAttribute('data-state')) === 'running', 'the tab to say running');
      expect(await tab(NEW_ID).getAttribute('data-dirty')).toBe('false');
      // Its live statuses are its own: the new simulate node reports.
      await until(
        async () => (await ed.byTestId('status-simulate-1').getAttribute('data-state')) === 'ok',
        'the new flow’s simulate node to report ok',
        20_000,
      );
      await ed.screenshot('flow-tabs-deployed');
    });
  }, 120_000);

  it('keeps unsaved edits of each tab across tab switches', async () => {
    await step('switch', async () => {
      await ed.select('debug-1');
      await ed.byTestId('node-label').fill('Alarm list');
      await until(async () => (await tab(NEW_ID).getAttribute('data-dirty')) === 'true', 'the unsaved marker');

      await showTab('line-1');
      await ed.node('level').waitFor({ state: 'visible' });
      expect((await ed.nodeIds()).sort()).toEqual(['level', 'show']);
      await ed.select('show');
      await ed.byTestId('node-label').fill('Level readings');
      await until(async () => (await tab('line-1').getAttribute('data-dirty')) === 'true', 'line-1 marked unsaved');
      await ed.screenshot('flow-tabs-line-1-edited');

      await showTab(NEW_ID);
      await ed.node('debug-1').waitFor({ state: 'visible' });
      expect(await ed.node('debug-1').innerText()).toContain('Alarm list');
      expect(await tab(NEW_ID).getAttribute('data-dirty')).toBe('true');
      await showTab('line-1');
      await ed.node('show').waitFor({ state: 'visible' });
      expect(await ed.node('show').innerText()).toContain('Level readings');
      // The debug panel shows this flow's messages only (frames are told apart by their flowId).
      await until(async () => (await ed.debugEntries()).length > 0, 'debug messages of line-1');
      const entries = await ed.debugEntries();
      expect(entries.filter((t) => /debug-1|Alarm list/.test(t))).toEqual([]);
      await ed.screenshot('flow-tabs-switched-back');
      // Undo still works on the tab's own edits.
      await ed.byTestId('undo').click();
      await until(async () => !(await ed.node('show').innerText()).includes('Level readings'), 'the label undone');
      await until(async () => (await tab('line-1').getAttribute('data-dirty')) === 'false', 'line-1 clean again');
      // The runtime got none of it.
      expect((await flowOf('line-1')).version).toBe(lineOneVersion);
      expect((await flowOf(NEW_ID)).version).toBe(1);
    });
  }, 120_000);

  it('renames the flow: the id stays, the tab, flow panel, deploy dialog and Export follow the name', async () => {
    await step('rename', async () => {
      await showTab(NEW_ID);
      await ed.byTestId('flow-rename').click();
      await ed.byTestId('rename-flow-dialog').waitFor({ state: 'visible' });
      await ed.byTestId('rename-flow-name').fill(RENAMED);
      await ed.byTestId('rename-flow-confirm').click();
      await ed.byTestId('rename-flow-dialog').waitFor({ state: 'hidden' });

      expect(await tab(NEW_ID).innerText()).toContain(RENAMED);
      expect(await ed.page.locator('.toolbar .flow-name').innerText()).toBe(RENAMED);
      await showFlowPanel();
      expect(await ed.byTestId('flow-title').innerText()).toBe(`Flow “${RENAMED}”`);
      expect(await ed.byTestId('flow-name').inputValue()).toBe(RENAMED);
      await ed.screenshot('flow-tabs-renamed');

      const [download] = await Promise.all([ed.page.waitForEvent('download'), ed.byTestId('export').click()]);
      expect(download.suggestedFilename()).toBe('line-2-alarm-handling.json');
      const file = path.join(screenshotDir, 'flow-tabs-export.json');
      await download.saveAs(file);
      const exported = JSON.parse(readFileSync(file, 'utf8')) as FlowJson;
      expect(exported).toMatchObject({ id: NEW_ID, name: RENAMED });

      await ed.byTestId('deploy').click();
      await ed.byTestId('deploy-dialog').waitFor({ state: 'visible' });
      expect(await ed.page.locator('#deploy-title').innerText()).toBe(`Deploy “${RENAMED}”`);
      await ed.byTestId('deploy-close').click();
      const { result } = await ed.deploy();
      expect(result).toMatch(/deployed: version 2/);
      const renamed = await flowOf(NEW_ID);
      expect(renamed.flow).toMatchObject({ id: NEW_ID, name: RENAMED });
      expect(renamed.flow?.nodes.find((n) => n.id === 'debug-1')?.name).toBe('Alarm list');
      expect((await flows()).find((f) => f.id === NEW_ID)?.name).toBe(RENAMED);
      expect((await flowOf('line-1')).version).toBe(lineOneVersion);
    });
  }, 120_000);

  it('duplicates the flow as a new, undeployed flow "<name> copy" with its own id', async () => {
    await step('duplicate', async () => {
      await ed.byTestId('flow-duplicate').click();
      await until(async () => (await tab(COPY_ID).getAttribute('aria-selected')) === 'true', 'the copy shown');
      expect(await tab(COPY_ID).innerText()).toContain(`${RENAMED} copy`);
      expect(await tab(COPY_ID).getAttribute('data-state')).toBe('new');
      expect((await ed.nodeIds()).sort()).toEqual(['debug-1', 'simulate-1']);
      await ed.screenshot('flow-tabs-duplicated');
      // Not on the runtime until it is deployed.
      expect((await flows()).map((f) => f.id)).toEqual(['line-1', NEW_ID]);
      expect((await flowOf(COPY_ID)).status).toBe(404);
    });
  }, 60_000);

  it('disables the flow on the runtime; the tab shows it, and Enable runs it again', async () => {
    await step('disable', async () => {
      await showTab(NEW_ID);
      await ed.byTestId('flow-disable').click();
      await until(async () => (await tab(NEW_ID).getAttribute('data-state')) === 'disabled', 'the tab to say disabled');
      expect(await tab(NEW_ID).innerText()).toContain('disabled');
      expect((await flows()).find((f) => f.id === NEW_ID)?.state).toBe('disabled');
      expect((await flows()).find((f) => f.id === 'line-1')?.state).toBe('running');
      await ed.byTestId('flow-enable').waitFor({ state: 'visible' });
      // Its nodes no longer show the running flow's status.
      await until(
        async () => (await ed.byTestId('status-simulate-1').getAttribute('data-state')) !== 'ok',
        'the disabled flow’s simulate node to stop showing ok',
      );
      await ed.screenshot('flow-tabs-disabled');

      await ed.byTestId('flow-enable').click();
      await until(async () => (await tab(NEW_ID).getAttribute('data-state')) === 'running', 'the tab to say running');
      expect((await flows()).find((f) => f.id === NEW_ID)?.state).toBe('running');
      await ed.byTestId('flow-disable').click();
      await until(async () => (await tab(NEW_ID).getAttribute('data-state')) === 'disabled', 'disabled again');
    });
  }, 60_000);

  it('deletes the flow only after a confirmation naming it; the first flow keeps running at its version', async () => {
    await step('delete', async () => {
      const before = await lineOneCount();
      await ed.byTestId('flow-delete').click();
      await ed.byTestId('delete-flow-dialog').waitFor({ state: 'visible' });
      expect(await ed.byTestId('delete-flow-dialog').innerText()).toContain(`Delete the flow “${RENAMED}”?`);
      await ed.screenshot('flow-tabs-delete-confirm');
      await ed.byTestId('delete-flow-cancel').click();
      await ed.byTestId('delete-flow-dialog').waitFor({ state: 'hidden' });
      expect((await flowOf(NEW_ID)).status).toBe(200);

      await ed.byTestId('flow-delete').click();
      await ed.byTestId('delete-flow-confirm').click();
      await ed.byTestId('delete-flow-dialog').waitFor({ state: 'hidden', timeout: 20_000 });
      await tab(NEW_ID).waitFor({ state: 'detached' });
      expect((await flowOf(NEW_ID)).status).toBe(404);
      expect((await flows()).map((f) => f.id)).toEqual(['line-1']);
      // The copy (never deployed) and the first flow are still there.
      expect(await tab(COPY_ID).count()).toBe(1);
      expect(await tab('line-1').count()).toBe(1);

      await showTab('line-1');
      await ed.node('level').waitFor({ state: 'visible' });
      const line1 = await flowOf('line-1');
      expect(line1).toMatchObject({ status: 200, version: lineOneVersion });
      expect((await flows())[0]).toMatchObject({ id: 'line-1', state: 'running', version: lineOneVersion });
      await until(async () => (await lineOneCount()) > before, 'line-1 to keep counting messages', 10_000);
      await ed.screenshot('flow-tabs-after-delete');
      // (Console errors include the browser's own line for each 404 asked on purpose.)
      expect(ed.problems.filter((p) => p.startsWith('page error'))).toEqual([]);
    });
  }, 60_000);
});
