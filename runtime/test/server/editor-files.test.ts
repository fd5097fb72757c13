import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness } from './server-harness';
import type { Harness } from './server-harness';

// The built editor is served at / without a token (it holds no data), under a policy that lets
// the page reach this runtime only; the API behind it still needs a token.
let h: Harness;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tagflow-editor-files-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>tagflow editor</title>');
  writeFileSync(join(dir, 'app.js'), 'console.log(1)');
  h = await startHarness({ editorDir: dir });
});
afterAll(async () => {
  await h.close();
});

it('serves the editor at / with a content security policy that allows this runtime only', async () => {
  const page = await fetch(`${h.url}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<title>tagflow editor</title>');
  const policy = page.headers.get('content-security-policy') ?? '';
  expect(policy).toContain("default-src 'self'");
  expect(policy).toContain("connect-src 'self'");
  expect(policy).toContain("frame-ancestors 'none'");
  expect((await fetch(`${h.url}/app.js`)).status).toBe(200);
  expect((await fetch(`${h.url}/api/flow`)).status).toBe(401);
  expect((await fetch(`${h.url}/nothing-here.js`)).status).toBe(404);
  expect((await fetch(`${h.url}/`, { method: 'POST' })).status).toBe(404);
});
