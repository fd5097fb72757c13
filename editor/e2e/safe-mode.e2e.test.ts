// The engine's supervisor in the editor (issue 14): a real `tagflow start` and the built editor in
// headless Chromium. Safe mode (`--safe` on a data dir that holds a flow) shows a banner that a
// deploy from the editor's dialog takes away; a flow the watchdog ends shows a notice that names
// the node and the version restored.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import {
  cliRoot,
  ensureChromium,
  ensureCliBuilt,
  ensureEditorBuilt,
  launchChromium,
  startTagflow,
  stopAllTagflow,
  until,
} from '@tagflow/test-support';
import type { TagflowProcess } from '@tagflow/test-support';
import { EditorPage } from './editor-harness';
import type { FlowJson, Runtime } from './editor-harness';

/** The CLI's supervisor fixtures: `test-block` blocks the engine's thread for good on its first message. */
const supervisorNodes = path.join(cliRoot, 'test', 'fixtures', 'supervisor-nodes');

const seed = {
  schemaVersion: 1,
  id: 'e2e-safe-mode',
  name: 'Safe mode scenario',
  nodes: [
    {
      id: 'sim',
      type: 'simulate',
      typeVersion: 1,
      config: { tag: 'e2e/value', intervalMs: 500, seed: 1, signal: { kind: 'sine', amplitude: 1, offset: 20 } },
      ui: { x: 0, y: 0 },
    },
    { id: 'show', type: 'debug', typeVersion: 1, config: { property: 'payload' }, ui: { x: 300, y: 0 } },
  ],
  edges: [{ source: 'sim', target: 'show' }],
};

/** `seed` with a node that blocks the engine after the simulator. */
const blocking = {
  ...seed,
  nodes: [...seed.nodes, { id: 'bad', type: 'test-block', typeVersion: 1, config: {}, ui: { x: 300, y: 120 } }],
  edges: [...seed.edges, { source: 'sim', target: 'bad' }],
};

let browser: Browser;

/** A started runtime as the editor harness wants it, with the token of the data dir's first start. */
function asRuntime(started: TagflowProcess, token: string): Runtime {
  const api = (route: string, init: RequestInit = {}) =>
    fetch(started.url + route, {
      ...init,
      headers: {
        Authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string> | undefined),
      },
    });
  return {
    ...started,
    token,
    api,
    async deployedFlow() {
      const res = await api('/api/flow');
      if (res.status === 404) return null;
      return ((await res.json()) as { flow: FlowJson }).flow;
    },
  };
}

async function status(rt: Runtime): Promise<{ flow: { version: number } | null; engine?: { state: string } }> {
  const res = await rt.api('/api/status');
  if (!res.ok) throw new Error(`GET /api/status answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { flow: { version: number } | null; engine?: { state: string } };
}

/** PUT /api/flow through the API (not the editor); `healthMs` makes the version healthy. */
async function deployByApi(rt: Runtime, flow: unknown, healthMs?: number): Promise<unknown> {
  const current = (await status(rt)).flow?.version ?? 0;
  const res = await rt.api(`/api/flow${healthMs ? `?healthMs=${healthMs}` : ''}`, {
    method: 'PUT',
    headers: { 'If-Match': `"${current}"` },
    body: JSON.stringify(flow),
  });
  return res.json();
}

/** Runs `body` on a signed-in page; a failure saves `<name>-failure.png` and names the page's errors. */
async function onPage(rt: Runtime, name: string, body: (ed: EditorPage) => Promise<void>): Promise<void> {
  const ed = await EditorPage.open(browser, rt);
  try {
    await body(ed);
  } catch (err) {
    const shot = await ed.screenshot(`${name}-failure`).catch((e: Error) => `(screenshot failed: ${e.message})`);
    if (err instanceof Error) err.message = `${err.message}\nscreenshot: ${shot}\n${ed.problems.join('\n')}`;
    throw err;
  } finally {
    await ed.close();
  }
}

beforeAll(async () => {
  ensureChromium();
  ensureEditorBuilt();
  ensureCliBuilt();
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stopAllTagflow();
}, 30_000);

it('shows the safe-mode banner after tagflow start --safe, and drops it once a deploy runs the flow', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-editor-e2e-safe-'));
  const flowFile = path.join(dataDir, 'seed.flow.json');
  writeFileSync(flowFile, JSON.stringify(seed, null, 2));
  // The first start stores the flow and prints the admin token (shown on a data dir's first start only).
  const first = await startTagflow({ dataDir, args: ['--flow', flowFile] });
  const token = first.token;
  if (token === undefined) throw new Error(`tagflow start printed no admin token:\n${first.stdout()}`);
  await until(async () => (await first.api('/api/flow')).ok, 'the seed flow to be deployed', 20_000);
  expect(await first.stop()).toBe(0);
  const rt = asRuntime(await startTagflow({ dataDir, args: ['--safe'] }), token);
  expect((await status(rt)).engine?.state).toBe('safe-mode');

  await onPage(rt, 'safe-mode', async (ed) => {
    const banner = ed.byTestId('safe-mode-banner');
    await banner.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await banner.innerText();
    expect(text).toContain('Safe mode: no flow is running. The runtime was started with --safe.');
    expect(text).toContain('Deploy a flow or roll back to a version to leave safe mode.');
    expect(text).toMatch(/Since \d\d:\d\d \(just now\)\./);
    // The stored flow is on the canvas, ready to deploy again.
    await ed.node('sim').waitFor({ state: 'visible' });
    await ed.screenshot('safe-mode-banner');

    const { result } = await ed.deploy();
    expect(result).toMatch(/deployed/i);
    await banner.waitFor({ state: 'hidden', timeout: 10_000 });
    expect((await status(rt)).engine?.state).toBe('running');
    await ed.screenshot('safe-mode-left');
  });
}, 90_000);

it('tells which node the watchdog stopped and which version it restored, from the frames and after a reload', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-editor-e2e-watchdog-'));
  const started = await startTagflow({
    dataDir,
    args: ['--nodes-dir', supervisorNodes, '--watchdog-ms', '2000', '--stop-timeout-ms', '3000'],
  });
  if (started.token === undefined) throw new Error(`tagflow start printed no admin token:\n${started.stdout()}`);
  const rt = asRuntime(started, started.token);
  // Version 1 passes a health window: the version the watchdog goes back to.
  expect(await deployByApi(rt, seed, 300)).toMatchObject({ status: 'deployed', version: { version: 1 } });

  await onPage(rt, 'engine-notice', async (ed) => {
    await ed.node('sim').waitFor({ state: 'visible' });
    expect(await ed.byTestId('engine-notice').count()).toBe(0);
    expect(await deployByApi(rt, blocking)).toMatchObject({ status: 'deployed', version: { version: 2 } });

    const notice = ed.byTestId('engine-notice');
    const stopped =
      /^The flow \(version 2\) was stopped because (node "bad" \(test-block\) ran too long|the engine stopped answering) \(.*no heartbeat.*\); /;
    await until(
      async () => /version 1 was restored/.test((await notice.count()) > 0 ? await notice.innerText() : ''),
      'the engine notice to say that version 1 was restored',
      30_000,
    );
    const live = (await notice.innerText()).replace('×', '').trim();
    expect(live).toMatch(stopped);
    expect(live).toMatch(/; version 1 was restored \(saved as version 3\)\.$/);
    await ed.screenshot('engine-notice');

    // A reload reads the end from GET /api/status; dismissing it hides it.
    await ed.page.reload();
    await notice.waitFor({ state: 'visible', timeout: 15_000 });
    const loaded = (await notice.innerText()).replace('×', '').trim();
    expect(loaded).toMatch(stopped);
    expect(loaded).toMatch(/; version 3 runs now\.$/);
    await ed.byTestId('engine-notice-dismiss').click();
    await notice.waitFor({ state: 'hidden' });
  });
}, 120_000);
