/// <reference lib="dom" />
// Page functions (evaluate) run in the browser: hence the DOM types above.
// End-to-end harness: a real `tagflow start` runtime serving the built editor, driven in Debian's
// headless Chromium by playwright-core. Used by the *.e2e.test.ts files of this folder.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ensureChromium,
  ensureCliBuilt,
  ensureEditorBuilt,
  launchChromium,
  repoRoot,
  sleep,
  startTagflow,
  stopAllTagflow,
  until,
} from '@tagflow/test-support';
import type { TagflowProcess } from '@tagflow/test-support';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

export const screenshotDir = path.join(repoRoot, 'test-results', 'editor-e2e');

// ---------------------------------------------------------------------------------------------
// The runtime.

/** A running `tagflow start` with its first admin token, which the editor signs in with. */
export interface Runtime extends TagflowProcess {
  token: string;
  /** The deployed flow (GET /api/flow), or null before the first deploy. */
  deployedFlow(): Promise<FlowJson | null>;
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

/**
 * Starts `tagflow start` on port 0 in a new temp data dir; `flow` (a file path or a flow object) is
 * its first flow; `args` are more command-line options (e.g. `--watchdog-ms`).
 */
export async function startRuntime(options: { flow?: string | object; args?: string[] } = {}): Promise<Runtime> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-editor-e2e-'));
  const args: string[] = [...(options.args ?? [])];
  if (options.flow !== undefined) {
    let file = options.flow;
    if (typeof file !== 'string') {
      file = path.join(dataDir, 'seed.flow.json');
      writeFileSync(file, JSON.stringify(options.flow, null, 2));
    }
    args.push('--flow', file);
  }
  const started = await startTagflow({ dataDir, args });
  const { token } = started;
  if (token === undefined) throw new Error(`tagflow start printed no admin token:\n${started.stdout()}`);
  return {
    ...started,
    token,
    async deployedFlow() {
      const res = await started.api('/api/flow');
      if (res.status === 404) return null;
      if (!res.ok) throw new Error(`GET /api/flow answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { flow: FlowJson }).flow;
    },
  };
}

/** The runtime and the browser a test file shares, ready once its `beforeAll` has run. */
export interface EditorSession {
  readonly runtime: Runtime;
  readonly browser: Browser;
}

/**
 * For a test file: starts one runtime with `flow` and Chromium before its tests, and stops both
 * after them (call at the top level of the file).
 */
export function editorSession(flow: object): EditorSession {
  let runtime: Runtime | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    ensureChromium();
    ensureEditorBuilt();
    ensureCliBuilt();
    runtime = await startRuntime({ flow });
    browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await stopAllTagflow();
  }, 30_000);
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ${what} did not start: see the beforeAll error`);
    return value;
  };
  return {
    get runtime() {
      return ready(runtime, 'runtime');
    },
    get browser() {
      return ready(browser, 'browser');
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The browser.

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
    // As a user looking for one type does: the search puts it at the top of the list. An item
    // dragged from the clipped bottom edge of the scrolled list gives Chromium a drag that
    // Playwright does not see start, after which every mouse event is swallowed.
    const search = this.byTestId('palette-search');
    await search.fill(type);
    await item.waitFor({ state: 'visible' });
    const pane = this.page.locator('.react-flow__pane');
    await item.dragTo(pane, { targetPosition: { x, y } });
    await search.fill('');
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

  /**
   * Drags from a source handle to a target handle with the mouse, and waits for the new edge. On a
   * loaded machine a drag may start while the view still moves (a drop, a fit): as a user would, it
   * drags again from where the handles are now, up to three times.
   */
  async connect(sourceNodeId: string, sourcePort: string, targetNodeId: string, targetPort: string): Promise<void> {
    const from = this.page.locator(
      `.react-flow__node[data-id="${sourceNodeId}"] .react-flow__handle.source[data-handleid="${sourcePort}"]`,
    );
    const to = this.page.locator(
      `.react-flow__node[data-id="${targetNodeId}"] .react-flow__handle.target[data-handleid="${targetPort}"]`,
    );
    const what = `an edge ${sourceNodeId}.${sourcePort} -> ${targetNodeId}.${targetPort} on the canvas`;
    const edges = await this.edgeCount();
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) {
        await this.settledBox(sourceNodeId);
        await this.settledBox(targetNodeId);
      }
      const a = await centre(from, `source handle ${sourceNodeId}.${sourcePort}`);
      const b = await centre(to, `target handle ${targetNodeId}.${targetPort}`);
      await this.page.mouse.move(a.x, a.y);
      await this.page.mouse.down();
      await this.page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
      await this.page.mouse.move(b.x, b.y, { steps: 5 });
      await this.page.mouse.up();
      try {
        await until(async () => (await this.edgeCount()) > edges, what, 3_000);
        return;
      } catch (err) {
        if (attempt === 3) throw new Error(`${(err as Error).message} (three drags from handle to handle)`);
      }
    }
  }

  /** Opens the JSON view from the toolbar and waits for its editor; says what it saw when it does not open. */
  async openJsonView(): Promise<void> {
    const toggle = this.byTestId('json-view');
    const pressed = async () => (await toggle.getAttribute('aria-pressed')) === 'true';
    await toggle.click();
    try {
      await until(pressed, 'the JSON view button to be pressed', 5_000);
    } catch (err) {
      const box = await toggle.boundingBox();
      const atPoint = await this.page.evaluate(
        (b) =>
          b ? (document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2)?.outerHTML ?? '').slice(0, 300) : '',
        box,
      );
      throw new Error(
        `${(err as Error).message}\nat the button: ${atPoint}\nbutton: ${await toggle.evaluate((e) => e.outerHTML)}`,
      );
    }
    const editor = this.byTestId('json-editor');
    await editor.waitFor({ state: 'visible', timeout: 20_000 }).catch(async (err: Error) => {
      const seen = await this.page.evaluate(() => ({
        jsonView: document.querySelector('.json-view') !== null,
        jsonEditor: document.querySelector('[data-testid="json-editor"]')?.getBoundingClientRect().toJSON() ?? null,
        alert: document.querySelector('[role="alert"]')?.textContent ?? null,
        dialog: document.querySelector('[role="dialog"]')?.getAttribute('data-testid') ?? null,
      }));
      throw new Error(`${err.message}\nthe page: ${JSON.stringify(seen)}`);
    });
  }

  /**
   * Clicks the canvas where nothing is drawn (no node, wire or floating bar), which clears the
   * selection: the first such point of a grid over the pane, found with elementFromPoint.
   */
  async clickEmptyCanvas(): Promise<void> {
    const pane = this.page.locator('.react-flow__pane');
    const box = await pane.boundingBox();
    if (!box) throw new Error('the React Flow pane (.react-flow__pane) is not on the page');
    const spot = await this.page.evaluate((b) => {
      for (let fy = 0.1; fy < 1; fy += 0.1)
        for (let fx = 0.05; fx < 1; fx += 0.1) {
          const x = b.x + b.width * fx;
          const y = b.y + b.height * fy;
          if (document.elementFromPoint(x, y)?.classList.contains('react-flow__pane'))
            return { x: x - b.x, y: y - b.y };
        }
      return null;
    }, box);
    if (!spot) throw new Error('the canvas has no empty spot to click: nodes or bars cover it all');
    await pane.click({ position: spot });
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

// ---------------------------------------------------------------------------------------------
// Accessibility (issue 18): axe-core, the accessibility rules engine, run inside the page.

/** One axe-core violation as the tests report it. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  /** CSS selectors of the elements at fault (the first few). */
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules) on the page as it is now, saves a screenshot
 * `a11y-<name>.png` and a report `a11y-<name>.json` (every violation), and returns the violations
 * whose impact is `serious` or `critical`: a test expects none.
 */
export async function checkAccessibility(page: Page, name: string): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  // Evaluated, not added as a <script>: the editor's CSP refuses inline scripts, rightly.
  if (!loaded) await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<AxeResults> } }).axe;
    interface AxeResults {
      violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }>;
    }
    const results = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.map(String).join(' ')),
    }));
  });
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `a11y-${name}.png`) });
  writeFileSync(path.join(screenshotDir, `a11y-${name}.json`), `${JSON.stringify(violations, null, 2)}\n`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Where to drop a node: a fraction of the React Flow pane's width and height. */
export async function paneSpot(ed: EditorPage, fx: number, fy: number): Promise<{ x: number; y: number }> {
  const box = await ed.page.locator('.react-flow__pane').boundingBox();
  if (!box) throw new Error('the React Flow pane is not on the page');
  return { x: Math.round(box.width * fx), y: Math.round(box.height * fy) };
}
