/// <reference lib="dom" />
// Page functions (evaluate) run in the browser: hence the DOM types above.
// End-to-end harness: a real `tagflow start` runtime serving the built editor, driven in Debian's
// headless Chromium by playwright-core. Used by the *.e2e.test.ts files of this folder.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

export const editorRoot = path.resolve(__dirname, '..');
export const repoRoot = path.resolve(editorRoot, '..');
export const screenshotDir = path.join(repoRoot, 'test-results', 'editor-e2e');
const cliBin = path.join(repoRoot, 'packages', 'cli', 'bin', 'tagflow.js');

/** Debian's Chromium (`apt-get install chromium`, done by scripts/system-deps.sh). */
export const CHROMIUM = '/usr/bin/chromium';
/** Flags known to work headless on these machines (see /work/shared/TOOLCHAIN.md). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ---------------------------------------------------------------------------------------------
// Build steps: CI must always test the current UI, so a stale editor build is rebuilt first.

/**
 * Builds the editor (`vite build` into editor/dist) when dist/index.html is missing or older than
 * anything in editor/src, index.html or vite.config.ts. Test files run in parallel: a lock folder
 * (outside dist, which vite empties) makes one of them build while the others wait.
 */
export function ensureEditorBuilt(): void {
  const lockParent = path.join(editorRoot, 'node_modules', '.cache');
  mkdirSync(lockParent, { recursive: true });
  const lock = path.join(lockParent, 'tagflow-e2e-build-lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A build takes well under a minute; a lock this old was left by a killed run.
      if (Date.now() - (mtime(lock) ?? Date.now()) > 300_000) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    const built = mtime(path.join(editorRoot, 'dist', 'index.html'));
    const sources = Math.max(
      newestIn(path.join(editorRoot, 'src')),
      mtime(path.join(editorRoot, 'index.html')) ?? 0,
      mtime(path.join(editorRoot, 'vite.config.ts')) ?? 0,
    );
    if (built !== undefined && built >= sources) return;
    const started = Date.now();
    const vite = spawnSync(
      process.execPath,
      [path.join(editorRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'],
      {
        cwd: editorRoot,
        encoding: 'utf8',
        env: { ...process.env, FORCE_COLOR: '0' },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    if (vite.status !== 0)
      throw new Error(`building the editor (vite build in ${editorRoot}) failed:\n${vite.stdout}${vite.stderr}`);
    process.stdout.write(`editor e2e: built the editor in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Makes sure `tagflow start` can run: the CLI is rebuilt when stale exactly as its own tests do
 * (same lock), and the packages it needs must have been built by turbo.
 */
export function ensureCliBuilt(): void {
  for (const dist of ['runtime/dist/index.js', 'nodes/core/dist/index.js', 'packages/flow-model/dist/index.js']) {
    if (!existsSync(path.join(repoRoot, dist))) {
      throw new Error(
        `${dist} is missing: build the CLI and its packages first:\n` +
          '  cd /work/main && PATH=$PWD/.tools/node_modules/.bin:$PATH TURBO_TELEMETRY_DISABLED=1 pnpm exec turbo run build --filter=tagflow...',
      );
    }
  }
  // The CLI's own helper, loaded at run time: the same lock keeps its tests and these from
  // running tsc on the CLI at once.
  const cliProcess = require(path.join(repoRoot, 'packages', 'cli', 'test', 'cli-process.ts')) as {
    ensureBuilt(): void;
  };
  cliProcess.ensureBuilt();
}

/** Fails with what to do when Chromium is not installed: never a silent skip. */
export function ensureChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run bash scripts/system-deps.sh (it installs Debian's chromium)`);
}

function newestIn(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(full) : (mtime(full) ?? 0));
  }
  return newest;
}

function mtime(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// The runtime.

/** A running `tagflow start` in its own temp data dir. */
export interface Runtime {
  /** e.g. `http://127.0.0.1:41234`, no trailing slash. */
  url: string;
  /** The first admin token, printed once on the first start. */
  token: string;
  dataDir: string;
  stdout(): string;
  stderr(): string;
  /** An admin API call with the admin token, e.g. `await rt.api('/api/flow')`. */
  api(route: string, init?: RequestInit): Promise<Response>;
  /** The deployed flow (GET /api/flow), or null before the first deploy. */
  deployedFlow(): Promise<FlowJson | null>;
  stop(): Promise<void>;
}

/** The parts of a flow file the tests look at. */
export interface FlowJson {
  id?: string;
  nodes: Array<{
    id: string;
    type: string;
    name?: string;
    config?: Record<string, unknown>;
    ui?: { x: number; y: number };
  }>;
  edges: Array<{ source: string; target: string; sourcePort?: string; targetPort?: string }>;
  [key: string]: unknown;
}

const runtimes = new Set<Runtime>();

/** Starts `tagflow start` on port 0 in a new temp data dir; `flow` (a file path or a flow object) is its first flow. */
export async function startRuntime(options: { flow?: string | object } = {}): Promise<Runtime> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-editor-e2e-'));
  const args = ['--no-node-snapshot', cliBin, 'start', '--data-dir', dataDir, '--port', '0'];
  if (options.flow !== undefined) {
    let file = options.flow;
    if (typeof file !== 'string') {
      file = path.join(dataDir, 'seed.flow.json');
      writeFileSync(file, JSON.stringify(options.flow, null, 2));
    }
    args.push('--flow', file);
  }
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args, {
    cwd: dataDir,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const deadline = Date.now() + 20_000;
  while (!/admin API on (http\S+);/.test(stderr) || !/^admin token: (tf_\S+)$/m.test(stdout)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`tagflow start did not start (exit ${child.exitCode}):\n${stdout}${stderr}`);
    }
    await sleep(20);
  }
  const url = (/admin API on (http\S+);/.exec(stderr) as RegExpExecArray)[1].replace(/\/$/, '');
  const token = (/^admin token: (tf_\S+)$/m.exec(stdout) as RegExpExecArray)[1];
  const api = (route: string, init: RequestInit = {}) =>
    fetch(url + route, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) },
    });
  const runtime: Runtime = {
    url,
    token,
    dataDir,
    stdout: () => stdout,
    stderr: () => stderr,
    api,
    async deployedFlow() {
      const res = await api('/api/flow');
      if (res.status === 404) return null;
      if (!res.ok) throw new Error(`GET /api/flow answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { flow: FlowJson }).flow;
    },
    async stop() {
      runtimes.delete(runtime);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  runtimes.add(runtime);
  return runtime;
}

/** Stops every runtime this file started and not stopped yet. */
export async function stopAllRuntimes(): Promise<void> {
  await Promise.all([...runtimes].map((r) => r.stop()));
}

// ---------------------------------------------------------------------------------------------
// The browser.

/** Launches headless Chromium with the known-good flags. */
export async function launchBrowser(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
}

/** Every URL a page asked for (HTTP requests, WebSockets), with the runtime it should have asked. */
export interface RecordedRequest {
  runtimeUrl: string;
  url: string;
}

/** Requests of every page opened in this test file, for the "no other host" check. */
export const allRequests: RecordedRequest[] = [];

/** One browser page on the editor, with the helpers the scenarios share. */
export class EditorPage {
  /** Every URL this page requested, in order. */
  readonly requests: string[] = [];
  /** Uncaught page errors and console errors: printed with screenshots to explain a failure. */
  readonly problems: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly runtime: Runtime,
  ) {}

  /** A new context (fresh storage) and page, 1280x800, on the runtime's editor; signs in unless `signIn: false`. */
  static async open(browser: Browser, runtime: Runtime, options: { signIn?: boolean } = {}): Promise<EditorPage> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const editor = new EditorPage(context, page, runtime);
    const record = (url: string) => {
      editor.requests.push(url);
      allRequests.push({ runtimeUrl: runtime.url, url });
    };
    page.on('request', (req) => record(req.url()));
    page.on('websocket', (ws) => record(ws.url()));
    page.on('pageerror', (err) => editor.problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') editor.problems.push(`console error: ${msg.text()}`);
    });
    // Confirmations (e.g. "replace the canvas?") are accepted: the tests mean what they click.
    page.on('dialog', (dialog) => void dialog.accept());
    // Someone running `vite build` empties dist for a moment: wait for the editor to be served.
    await until(
      async () => (await fetch(`${runtime.url}/`).catch(() => undefined))?.ok === true,
      `${runtime.url}/ to serve the editor (editor/dist/index.html)`,
      30_000,
    );
    await page.goto(`${runtime.url}/`);
    if (options.signIn !== false) await editor.signIn(runtime.token);
    return editor;
  }

  /** Types the token and signs in; waits for the palette unless `expectSuccess` is false. */
  async signIn(token: string, expectSuccess = true): Promise<void> {
    await this.byTestId('token-input').fill(token);
    await this.byTestId('sign-in').click();
    if (expectSuccess) await this.byTestId('palette').waitFor({ state: 'visible', timeout: 15_000 });
  }

  byTestId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  /** The input, select or textarea of a config field (`field-<dotted path>`), or the element itself. */
  field(configPath: string): Locator {
    const id = `[data-testid="field-${configPath}"]`;
    return this.page.locator(`${id}:is(input, select, textarea), ${id} :is(input, select, textarea)`).first();
  }

  node(nodeId: string): Locator {
    return this.page.locator(`.react-flow__node[data-id="${nodeId}"]`);
  }

  /**
   * A node's box once the canvas has stopped moving (the first fit of the view can come late on a
   * loaded machine): positions computed from an earlier box drop things on top of other nodes.
   */
  async settledBox(nodeId: string): Promise<{ x: number; y: number; width: number; height: number }> {
    let last = '';
    let box: { x: number; y: number; width: number; height: number } | null = null;
    await until(
      async () => {
        box = await this.node(nodeId).boundingBox();
        const now = JSON.stringify(box);
        const same = box !== null && now === last;
        last = now;
        if (!same) await sleep(250);
        return same;
      },
      `${nodeId} to stay in place on the canvas`,
      10_000,
    );
    return box!;
  }

  /** Ids of the nodes on the canvas. */
  async nodeIds(): Promise<string[]> {
    return this.page
      .locator('.react-flow__node')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-id') ?? ''));
  }

  async edgeCount(): Promise<number> {
    return this.page.locator('.react-flow__edge').count();
  }

  /**
   * Drags palette item `type` onto the React Flow pane at (x, y) from the pane's top-left corner,
   * with real mouse events (Chromium's native HTML5 drag and drop); if no node appears, dispatches
   * the HTML5 drag events itself. Returns the new node's id.
   */
  async dragFromPalette(type: string, x: number, y: number): Promise<string> {
    const before = new Set(await this.nodeIds());
    const item = this.byTestId(`palette-item-${type}`);
    await item.scrollIntoViewIfNeeded();
    const pane = this.page.locator('.react-flow__pane');
    await item.dragTo(pane, { targetPosition: { x, y } });
    let added = await this.waitForNewNode(before, 2_000);
    if (!added) {
      const box = await pane.boundingBox();
      if (!box) throw new Error('the React Flow pane (.react-flow__pane) is not on the page');
      await item.evaluate(
        (source, at) => {
          const data = new DataTransfer();
          const fire = (el: Element, type: string) =>
            el.dispatchEvent(
              new DragEvent(type, {
                bubbles: true,
                cancelable: true,
                composed: true,
                dataTransfer: data,
                clientX: at.x,
                clientY: at.y,
              }),
            );
          fire(source, 'dragstart');
          const target = document.elementFromPoint(at.x, at.y) ?? document.body;
          fire(target, 'dragenter');
          fire(target, 'dragover');
          fire(target, 'drop');
          fire(source, 'dragend');
        },
        { x: box.x + x, y: box.y + y },
      );
      added = await this.waitForNewNode(before, 3_000);
    }
    if (!added)
      throw new Error(
        `dragging palette-item-${type} onto the canvas added no node (nodes: ${[...before].join(', ') || 'none'})`,
      );
    // The first node makes React Flow fit the view: wait until the node stays where it is.
    const id = added;
    let last = '';
    await until(
      async () => {
        const box = JSON.stringify(await this.node(id).boundingBox());
        const still = box === last;
        last = box;
        return still;
      },
      `${id} to settle on the canvas`,
      3_000,
    );
    return id;
  }

  private async waitForNewNode(before: Set<string>, timeoutMs: number): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    do {
      const added = (await this.nodeIds()).filter((id) => !before.has(id));
      if (added.length > 0) return added[0];
      await sleep(50);
    } while (Date.now() < deadline);
    return undefined;
  }

  /** Drags a node by its right end (the part least likely under a neighbour) by (dx, dy) screen pixels. */
  async moveNodeBy(nodeId: string, dx: number, dy: number): Promise<void> {
    const box = await this.settledBox(nodeId);
    const at = { x: box.x + box.width - 25, y: box.y + box.height / 2 };
    await this.page.mouse.move(at.x, at.y);
    await this.page.mouse.down();
    await this.page.mouse.move(at.x + dx / 2, at.y + dy / 2, { steps: 5 });
    await this.page.mouse.move(at.x + dx, at.y + dy, { steps: 5 });
    await this.page.mouse.up();
    await this.settledBox(nodeId);
  }

  /** Drags from a source handle to a target handle with the mouse, and waits for the new edge. */
  async connect(sourceNodeId: string, sourcePort: string, targetNodeId: string, targetPort: string): Promise<void> {
    const from = this.page.locator(
      `.react-flow__node[data-id="${sourceNodeId}"] .react-flow__handle.source[data-handleid="${sourcePort}"]`,
    );
    const to = this.page.locator(
      `.react-flow__node[data-id="${targetNodeId}"] .react-flow__handle.target[data-handleid="${targetPort}"]`,
    );
    const a = await centre(from, `source handle ${sourceNodeId}.${sourcePort}`);
    const b = await centre(to, `target handle ${targetNodeId}.${targetPort}`);
    const edges = await this.edgeCount();
    await this.page.mouse.move(a.x, a.y);
    await this.page.mouse.down();
    await this.page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
    await this.page.mouse.move(b.x, b.y, { steps: 5 });
    await this.page.mouse.up();
    await until(
      async () => (await this.edgeCount()) > edges,
      `an edge ${sourceNodeId}.${sourcePort} -> ${targetNodeId}.${targetPort} on the canvas`,
      3_000,
    );
  }

  /** Clicks a node (selecting it, which opens its properties). */
  async select(nodeId: string): Promise<void> {
    await this.node(nodeId).click();
    await this.byTestId('properties').waitFor({ state: 'visible' });
  }

  /** Saves a screenshot to test-results/editor-e2e/<name>.png and prints its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(screenshotDir, { recursive: true });
    const file = path.join(screenshotDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    process.stdout.write(`editor e2e screenshot: ${file}\n`);
    return file;
  }

  /** Deploys through the dialog; returns the diff text shown and the result text. */
  async deploy(): Promise<{ diff: string; result: string }> {
    await this.byTestId('deploy').click();
    await this.byTestId('deploy-dialog').waitFor({ state: 'visible' });
    const diff = await this.byTestId('deploy-diff').innerText();
    await this.byTestId('deploy-confirm').click();
    const result = this.byTestId('deploy-result');
    await result.waitFor({ state: 'visible', timeout: 20_000 });
    await until(async () => (await result.innerText()).trim().length > 0, 'a deploy result text', 20_000);
    const text = await result.innerText();
    // The dialog stays open on its result; close it so the canvas takes clicks again.
    const close = this.byTestId('deploy-close');
    if (await close.isVisible()) await close.click();
    else await this.page.keyboard.press('Escape');
    await this.byTestId('deploy-dialog').waitFor({ state: 'hidden' });
    return { diff, result: text };
  }

  /** Texts of the debug panel's entries. */
  async debugEntries(): Promise<string[]> {
    return this.byTestId('debug-entry').allInnerTexts();
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

async function centre(locator: Locator, what: string): Promise<{ x: number; y: number }> {
  await locator.waitFor({ state: 'visible' }).catch(() => {
    throw new Error(`${what} is not on the canvas`);
  });
  const box = await locator.boundingBox();
  if (!box) throw new Error(`${what} has no size`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it is true; throws with `what` after `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}
