// Subflows in the editor (issue 17): select nodes -> "Make subflow", open the subflow to edit it
// and come back by the breadcrumb, an instance's parameters in its form, and the instance showing
// its status node's status once deployed. Real headless Chromium on the built editor, served by a
// real `tagflow start`, as editor.e2e.test.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTagflow, startTagflow, until } from '@tagflow/test-support';
import { EditorPage, editorSession } from './editor-harness';
import type { FlowJson } from './editor-harness';

const seed = {
  schemaVersion: 1,
  id: 'e2e-subflows',
  name: 'Subflows scenario',
  subflows: [
    {
      id: 'alarm-block',
      name: 'Alarm block',
      inputs: [{ port: 'in', to: [{ node: 'check' }] }],
      outputs: [{ port: 'out', from: [{ node: 'check' }] }],
      params: {
        type: 'object',
        properties: { limit: { type: 'number', title: 'Alarm above', default: 50, description: 'The high limit.' } },
      },
      status: 'check',
      nodes: [{ id: 'check', type: 'threshold', typeVersion: 1, config: { above: '${limit}' } }],
      edges: [],
    },
  ],
  nodes: [
    {
      id: 'sim',
      type: 'simulate',
      typeVersion: 1,
      config: { tag: 'e2e/level', intervalMs: 200, seed: 1, signal: { kind: 'sine', amplitude: 1, offset: 20 } },
      ui: { x: 0, y: 0 },
    },
    { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: 3 } }, ui: { x: 240, y: 0 } },
    { id: 'scaled', type: 'moving-average', typeVersion: 1, config: { window: { count: 2 } }, ui: { x: 480, y: 0 } },
    { id: 'show', type: 'debug', typeVersion: 1, ui: { x: 720, y: 0 } },
    { id: 'alarm', type: 'subflow:alarm-block', typeVersion: 1, config: { limit: 10 }, ui: { x: 240, y: 200 } },
    { id: 'alarm-show', type: 'debug', typeVersion: 1, ui: { x: 480, y: 200 } },
  ],
  edges: [
    { source: 'sim', target: 'avg' },
    { source: 'avg', target: 'scaled' },
    { source: 'scaled', target: 'show' },
    { source: 'sim', target: 'alarm' },
    { source: 'alarm', target: 'alarm-show' },
  ],
};

const session = editorSession(seed);

it('makes a subflow of selected nodes, opens it, comes back and deploys it', async () => {
  const ed = await EditorPage.open(session.browser, session.runtime);
  try {
    await ed.node('avg').waitFor({ state: 'visible' });
    await ed.node('avg').click();
    await ed.node('scaled').click({ modifiers: ['Shift'] });
    await ed.byTestId('make-subflow').click();
    await until(async () => (await ed.nodeIds()).includes('subflow-1-1'), 'the new instance on the canvas', 5_000);
    const ids = await ed.nodeIds();
    expect(ids).not.toContain('avg');
    expect(ids).not.toContain('scaled');
    // The instance is wired where the nodes were: in from sim, out to show.
    await ed.page.locator('[data-testid="rf__edge-sim:out->subflow-1-1:in"]').waitFor({ state: 'attached' });
    await ed.page.locator('[data-testid="rf__edge-subflow-1-1:out->show:in"]').waitFor({ state: 'attached' });
    await ed.screenshot('subflow-made');

    // Open it: its nodes on the canvas, a breadcrumb back.
    await ed.select('subflow-1-1');
    await ed.byTestId('open-subflow').click();
    await ed.byTestId('subflow-open-name').waitFor({ state: 'visible' });
    expect(await ed.byTestId('subflow-open-name').innerText()).toContain('Subflow 1');
    await until(async () => (await ed.nodeIds()).sort().join() === 'avg,scaled', 'the subflow nodes', 5_000);
    await ed.screenshot('subflow-open');
    await ed.byTestId('subflow-back').click();
    await until(async () => (await ed.nodeIds()).includes('subflow-1-1'), 'back in the flow', 5_000);
    expect(await ed.byTestId('subflow-open-name').count()).toBe(0);

    // Another tab while the subflow is open: the flow's tab keeps the flow (the subflow put back
    // into it), never the subflow's nodes in the flow's place.
    await ed.select('subflow-1-1');
    await ed.byTestId('open-subflow').click();
    await until(async () => (await ed.nodeIds()).sort().join() === 'avg,scaled', 'the subflow open again', 5_000);
    await ed.byTestId('flow-new').click();
    await ed.byTestId('new-flow-name').fill('Scratch');
    await ed.byTestId('new-flow-confirm').click();
    await until(async () => (await ed.nodeIds()).length === 0, 'the new, empty tab', 5_000);
    await ed.byTestId('flow-tab-e2e-subflows').click();
    await until(async () => (await ed.nodeIds()).includes('subflow-1-1'), 'the flow, not the subflow', 5_000);
    const back = await ed.nodeIds();
    expect(back).toEqual(expect.arrayContaining(['sim', 'show', 'subflow-1-1']));
    expect(back).not.toContain('avg');
    expect(back).not.toContain('scaled');

    const { result } = await ed.deploy();
    expect(result).toMatch(/deployed/i);
    const deployed = (await session.runtime.deployedFlow()) as FlowJson & {
      subflows: Array<{ id: string; nodes: Array<{ id: string }> }>;
    };
    expect(deployed.nodes.find((n) => n.id === 'subflow-1-1')?.type).toBe('subflow:subflow-1');
    const made = deployed.subflows.find((s) => s.id === 'subflow-1');
    expect(made?.nodes.map((n) => n.id)).toEqual(['avg', 'scaled']);
    // Values go through the instance's inner nodes to the debug node.
    await until(
      async () => (await ed.byTestId('debug-entry').count()) >= 2,
      'debug entries through the subflow',
      15_000,
    );
  } finally {
    await ed.close();
  }
}, 90_000);

it("edits an instance's parameters in its form and shows its status node's status", async () => {
  const ed = await EditorPage.open(session.browser, session.runtime);
  try {
    await ed.node('alarm').waitFor({ state: 'visible' });
    await ed.select('alarm');
    const limit = ed.field('limit');
    await limit.waitFor({ state: 'visible' });
    expect(await limit.inputValue()).toBe('10');
    await limit.fill('5');
    await limit.blur();
    const { result } = await ed.deploy();
    expect(result).toMatch(/deployed/i);
    const deployed = (await session.runtime.deployedFlow()) as FlowJson;
    expect(deployed.nodes.find((n) => n.id === 'alarm')?.config).toEqual({ limit: 5 });
    // The sine around 20 is above 5: the instance shows its threshold's alarm.
    // The editor reads statuses from GET /api/status after a deploy, which may answer with the
    // runtime's snapshot from just before the alarm went high (then no new frame comes, as the
    // threshold reports changes only): a reload reads a fresh one.
    const badge = ed.byTestId('status-alarm');
    let reloadAt = Date.now() + 3_000;
    await until(
      async () => {
        if ((await badge.textContent())?.includes('alarm HIGH (above 5)')) return true;
        if (Date.now() > reloadAt) {
          await ed.page.reload();
          await ed.node('alarm').waitFor({ state: 'visible' });
          reloadAt = Date.now() + 3_000;
        }
        return false;
      },
      'the instance status',
      20_000,
    );
    await ed.screenshot('subflow-instance-status');
  } finally {
    await ed.close();
  }
}, 90_000);

it("packs an instance's subflow as a node package that another runtime installs and runs", async () => {
  const ed = await EditorPage.open(session.browser, session.runtime);
  try {
    await ed.node('alarm').waitFor({ state: 'visible' });
    await ed.select('alarm');
    const [download] = await Promise.all([ed.page.waitForEvent('download'), ed.byTestId('pack-subflow').click()]);
    expect(download.suggestedFilename()).toBe('tagflow-subflow-alarm-block-1.0.0.tgz');
    const work = mkdtempSync(path.join(tmpdir(), 'tagflow-editor-pack-'));
    const file = path.join(work, download.suggestedFilename());
    await download.saveAs(file);
    const dataDir = path.join(work, 'other-runtime');
    const env = { ...process.env, npm_config_offline: 'true', FORCE_COLOR: '0' };
    const installed = await runTagflow(['nodes', 'install', file, '--data-dir', dataDir], { cwd: work, env });
    expect(installed).toMatchObject({ code: 0 });
    const listed = await runTagflow(['nodes', '--json', '--data-dir', dataDir], { cwd: work, env });
    const types = (JSON.parse(listed.stdout) as { nodes: Array<{ type: string; description?: string }> }).nodes;
    expect(types.find((t) => t.type === 'alarm-block')?.description).toBe('Alarm block: a subflow packed as a node.');

    // Used there: a second runtime on that data dir runs a flow with two instances of the packed
    // type, each with its own limit, and each shows its own alarm state.
    const other = await startTagflow({ dataDir, cwd: work, env });
    try {
      const flow = {
        schemaVersion: 1,
        id: 'uses-packed',
        nodes: [
          {
            id: 'sim',
            type: 'simulate',
            typeVersion: 1,
            config: { tag: 'level', intervalMs: 200, seed: 1, signal: { kind: 'sine', amplitude: 1, offset: 20 } },
          },
          { id: 'low-limit', type: 'alarm-block', typeVersion: 1, config: { limit: 10 } },
          { id: 'high-limit', type: 'alarm-block', typeVersion: 1, config: { limit: 90 } },
        ],
        edges: [
          { source: 'sim', target: 'low-limit' },
          { source: 'sim', target: 'high-limit' },
        ],
      };
      const deployed = await other.api('/api/flows/uses-packed', {
        method: 'PUT',
        headers: { 'If-Match': '"0"', 'content-type': 'application/json' },
        body: JSON.stringify(flow),
      });
      expect(await deployed.json()).toMatchObject({ status: 'deployed', version: { version: 1 } });
      const statusText = async (id: string) => {
        const status = (await (await other.api('/api/status?flow=uses-packed')).json()) as {
          nodes: Record<string, { status: { text?: string } | null }>;
        };
        return status.nodes[id]?.status?.text ?? '';
      };
      await until(async () => /HIGH/.test(await statusText('low-limit')), 'the low-limit instance in alarm', 15_000);
      await until(async () => /normal/i.test(await statusText('high-limit')), 'the high-limit one normal', 15_000);
    } finally {
      await other.stop();
    }
  } finally {
    await ed.close();
  }
}, 120_000);
