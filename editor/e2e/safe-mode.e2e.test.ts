// Safe mode in the editor (issue 14): a real `tagflow start --safe` on a data dir that holds a
// flow, the built editor in headless Chromium. The banner says no flow runs; a deploy from the
// editor's dialog runs the flow again and the banner goes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import {
  ensureChromium,
  ensureCliBuilt,
  ensureEditorBuilt,
  launchChromium,
  startTagflow,
  stopAllTagflow,
  until,
} from '@tagflow/test-support';
import { EditorPage } from './editor-harness';
import type { FlowJson, Runtime } from './editor-harness';

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

let browser: Browser;
let runtime: Runtime;

/** GET /api/status's engine state, with the first start's admin token. */
async function engineState(): Promise<string> {
  const res = await runtime.api('/api/status');
  if (!res.ok) throw new Error(`GET /api/status answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { engine?: { state: string } }).engine?.state ?? '(no engine field)';
}

beforeAll(async () => {
  ensureChromium();
  ensureEditorBuilt();
  ensureCliBuilt();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-editor-e2e-safe-'));
  const flowFile = path.join(dataDir, 'seed.flow.json');
  writeFileSync(flowFile, JSON.stringify(seed, null, 2));
  // First start stores the flow (and prints the admin token, shown only on a data dir's first start).
  const first = await startTagflow({ dataDir, args: ['--flow', flowFile] });
  const token = first.token;
  if (token === undefined) throw new Error(`tagflow start printed no admin token:\n${first.stdout()}`);
  await until(async () => (await first.api('/api/flow')).ok, 'the seed flow to be deployed', 20_000);
  expect(await first.stop()).toBe(0);

  const started = await startTagflow({ dataDir, args: ['--safe'] });
  const api = (route: string, init: RequestInit = {}) =>
    fetch(started.url + route, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) },
    });
  runtime = {
    ...started,
    token,
    api,
    async deployedFlow() {
      const res = await api('/api/flow');
      if (res.status === 404) return null;
      return ((await res.json()) as { flow: FlowJson }).flow;
    },
  };
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stopAllTagflow();
}, 30_000);

it('shows the safe-mode banner after tagflow start --safe, and drops it once a deploy runs the flow', async () => {
  expect(await engineState()).toBe('safe-mode');
  const ed = await EditorPage.open(browser, runtime);
  try {
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
    expect(await engineState()).toBe('running');
    await ed.screenshot('safe-mode-left');
  } catch (err) {
    const shot = await ed.screenshot('safe-mode-failure').catch((e: Error) => `(screenshot failed: ${e.message})`);
    if (err instanceof Error) err.message = `${err.message}\nscreenshot: ${shot}\n${ed.problems.join('\n')}`;
    throw err;
  } finally {
    await ed.close();
  }
}, 90_000);
