// Issue 18, a page without eval: the editor is served with a Content-Security-Policy whose
// script-src has no 'unsafe-eval'; it validates as you type with validators compiled ahead of time
// (the flow schema's when flow-model was built, the config schemas' by the runtime, loaded as a
// module), and no policy violation happens in a session touching forms, Monaco and the JSON view.
import { until } from '@tagflow/test-support';
import { editorSession, EditorPage } from './editor-harness';

const seed = {
  schemaVersion: 1,
  id: 'e2e-csp',
  nodes: [
    { id: 'sim', type: 'simulate', typeVersion: 1, config: { intervalMs: 500 }, ui: { x: 60, y: 120 } },
    { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: 10 } }, ui: { x: 300, y: 120 } },
    { id: 'thr', type: 'threshold', typeVersion: 1, config: { above: 42.5 }, ui: { x: 540, y: 120 } },
    {
      id: 'fn',
      type: 'function',
      typeVersion: 1,
      config: { code: 'return msg;' },
      ui: { x: 300, y: 300 },
    },
    { id: 'show', type: 'debug', typeVersion: 1, config: {}, ui: { x: 780, y: 120 } },
  ],
  edges: [
    { source: 'sim', target: 'avg' },
    { source: 'avg', target: 'thr' },
    { source: 'thr', target: 'show' },
    { source: 'sim', target: 'fn' },
    { source: 'fn', target: 'show' },
  ],
};

const session = editorSession(seed);

/** What the page's `securitypolicyviolation` listener collected. */
type Watched = Window & { cspViolations?: string[] };

describe('the editor without eval', () => {
  it("has no 'unsafe-eval' in its policy, violates none, and still checks fields as you type", async () => {
    const ed = await EditorPage.open(session.browser, session.runtime, { signIn: false });
    try {
      // Listens from the first script on: every later navigation of this page runs it first.
      await ed.context.addInitScript(() => {
        const w = window as Watched;
        w.cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) =>
          w.cspViolations!.push(`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`),
        );
      });
      const page = await ed.page.reload();
      const policy = (await page?.headerValue('content-security-policy')) ?? '';
      expect(policy).toMatch(/(^|; )script-src 'self'(;|$)/);
      expect(policy).not.toContain('unsafe-eval');

      // Only the editor's own check may find the mistakes below: the runtime's check is cut off.
      await ed.page.route('**/validate', (route) => route.abort());
      const moduleRequests: Array<{ url: string; authorization: string | undefined }> = [];
      ed.page.on('request', (req) => {
        if (req.url().includes('/editor-validators/'))
          moduleRequests.push({ url: req.url(), authorization: req.headers().authorization });
      });
      const moduleEncodings: Array<string | undefined> = [];
      ed.page.on('response', (res) => {
        if (res.url().includes('/editor-validators/')) moduleEncodings.push(res.headers()['content-encoding']);
      });
      await ed.signIn(session.runtime.token);
      expect(moduleRequests).toEqual([
        { url: expect.stringMatching(/\/editor-validators\/[0-9a-f]{64}\.js$/) as unknown, authorization: undefined },
      ]);

      // Sent compressed (about 600 KB of code for the standard packages, 63 KB as gzip; Chromium
      // asks for brotli over HTTPS only).
      expect(moduleEncodings).toEqual([expect.stringMatching(/^(br|gzip)$/) as unknown]);
      await ed.node('avg').waitFor({ state: 'visible' });
      await ed.select('avg');
      await ed.field('window.count').fill('0');
      // At the field, not at `window`: the precompiled validators include the narrowed oneOf branches.
      const countError = ed.byTestId('field-error-window.count');
      await countError.waitFor({ state: 'visible' });
      expect(await countError.innerText()).toMatch(/1/);
      await ed.screenshot('csp-field-error');
      await ed.field('window.count').fill('5');
      await countError.waitFor({ state: 'hidden' });

      await ed.select('thr');
      await ed.field('hysteresis').fill('-1');
      const hysteresisError = ed.byTestId('field-error-hysteresis');
      await hysteresisError.waitFor({ state: 'visible' });
      expect(await hysteresisError.innerText()).toMatch(/0/);
      await ed.screenshot('csp-threshold-error');
      await ed.field('hysteresis').fill('1');
      await hysteresisError.waitFor({ state: 'hidden' });
      await ed.screenshot('csp-fixed');

      // Monaco and its workers, and the JSON view, under the same policy.
      await ed.select('fn');
      await ed
        .byTestId('code-editor')
        .locator('.monaco-editor .view-lines')
        .waitFor({ state: 'visible', timeout: 20_000 });
      await until(async () => ed.requests.some((u) => /worker/i.test(u)), 'a Monaco worker to load', 20_000);
      await ed.openJsonView();
      await ed.screenshot('csp-monaco-json');

      const violations = await ed.page.evaluate(() => (window as Watched).cspViolations ?? null);
      expect(violations).toEqual([]);
      expect(ed.problems.filter((p) => /content security policy|unsafe-eval|EvalError/i.test(p))).toEqual([]);
    } catch (err) {
      const shot = await ed.screenshot('csp-failure').catch((e: Error) => `(screenshot failed: ${e.message})`);
      if (err instanceof Error)
        err.message = `${err.message}\nscreenshot: ${shot}\npage problems:\n  ${ed.problems.slice(0, 10).join('\n  ')}`;
      throw err;
    } finally {
      await ed.close();
    }
  }, 120_000);
});
