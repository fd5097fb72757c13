// The browser editor end to end (issue 6): real headless Chromium on the built editor, served by
// a real `tagflow start`. Each scenario opens its own page; the runtimes and the browser are
// shared by the file. Screenshots go to test-results/editor-e2e/.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import {
  editorRoot,
  ensureChromium,
  ensureCliBuilt,
  ensureEditorBuilt,
  launchChromium,
  repoRoot,
  stopAllTagflow,
  until,
} from '@tagflow/test-support';
import { allRequests, EditorPage, paneSpot, screenshotDir, startRuntime } from './editor-harness';
import type { FlowJson, Runtime } from './editor-harness';

const pumpMonitorFile = path.join(repoRoot, 'examples', 'pump-monitor', 'flow.json');
const pumpMonitor = JSON.parse(readFileSync(pumpMonitorFile, 'utf8')) as FlowJson;

/** A source and a debug node, not wired: the function scenario puts a function node between them. */
const functionSeed = {
  schemaVersion: 1,
  id: 'e2e-function',
  name: 'Function scenario',
  nodes: [
    {
      id: 'sim',
      type: 'simulate',
      typeVersion: 1,
      config: {
        tag: 'e2e/value',
        intervalMs: 200,
        seed: 1,
        signal: { kind: 'sine', amplitude: 1, offset: 20, periodSeconds: 10 },
      },
      ui: { x: 0, y: 0 },
    },
    { id: 'show', type: 'debug', typeVersion: 1, config: { property: 'payload' }, ui: { x: 520, y: 0 } },
  ],
  edges: [],
};

let browser: Browser;
/** Empty at start: the build-from-the-palette scenario deploys to it. */
let fresh: Runtime;
let withFunctionSeed: Runtime;
let withPumpMonitor: Runtime;

beforeAll(async () => {
  ensureChromium();
  ensureEditorBuilt();
  ensureCliBuilt();
  [fresh, withFunctionSeed, withPumpMonitor] = await Promise.all([
    startRuntime(),
    startRuntime({ flow: functionSeed }),
    startRuntime({ flow: pumpMonitorFile }),
  ]);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stopAllTagflow();
}, 30_000);

/**
 * Runs a scenario on its own page. On failure it saves `<name>-failure.png` and adds the page's
 * errors to the message, so a CI log says what the screen showed.
 */
async function onPage(
  runtime: Runtime,
  name: string,
  body: (ed: EditorPage) => Promise<void>,
  options: { signIn?: boolean } = {},
): Promise<void> {
  let ed: EditorPage | undefined;
  try {
    ed = await EditorPage.open(browser, runtime, { signIn: false });
    if (options.signIn !== false) await ed.signIn(runtime.token);
    await body(ed);
  } catch (err) {
    let shot = '(no page)';
    if (ed) shot = await ed.screenshot(`${name}-failure`).catch((e: Error) => `(screenshot failed: ${e.message})`);
    const problems = ed && ed.problems.length > 0 ? `\npage problems:\n  ${ed.problems.slice(0, 10).join('\n  ')}` : '';
    if (err instanceof Error) {
      err.message = `${err.message}\nscreenshot: ${shot}${problems}`;
      throw err;
    }
    throw new Error(`${String(err)}\nscreenshot: ${shot}${problems}`);
  } finally {
    await ed?.close();
  }
}

const edgeKeys = (flow: FlowJson) =>
  flow.edges.map((e) => `${e.source}:${e.sourcePort ?? 'out'}->${e.target}:${e.targetPort ?? 'in'}`).sort();

describe('the editor in Chromium against tagflow start', () => {
  it('refuses a wrong token at sign-in with sign-in-error, then signs in with the right one', async () => {
    await onPage(
      fresh,
      'sign-in-error',
      async (ed) => {
        await ed.signIn('tf_this-is-not-a-token', false);
        const error = ed.byTestId('sign-in-error');
        await error.waitFor({ state: 'visible' });
        expect((await error.innerText()).trim()).not.toBe('');
        expect(await ed.byTestId('palette').isVisible()).toBe(false);
        await ed.screenshot('sign-in-error');
        await ed.signIn(fresh.token);
        expect(await ed.byTestId('sign-in-error').isVisible()).toBe(false);
      },
      { signIn: false },
    );
  }, 60_000);

  it('builds simulate -> moving-average -> threshold -> debug from the palette, fills the forms, deploys and shows live values', async () => {
    await onPage(fresh, 'build-and-deploy', async (ed) => {
      // The first node dropped on an empty canvas is centred by React Flow's fitView; the others
      // go around it: two above it, the debug node to its lower right (clear of the minimap).
      let spot = await paneSpot(ed, 0.3, 0.5);
      const sim = await ed.dragFromPalette('simulate', spot.x, spot.y);
      spot = await paneSpot(ed, 0.06, 0.19);
      const avg = await ed.dragFromPalette('moving-average', spot.x, spot.y);
      spot = await paneSpot(ed, 0.38, 0.19);
      const thr = await ed.dragFromPalette('threshold', spot.x, spot.y);
      spot = await paneSpot(ed, 0.7, 0.62);
      const dbg = await ed.dragFromPalette('debug', spot.x, spot.y);
      expect([sim, avg, thr, dbg]).toEqual(['simulate-1', 'moving-average-1', 'threshold-1', 'debug-1']);

      await ed.connect(sim, 'out', avg, 'in');
      await ed.connect(avg, 'out', thr, 'in');
      await ed.connect(thr, 'out', dbg, 'in');
      // The averages themselves too: the debug panel and the trend get a steady stream.
      await ed.connect(avg, 'out', dbg, 'in');
      expect(await ed.edgeCount()).toBe(4);

      await ed.select(sim);
      await ed.field('intervalMs').fill('200');

      await ed.select(avg);
      // The node's help is its docs page as flow-model renders it (docs/moving-average.md), formatted.
      const help = ed.byTestId('node-docs');
      await help.locator('h2').first().waitFor({ state: 'attached' });
      expect(await help.locator('h2', { hasText: /^What it sends, and when$/ }).count()).toBe(1);
      expect(await help.locator('h2', { hasText: /^Ports$/ }).count()).toBe(1);
      // Inside the closed "About" section: textContent, as innerText is empty for what is not shown.
      expect(
        await help
          .locator('li', { hasText: /^Input: in\.$/ })
          .locator('code')
          .textContent(),
      ).toBe('in');
      expect(await help.locator('h2', { hasText: /^Example$/ }).count()).toBe(1);
      expect(await help.textContent()).toContain('Average of the last 10 flow readings:');
      await ed.field('window.count').fill('0');
      await ed.byTestId('field-error-window.count').waitFor({ state: 'visible' });
      expect((await ed.byTestId('field-error-window.count').innerText()).trim()).not.toBe('');
      await ed.screenshot('build-field-error');
      await ed.field('window.count').fill('5');
      await ed.byTestId('field-error-window.count').waitFor({ state: 'hidden' });
      await ed.byTestId('node-label').fill('Average flow');

      await ed.select(thr);
      await ed.field('above').fill('45');
      await ed.screenshot('build-wired');

      expect(await ed.byTestId(`status-${sim}`).getAttribute('data-state')).not.toBe('ok');
      const { diff, result } = await ed.deploy();
      expect(diff).toMatch(/simulate-1/);
      expect(diff).toMatch(/moving-average-1/);
      expect(result).toMatch(/deployed/i);
      const deployed = (await fresh.deployedFlow()) as FlowJson;
      expect(deployed.nodes.map((n) => n.id).sort()).toEqual([
        'debug-1',
        'moving-average-1',
        'simulate-1',
        'threshold-1',
      ]);
      expect(edgeKeys(deployed)).toEqual([
        'moving-average-1:out->debug-1:in',
        'moving-average-1:out->threshold-1:in',
        'simulate-1:out->moving-average-1:in',
        'threshold-1:out->debug-1:in',
      ]);
      const byId = new Map(deployed.nodes.map((n) => [n.id, n]));
      expect(byId.get('simulate-1')?.config).toMatchObject({ intervalMs: 200 });
      expect(byId.get('moving-average-1')).toMatchObject({
        type: 'moving-average',
        name: 'Average flow',
        config: { window: { count: 5 } },
      });
      expect(byId.get('threshold-1')?.config).toMatchObject({ above: 45 });

      await until(
        async () => (await ed.byTestId('debug-entry').count()) >= 3,
        'debug entries in the debug panel',
        15_000,
      );
      expect(await ed.byTestId('debug-panel').isVisible()).toBe(true);
      await until(
        async () => (await ed.byTestId(`status-${sim}`).getAttribute('data-state')) === 'ok',
        `status-${sim} to turn ok`,
        15_000,
      );
      // One sample every 200 ms: the badge shows a rate of about 5 msg/s once two counter readings are in.
      await until(async () => (await ed.byTestId(`rate-${avg}`).count()) > 0, `a message rate on ${avg}`, 15_000);
      const rate = Number(/([\d.]+) msg\/s/.exec((await ed.byTestId(`rate-${avg}`).textContent()) ?? '')?.[1]);
      // Loose bounds: a busy CI machine delays timers, but a rate far from 5 means it is miscounted.
      expect(rate).toBeGreaterThan(0.5);
      expect(rate).toBeLessThan(20);
      await ed.screenshot('build-deployed-live');

      await ed.select(avg);
      await ed.byTestId('trend-open').click();
      const chart = ed.byTestId('trend-chart');
      await chart.waitFor({ state: 'visible' });
      const points = async () => Number((await chart.getAttribute('data-points')) ?? 'NaN');
      const first = await points();
      expect(Number.isFinite(first)).toBe(true);
      await until(
        async () => (await points()) > Math.max(first, 0),
        `trend-chart data-points to grow past ${first}`,
        15_000,
      );
      await ed.screenshot('build-trend-chart');
    });
  }, 60_000);

  it('edits a function node in Monaco (spaces included), deploys, and the debug output follows the new code', async () => {
    await onPage(withFunctionSeed, 'function-code', async (ed) => {
      await ed.node('sim').waitFor({ state: 'visible' });
      const simBox = await ed.settledBox('sim');
      const showBox = await ed.settledBox('show');
      const pane = await ed.page.locator('.react-flow__pane').boundingBox();
      if (!pane) throw new Error('the canvas is not on the page');
      const fn = await ed.dragFromPalette(
        'function',
        Math.round((simBox.x + showBox.x) / 2 - pane.x),
        Math.round(simBox.y - pane.y + simBox.height + 80),
      );
      expect(fn).toBe('function-1');
      // On a loaded machine the drop has landed on top of the simulator (the view still moving):
      // its handles would then be covered. Move it clear first; where it sits is not under test.
      const fnBox = await ed.settledBox(fn);
      const simNow = await ed.settledBox('sim');
      const overlaps =
        fnBox.x < simNow.x + simNow.width &&
        simNow.x < fnBox.x + fnBox.width &&
        fnBox.y < simNow.y + simNow.height &&
        simNow.y < fnBox.y + fnBox.height;
      if (overlaps) await ed.moveNodeBy(fn, 0, simNow.y + simNow.height + 60 - fnBox.y);
      await ed.connect('sim', 'out', fn, 'in');
      await ed.connect(fn, 'out', 'show', 'in');

      await ed.select(fn);
      const code = ed.byTestId('code-editor');
      await code.locator('.monaco-editor .view-lines').waitFor({ state: 'visible', timeout: 20_000 });
      await code.locator('.monaco-editor .view-lines').click();
      await ed.page.keyboard.press('ControlOrMeta+a');
      // Typed key by key: React Flow's space-to-pan handler must not eat the spaces.
      const typed = "return { payload: 'tagflow says ' + msg.payload };";
      await ed.page.keyboard.type(typed);
      await until(
        async () => (await code.locator('.view-lines').innerText()).replace(/\s+/g, ' ').includes('tagflow says'),
        'the typed code in Monaco',
        5_000,
      );
      await ed.screenshot('function-code-typed');

      const { result } = await ed.deploy();
      expect(result).toMatch(/deployed/i);
      const deployed = (await withFunctionSeed.deployedFlow()) as FlowJson;
      const deployedCode = deployed.nodes.find((n) => n.id === fn)?.config?.code;
      expect(deployedCode).toBe(typed);
      expect(edgeKeys(deployed)).toEqual(['function-1:out->show:in', 'sim:out->function-1:in']);

      await until(
        async () => (await ed.debugEntries()).some((t) => /tagflow says \d/.test(t)),
        'a debug entry showing the new code\'s output ("tagflow says <value>")',
        15_000,
      );
      await ed.screenshot('function-debug-output');
    });
  }, 60_000);

  it('exports the flow as JSON, and re-importing the file brings the same nodes back on the canvas', async () => {
    await onPage(withPumpMonitor, 'export-import', async (ed) => {
      const ids = pumpMonitor.nodes.map((n) => n.id).sort();
      await until(
        async () => (await ed.nodeIds()).length === ids.length,
        `the ${ids.length} pump-monitor nodes on the canvas`,
      );
      expect((await ed.nodeIds()).sort()).toEqual(ids);

      const [download] = await Promise.all([ed.page.waitForEvent('download'), ed.byTestId('export').click()]);
      const file = path.join(screenshotDir, 'exported-pump-monitor.flow.json');
      await download.saveAs(file);
      const exported = JSON.parse(readFileSync(file, 'utf8')) as FlowJson;
      expect(exported.id).toBe('pump-monitor');
      expect(exported.nodes.map((n) => n.id).sort()).toEqual(ids);
      expect(edgeKeys(exported)).toEqual(edgeKeys(pumpMonitor));
      expect(exported.nodes.find((n) => n.id === 'avg')).toMatchObject({
        type: 'moving-average',
        config: { window: { count: 10 } },
      });

      // Remove a node, so that the import visibly restores something.
      await ed.select('show-alarm');
      await ed.page.keyboard.press('Delete');
      await until(async () => !(await ed.nodeIds()).includes('show-alarm'), 'show-alarm to be deleted');
      await ed.screenshot('export-before-import');

      await ed.byTestId('import-input').setInputFiles(file);
      await until(async () => (await ed.nodeIds()).sort().join() === ids.join(), 'the imported nodes on the canvas');
      await until(
        async () => (await ed.edgeCount()) === pumpMonitor.edges.length,
        `${pumpMonitor.edges.length} edges after the import`,
      );
      await ed.screenshot('export-reimported');
    });
  }, 60_000);

  it('undo brings a deleted node back with its edges (undo button, then Ctrl+Z)', async () => {
    await onPage(withPumpMonitor, 'undo-delete', async (ed) => {
      await ed.node('avg').waitFor({ state: 'visible' });
      await until(async () => (await ed.edgeCount()) === 6, 'the 6 pump-monitor edges');

      await ed.select('avg');
      await ed.page.keyboard.press('Delete');
      await until(async () => !(await ed.nodeIds()).includes('avg'), 'avg to be deleted');
      // avg had 4 of the 6 wires.
      expect(await ed.edgeCount()).toBe(2);
      await ed.screenshot('undo-deleted');
      await ed.byTestId('undo').click();
      await ed.node('avg').waitFor({ state: 'visible' });
      await until(async () => (await ed.edgeCount()) === 6, 'the 6 edges back after undo');

      await ed.select('avg');
      await ed.page.keyboard.press('Delete');
      await until(async () => !(await ed.nodeIds()).includes('avg'), 'avg to be deleted again');
      await ed.page.keyboard.press('ControlOrMeta+z');
      await ed.node('avg').waitFor({ state: 'visible' });
      await until(async () => (await ed.edgeCount()) === 6, 'the 6 edges back after Ctrl+Z');
      await ed.screenshot('undo-restored');
    });
  }, 60_000);

  it('a deploy over a version someone else deployed meanwhile is a conflict; overwrite then deploys', async () => {
    await onPage(withPumpMonitor, 'deploy-conflict', async (ed) => {
      await ed.select('high-flow');
      await ed.field('above').fill('43');
      // Someone else deploys version 2 while this page still edits version 1.
      const other = await withPumpMonitor.api('/api/flow', {
        method: 'PUT',
        headers: { 'If-Match': '"1"', 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...pumpMonitor, name: 'Deployed by someone else' }),
      });
      expect(other.status).toBe(200);

      await ed.byTestId('deploy').click();
      await ed.byTestId('deploy-dialog').waitFor({ state: 'visible' });
      expect(await ed.byTestId('deploy-diff').innerText()).toMatch(/high-flow/);
      await ed.byTestId('deploy-confirm').click();
      await until(
        async () =>
          /conflict/i.test(
            await ed
              .byTestId('deploy-result')
              .innerText()
              .catch(() => ''),
          ),
        'a conflict in deploy-result',
      );
      await ed.screenshot('deploy-conflict');
      expect(((await withPumpMonitor.deployedFlow()) as FlowJson).name).toBe('Deployed by someone else');

      await ed.byTestId('conflict-overwrite').click();
      await until(
        async () =>
          /deployed/i.test(
            await ed
              .byTestId('deploy-result')
              .innerText()
              .catch(() => ''),
          ),
        'deploy-result to say deployed after overwrite',
      );
      const deployed = (await withPumpMonitor.deployedFlow()) as FlowJson;
      expect(deployed.nodes.find((n) => n.id === 'high-flow')?.config).toMatchObject({ above: 43 });
      await ed.screenshot('deploy-conflict-overwritten');
    });
  }, 60_000);

  it('the trend of avg shows live values and its recorded history; clicking a wire opens the trend of its source', async () => {
    await onPage(withPumpMonitor, 'trend-history', async (ed) => {
      await ed.node('avg').waitFor({ state: 'visible' });
      // The historian tag is "{{topic}}/avg": the runtime sends each debug value with its
      // message's topic, so the example's payload-only debug node is enough.
      await ed.select('avg');
      await ed.byTestId('trend-open').click();
      const chart = ed.byTestId('trend-chart');
      await chart.waitFor({ state: 'visible' });
      const attr = async (name: string) => Number((await chart.getAttribute(name)) ?? 'NaN');
      const first = await attr('data-points');
      expect(Number.isFinite(first)).toBe(true);
      await until(
        async () => (await attr('data-points')) > Math.max(first, 0),
        `trend-chart data-points to grow past ${first}`,
        15_000,
      );
      expect(await chart.getAttribute('data-history-tag')).toBe('pump3/flow/avg');
      // record-average writes a batch a second; the chart reloads history every 15 s.
      await until(
        async () => (await attr('data-history-points')) > 0,
        'trend-chart data-history-points > 0 (averages recorded by record-average)',
        25_000,
      );
      await ed.byTestId('trend-history-line').waitFor({ state: 'attached' });
      // The route the chart reads, as the viewer would: the same tag has rows.
      const res = await withPumpMonitor.api(
        `/api/history?resource=pump-history&tags=${encodeURIComponent('pump3/flow/avg')}&since=300000`,
      );
      expect(res.status).toBe(200);
      expect(((await res.json()) as unknown[]).length).toBeGreaterThan(0);
      await ed.screenshot('trend-history');

      // A wire: avg -> record-average carries avg's values. Nodes and other wires cover parts of
      // it: click a point of its path where it is the topmost element.
      await ed.byTestId('trend-open').click(); // hide the node's chart
      const wire = ed.page.getByTestId('rf__edge-avg:out->record-average:in');
      const spot = await wire.evaluate((g) => {
        const path = g.querySelector<SVGPathElement>('path.react-flow__edge-interaction');
        const ctm = path?.getScreenCTM();
        if (!path || !ctm) return null;
        const length = path.getTotalLength();
        for (let f = 0.5; f < 0.95; f += 0.05) {
          for (const at of [f, 1 - f]) {
            const p = path.getPointAtLength(length * at).matrixTransform(ctm);
            if (g.contains(document.elementFromPoint(p.x, p.y))) return { x: p.x, y: p.y };
          }
        }
        return null;
      });
      if (!spot) throw new Error('no visible point on the wire avg -> record-average');
      await ed.page.mouse.click(spot.x, spot.y);
      const panel = ed.byTestId('edge-properties');
      await panel.waitFor({ state: 'visible' });
      expect(await panel.getAttribute('data-edge-source')).toBe('avg');
      await ed.byTestId('trend-open').click();
      await chart.waitFor({ state: 'visible' });
      expect(await chart.locator('svg').getAttribute('aria-label')).toBe('Trend of avg');
      await until(
        async () => (await attr('data-points')) > 0 && (await attr('data-history-points')) > 0,
        "the wire's trend to show live and history points",
        15_000,
      );
      await ed.screenshot('trend-edge');
    });
  }, 90_000);

  it("shows what only the runtime's check refuses, beside the field and before the deploy", async () => {
    await onPage(withPumpMonitor, 'server-check', async (ed) => {
      await ed.node('high-flow').waitFor({ state: 'visible' });
      await ed.select('high-flow');
      expect(await ed.byTestId('field-error-below').isVisible()).toBe(false);
      // A low limit above the high one minus the hysteresis: the schema allows it, the node's check does not.
      await ed.field('below').fill('50');
      const error = ed.byTestId('field-error-below');
      await error.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await error.innerText()).toMatch(
        /^the low limit \(50\) must be at most the high limit minus the hysteresis/,
      );
      await ed.screenshot('server-check-field');

      await ed.byTestId('deploy').click();
      await ed.byTestId('deploy-dialog').waitFor({ state: 'visible' });
      expect(await ed.byTestId('deploy-problems').innerText()).toMatch(/This flow has 1 problem/);
      await ed.page.keyboard.press('Escape');
      await ed.byTestId('deploy-dialog').waitFor({ state: 'hidden' });

      await ed.field('below').fill('30');
      await error.waitFor({ state: 'hidden', timeout: 10_000 });
    });
  }, 60_000);

  it('asks no host but the runtime for anything during a whole session', async () => {
    await onPage(fresh, 'only-the-runtime', async (ed) => {
      // A session touching the heavy parts: palette, a node, Monaco and its workers, JSON view, sign-out.
      const spot = await paneSpot(ed, 0.3, 0.75);
      const fn = await ed.dragFromPalette('function', spot.x, spot.y);
      await ed.select(fn);
      await ed.byTestId('code-editor').locator('.monaco-editor').waitFor({ state: 'visible', timeout: 20_000 });
      await ed.openJsonView();
      await ed.screenshot('only-the-runtime-json-view');
      await ed.byTestId('sign-out').click();
      // The new function node is not deployed: sign-out asks first (drafts.e2e.test.ts).
      await ed.byTestId('sign-out-confirm').click();
      await ed.byTestId('token-input').waitFor({ state: 'visible' });

      const origins = (runtimeUrl: string) => [runtimeUrl + '/', runtimeUrl.replace(/^http/, 'ws') + '/'];
      const foreign = (urls: string[], runtimeUrl: string) =>
        urls.filter(
          (u) => !u.startsWith('data:') && !u.startsWith('blob:') && !origins(runtimeUrl).some((o) => u.startsWith(o)),
        );
      // The check means something only if the session did talk to the runtime: REST and WebSocket.
      expect(ed.requests).toContain(`${fresh.url}/api/nodes`);
      expect(ed.requests.some((u) => u.startsWith(`${fresh.url.replace(/^http/, 'ws')}/api/events`))).toBe(true);
      expect(foreign(ed.requests, fresh.url)).toEqual([]);
      // And every page of every scenario so far.
      expect(allRequests.filter((r) => foreign([r.url], r.runtimeUrl).length > 0)).toEqual([]);
    });

    // The build itself loads nothing from elsewhere: no script, stylesheet or module import from another host.
    const dist = path.join(editorRoot, 'dist');
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)],
      );
    const remoteLoads: string[] = [];
    for (const file of files(dist).filter((f) => /\.(html|js|css)$/.test(f))) {
      const text = readFileSync(file, 'utf8');
      const patterns = [
        /<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]+/gi,
        /\bimport\s*\(\s*["'`](?:https?:)?\/\/[^"'`]+/g,
        /\bfrom\s*["'](?:https?:)?\/\/[^"']+/g,
        /\bimportScripts\s*\(\s*["'`](?:https?:)?\/\/[^"'`]+/g,
        /@import\s+(?:url\()?["']?(?:https?:)?\/\/[^"')\s]+/g,
        /url\(\s*["']?https?:\/\/[^"')\s]+/g,
      ];
      for (const pattern of patterns)
        for (const match of text.matchAll(pattern))
          remoteLoads.push(`${path.relative(dist, file)}: ${match[0].slice(0, 160)}`);
    }
    expect(remoteLoads).toEqual([]);
  }, 60_000);
});
