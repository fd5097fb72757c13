/// <reference lib="dom" />
// Issue 18's fast page, in the browser: what the sign-in page costs (compressed JavaScript, <= 250
// KB), the headers that make later loads free (pre-compressed assets, hashed files cached for good,
// index.html checked again), and the time from navigation to an interactive canvas (<= 1.5 s).
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { editorSession, screenshotDir } from './editor-harness';

/** Budgets of issue 18. */
const SIGN_IN_JS_BUDGET = 250 * 1024;
const CANVAS_BUDGET_MS = 1500;
const LOADS = 3;

const seed = {
  schemaVersion: 1,
  id: 'e2e-page-weight',
  nodes: [
    {
      id: 'pump-sensor',
      type: 'simulate',
      typeVersion: 1,
      name: 'Pump sensor',
      config: {
        tag: 'pump3/flow',
        intervalMs: 500,
        seed: 1,
        signal: { kind: 'sine', amplitude: 1, offset: 20, periodSeconds: 10 },
      },
      ui: { x: 60, y: 100 },
    },
    { id: 'show', type: 'debug', typeVersion: 1, config: { property: 'payload' }, ui: { x: 360, y: 100 } },
  ],
  edges: [{ source: 'pump-sensor', target: 'show' }],
};

const session = editorSession(seed);

/** One script the page fetched: its URL, the headers it came with, and the bytes sent for it. */
interface Fetched {
  url: string;
  headers: Record<string, string>;
  bytes: number;
}

/** The compressed size of a response: what the browser measured on the wire, checked against Content-Length. */
async function fetched(response: Response): Promise<Fetched> {
  const headers = await response.allHeaders();
  const sizes = await response.request().sizes();
  const length = Number(headers['content-length']);
  return { url: response.url(), headers, bytes: Number.isFinite(length) ? length : sizes.responseBodySize };
}

/** The headers the runtime answers a client that accepts `encodings`. */
function rawHead(
  url: string,
  encodings: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'HEAD', headers: { 'Accept-Encoding': encodings } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** A fresh browser context (empty cache and storage) and page, 1280x800, that asks for brotli and gzip. */
async function freshPage(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await session.browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Chromium asks for brotli over HTTPS only; the runtime serves plain HTTP here.
  await context.setExtraHTTPHeaders({ 'Accept-Encoding': 'br, gzip' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  return { context, page, problems };
}

/** Saves a screenshot to test-results/editor-e2e/<name>.png and prints its path. */
async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  process.stdout.write(`editor e2e screenshot: ${file}\n`);
}

/** The scripts among responses, with their headers and compressed sizes. */
async function scriptsOf(responses: Response[]): Promise<Fetched[]> {
  return Promise.all(responses.filter((r) => r.request().resourceType() === 'script').map((r) => fetched(r)));
}

/**
 * Checks that each script came compressed with brotli and cached for good; a file under 1 KB is
 * not compressed by the build (scripts/precompress.mjs: the headers would weigh more than the gain).
 */
function expectCompressedAndImmutable(scripts: Fetched[]): void {
  for (const script of scripts) {
    const where = new URL(script.url).pathname;
    const tiny = script.headers['content-encoding'] === undefined && script.bytes < 1024;
    expect([where, tiny ? 'br' : script.headers['content-encoding']]).toEqual([where, 'br']);
    expect([where, script.headers['content-type']]).toEqual([where, 'text/javascript; charset=utf-8']);
    expect([where, script.headers['cache-control']]).toEqual([where, 'public, max-age=31536000, immutable']);
    if (!tiny) expect([where, script.headers['vary']]).toEqual([where, 'Accept-Encoding']);
  }
}

describe('the fast page', () => {
  it('loads the sign-in page with at most 250 KB of compressed JavaScript, cached for good', async () => {
    const { context, page, problems } = await freshPage();
    try {
      const responses: Response[] = [];
      page.on('response', (response) => responses.push(response));
      await page.goto(`${session.runtime.url}/`, { waitUntil: 'networkidle' });
      await page.getByTestId('token-input').waitFor({ state: 'visible' });
      await screenshot(page, 'page-weight-sign-in');

      const scripts = await scriptsOf(responses);
      expect(scripts.length).toBeGreaterThan(0);
      const total = scripts.reduce((sum, s) => sum + s.bytes, 0);
      const listing = scripts.map((s) => `${new URL(s.url).pathname} ${kb(s.bytes)}`).join(', ');
      process.stdout.write(`page weight: sign-in page JavaScript ${kb(total)} compressed (${listing})\n`);
      if (total > SIGN_IN_JS_BUDGET)
        throw new Error(
          `the sign-in page fetched ${kb(total)} of compressed JavaScript, over ${kb(SIGN_IN_JS_BUDGET)}: ${listing}`,
        );
      expectCompressedAndImmutable(scripts);

      const document = responses.find((r) => r.request().resourceType() === 'document');
      const pageHeaders = (await document?.allHeaders()) ?? {};
      expect(pageHeaders['cache-control']).toBe('no-cache');
      expect(pageHeaders['content-type']).toBe('text/html; charset=utf-8');
      const styles = responses.filter((r) => r.request().resourceType() === 'stylesheet');
      expect(styles.length).toBeGreaterThan(0);
      for (const style of styles) {
        const headers = await style.allHeaders();
        expect(headers['content-encoding']).toBe('br');
        expect(headers['cache-control']).toBe('public, max-age=31536000, immutable');
      }

      // The editor comes after sign-in, served the same way.
      const before = responses.length;
      await page.getByTestId('token-input').fill(session.runtime.token);
      await page.getByTestId('sign-in').click();
      await page.getByTestId('palette').waitFor({ state: 'visible' });
      await page.waitForLoadState('networkidle');
      const later = await scriptsOf(responses.slice(before));
      expect(later.length).toBeGreaterThan(0);
      expectCompressedAndImmutable(later);
      const editor = later.reduce((sum, s) => sum + s.bytes, 0);
      process.stdout.write(`page weight: the editor after sign-in ${kb(editor)} compressed\n`);
      // A client that takes gzip only gets gzip.
      const largest = scripts.reduce((a, b) => (b.bytes > a.bytes ? b : a));
      const gzip = await rawHead(largest.url, 'gzip');
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('shows an interactive canvas within 1.5 s of navigation, signed in (best of 3 loads)', async () => {
    const timings: number[] = [];
    for (let load = 0; load < LOADS; load++) {
      // Each load in a fresh context (nothing cached), the token saved as a sign-in leaves it.
      const { context, page, problems } = await freshPage();
      try {
        await context.addInitScript((token) => {
          if (location.protocol === 'http:') sessionStorage.setItem('tagflow.token', token);
        }, session.runtime.token);
        await page.goto(`${session.runtime.url}/`, { waitUntil: 'commit' });
        // Ready: both nodes drawn on the pane and the viewport placed (React Flow's first fit done).
        const ready = await page.waitForFunction(
          () => {
            const pane = document.querySelector('.react-flow__pane');
            const nodes = Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node'));
            const viewport = document.querySelector<HTMLElement>('.react-flow__viewport');
            const placed = viewport !== null && viewport.style.transform !== '';
            const shown = nodes.every((n) => n.style.visibility !== 'hidden');
            return pane !== null && nodes.length === 2 && placed && shown ? performance.now() : false;
          },
          undefined,
          { polling: 'raf', timeout: 30_000 },
        );
        timings.push((await ready.jsonValue()) as number);
        // Interactive: a click selects the node and opens its properties.
        await page.locator('.react-flow__node[data-id="pump-sensor"]').click();
        await page.getByTestId('properties').waitFor({ state: 'visible' });
        if (load === LOADS - 1) await screenshot(page, 'page-weight-canvas');
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    }
    const best = Math.min(...timings);
    // The machine's load goes with the figure: 2 cores shared by many test runs slow every load.
    const all = `${timings.map((t) => `${t.toFixed(0)} ms`).join(', ')}; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`;
    process.stdout.write(`page weight: interactive canvas after ${best.toFixed(0)} ms (loads: ${all})\n`);
    if (best > CANVAS_BUDGET_MS)
      throw new Error(
        `the canvas was interactive after ${best.toFixed(0)} ms at best (loads: ${all}), over ${CANVAS_BUDGET_MS} ms`,
      );
  }, 180_000);

  it('says so in plain words, with a Reload, when the editor cannot be fetched after sign-in', async () => {
    const { context, page } = await freshPage();
    try {
      // As if the runtime had been updated since the page was opened: its editor chunk is gone.
      await page.route(/\/assets\/EditorShell-[^/]+\.js$/, (route) => route.abort());
      await page.goto(`${session.runtime.url}/`);
      await page.getByTestId('token-input').fill(session.runtime.token);
      await page.getByTestId('sign-in').click();
      const notice = page.getByTestId('load-error');
      await notice.waitFor({ state: 'visible' });
      expect(await notice.innerText()).toContain('The editor could not be loaded');
      await screenshot(page, 'page-weight-load-error');
      await page.unroute(/\/assets\/EditorShell-[^/]+\.js$/);
      await page.getByTestId('load-error-reload').click();
      await page.getByTestId('palette').waitFor({ state: 'visible' });
    } finally {
      await context.close();
    }
  }, 120_000);
});
