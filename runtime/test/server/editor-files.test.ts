import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import express from 'express';
import { acceptedEncodings, editorFiles, fileOf, isHashedAsset } from '../../src/server/editor-files';
import { startHarness } from './server-harness';
import type { Harness } from './server-harness';

// The built editor is served at / without a token (it holds no data), under a policy that lets
// the page reach this runtime only; the API behind it still needs a token. Files the build
// pre-compressed go out compressed when the browser accepts it; hashed assets are cached for good.
const SCRIPT = `console.log(${JSON.stringify('tagflow '.repeat(200))});`;
const dir = mkdtempSync(join(tmpdir(), 'tagflow-editor-files-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>tagflow editor</title>');
writeFileSync(join(dir, 'app.js'), 'console.log(1)');
mkdirSync(join(dir, 'assets'));
writeFileSync(join(dir, 'assets', 'index-Bx3_k9Qa.js'), SCRIPT);
writeFileSync(join(dir, 'assets', 'index-Bx3_k9Qa.js.br'), brotliCompressSync(SCRIPT));
writeFileSync(join(dir, 'assets', 'index-Bx3_k9Qa.js.gz'), gzipSync(SCRIPT));
writeFileSync(join(dir, 'assets', 'codicon-Cm1Jd0xS.ttf'), Buffer.from([0, 1, 0, 0]));
writeFileSync(join(dir, 'assets', 'plain.css'), 'body{}');
writeFileSync(join(dir, '.secret'), 'not for browsers');
const past = new Date('2026-01-01T00:00:00Z');
utimesSync(join(dir, 'index.html'), past, past);

let h: Harness;
let bare: Server;
let bareUrl: string;
beforeAll(async () => {
  h = await startHarness({ editorDir: dir });
  const app = express();
  app.use(editorFiles(dir));
  app.use((_req, res) => res.status(404).send('none'));
  bare = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => bare.once('listening', resolve));
  bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await h.close();
  await new Promise<void>((resolve) => bare.close(() => resolve()));
});

/** One raw request (fetch would ask for and undo compression on its own): status, headers and the bytes sent. */
function raw(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

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

it('sends brotli to a browser that accepts it, else gzip, else the plain file, and says it varies', async () => {
  const url = `${h.url}/assets/index-Bx3_k9Qa.js`;
  const br = await raw(url, { 'Accept-Encoding': 'gzip, deflate, br, zstd' });
  expect(br.status).toBe(200);
  expect(br.headers['content-encoding']).toBe('br');
  expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
  expect(br.headers['vary']).toBe('Accept-Encoding');
  expect(Number(br.headers['content-length'])).toBe(br.body.length);
  expect(br.body.length).toBeLessThan(SCRIPT.length / 4);
  expect(brotliDecompressSync(br.body).toString()).toBe(SCRIPT);

  const gzip = await raw(url, { 'Accept-Encoding': 'gzip' });
  expect(gzip.headers['content-encoding']).toBe('gzip');
  expect(gunzipSync(gzip.body).toString()).toBe(SCRIPT);

  const refused = await raw(url, { 'Accept-Encoding': 'br;q=0, gzip;q=0.5' });
  expect(refused.headers['content-encoding']).toBe('gzip');

  const plain = await raw(url);
  expect(plain.headers['content-encoding']).toBeUndefined();
  expect(plain.headers['vary']).toBe('Accept-Encoding');
  expect(plain.body.toString()).toBe(SCRIPT);
});

it('caches hashed assets for a year and has index.html checked again on each load', async () => {
  const asset = await raw(`${bareUrl}/assets/index-Bx3_k9Qa.js`, { 'Accept-Encoding': 'br' });
  expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  expect((await raw(`${bareUrl}/assets/codicon-Cm1Jd0xS.ttf`)).headers['content-type']).toBe('font/ttf');
  expect((await raw(`${bareUrl}/assets/codicon-Cm1Jd0xS.ttf`)).headers['cache-control']).toBe(
    'public, max-age=31536000, immutable',
  );
  // A name without a hash under assets/ may change: it is checked again.
  expect((await raw(`${bareUrl}/assets/plain.css`)).headers['cache-control']).toBe('no-cache');

  const index = await raw(`${bareUrl}/`, { 'Accept-Encoding': 'br' });
  expect(index.headers['cache-control']).toBe('no-cache');
  expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(index.headers['content-encoding']).toBeUndefined();
  expect(index.headers['vary']).toBeUndefined();
  const lastModified = String(index.headers['last-modified']);
  expect(lastModified).toBe(past.toUTCString());
  const again = await raw(`${bareUrl}/index.html`, { 'If-Modified-Since': lastModified });
  expect(again.status).toBe(304);
  expect(again.body.length).toBe(0);
});

it('answers HEAD with the headers only', async () => {
  const head = await raw(`${bareUrl}/assets/index-Bx3_k9Qa.js`, { 'Accept-Encoding': 'gzip' }, 'HEAD');
  expect(head.status).toBe(200);
  expect(head.headers['content-encoding']).toBe('gzip');
  expect(Number(head.headers['content-length'])).toBe(gzipSync(SCRIPT).length);
  expect(head.body.length).toBe(0);
});

it('serves nothing outside the folder, no dot files and no folders', async () => {
  for (const path of [
    '/.secret',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/assets/..%2f..%2fetc%2fpasswd',
    '/%E0%A4%A',
    '/assets',
  ]) {
    const res = await raw(`${bareUrl}${path}`);
    expect([path, res.status]).toEqual([path, 404]);
  }
});

it('reads Accept-Encoding as browsers and proxies write it', () => {
  expect(acceptedEncodings('gzip, deflate, br, zstd')).toEqual(['br', 'gzip']);
  expect(acceptedEncodings('gzip')).toEqual(['gzip']);
  expect(acceptedEncodings('br;q=0, *')).toEqual(['gzip']);
  expect(acceptedEncodings('identity')).toEqual([]);
  expect(acceptedEncodings(undefined)).toEqual([]);
  expect(acceptedEncodings(['br', 'gzip;q=0'])).toEqual(['br']);
});

it('maps URL paths to files inside the folder and knows a hashed name', () => {
  expect(fileOf('/')).toBe('index.html');
  expect(fileOf('/assets/index-Bx3_k9Qa.js')).toBe('assets/index-Bx3_k9Qa.js');
  expect(fileOf('/../etc/passwd')).toBeUndefined();
  expect(fileOf('/%2e%2e/etc/passwd')).toBeUndefined();
  expect(fileOf('/a%00b')).toBeUndefined();
  expect(isHashedAsset('assets/index-Bx3_k9Qa.js')).toBe(true);
  expect(isHashedAsset('assets/ts.worker-DAo_1KQe.js')).toBe(true);
  expect(isHashedAsset('assets/plain.css')).toBe(false);
  expect(isHashedAsset('index.html')).toBe(false);
});
