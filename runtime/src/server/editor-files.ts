import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RequestHandler, Response } from 'express';

/**
 * The content encodings the editor build writes beside each asset (`app.js.br`, `app.js.gz`), best
 * first: brotli is ~20% smaller than gzip on the editor's JavaScript.
 */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/** Content types of the files a Vite build holds; anything else is sent as bytes. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** A year, the longest lifetime caches honour: a hashed file's content never changes under its name. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

/**
 * The editor's static files, with a policy that lets the page talk to this runtime only. Scripts
 * come from this runtime only, and never from eval: the validators are compiled ahead of time
 * (see editor-validators). Styles may be inline: React Flow and Monaco set them.
 *
 * Files the build pre-compressed are sent compressed when the browser accepts it (nothing is
 * compressed per request, so an edge box spends no CPU on it); hashed files under `assets/` are
 * cached for good, everything else (index.html) is checked again on each load.
 */
export function editorFiles(dir: string): RequestHandler {
  const root = path.resolve(dir);
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "worker-src 'self' blob:",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const relative = fileOf(req.path);
    if (relative === undefined) return next();
    serveFile(root, relative, req.headers['accept-encoding'], req.headers['if-modified-since'], req.method, res, policy)
      .then((served) => {
        if (!served) next();
      })
      .catch(next);
  };
}

/** The file a URL path names, relative to the editor folder, or undefined for one it may not name. */
export function fileOf(urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined; // A malformed escape names no file: the 404 handler answers it.
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const parts = decoded.split('/').filter((part) => part !== '');
  // No dot files and no way up out of the folder.
  if (parts.some((part) => part.startsWith('.'))) return undefined;
  if (parts.length === 0 || decoded.endsWith('/')) parts.push('index.html');
  return parts.join('/');
}

/** Whether a file is named by its content hash (Vite's `assets/<name>-<hash>.<ext>`), so it can be cached for good. */
export function isHashedAsset(relative: string): boolean {
  return relative.startsWith('assets/') && /[-.][A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(relative);
}

/**
 * The encodings an `Accept-Encoding` header allows, from those the build writes, best first.
 * `q=0` refuses one; `*` stands for any not named.
 */
export function acceptedEncodings(header: string | string[] | undefined): Array<'br' | 'gzip'> {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const quality = new Map<string, number>();
  for (const item of text.split(',')) {
    const [name, ...params] = item.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    quality.set(name, Number.isFinite(value) ? value : 0);
  }
  const any = quality.get('*');
  return ENCODINGS.map((e) => e.name).filter((name) => (quality.get(name) ?? any ?? 0) > 0);
}

/** Sends one file (or its pre-compressed form); false when there is no such file. */
async function serveFile(
  root: string,
  relative: string,
  acceptEncoding: string | string[] | undefined,
  ifModifiedSince: string | undefined,
  method: string,
  res: Response,
  policy: string,
): Promise<boolean> {
  const plain = path.join(root, relative);
  if (!plain.startsWith(root + path.sep)) return false;
  const plainStats = await fileStats(plain);
  if (!plainStats) return false;

  let file = plain;
  let size = plainStats.size;
  let encoding: string | undefined;
  let compressedExists = false;
  const accepted = acceptedEncodings(acceptEncoding);
  for (const candidate of ENCODINGS) {
    const stats = await fileStats(plain + candidate.suffix);
    if (!stats) continue;
    compressedExists = true;
    if (encoding === undefined && accepted.includes(candidate.name)) {
      file = plain + candidate.suffix;
      size = stats.size;
      encoding = candidate.name;
    }
  }

  res.setHeader('Content-Security-Policy', policy);
  res.setHeader('Content-Type', CONTENT_TYPES[path.extname(relative).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('Cache-Control', isHashedAsset(relative) ? IMMUTABLE_CACHE : 'no-cache');
  // Caches must keep the brotli, gzip and plain answers apart.
  if (compressedExists) res.setHeader('Vary', 'Accept-Encoding');
  if (encoding) res.setHeader('Content-Encoding', encoding);
  const modified = new Date(Math.floor(plainStats.mtimeMs / 1000) * 1000);
  res.setHeader('Last-Modified', modified.toUTCString());
  // index.html is checked again on each load: unchanged, it costs a 304 and no body.
  if (ifModifiedSince !== undefined && Date.parse(ifModifiedSince) >= modified.getTime()) {
    res.removeHeader('Content-Encoding');
    res.status(304).end();
    return true;
  }
  res.setHeader('Content-Length', String(size));
  if (method === 'HEAD') {
    res.end();
    return true;
  }
  try {
    await pipeline(createReadStream(file), res);
  } catch (err) {
    // Before the first byte (the file went with a rebuild), the error handler answers; after it,
    // the browser went away or the answer is cut: nothing more can be sent.
    if (!res.headersSent) {
      for (const header of ['Content-Encoding', 'Content-Length', 'Content-Type', 'Last-Modified', 'Vary'])
        res.removeHeader(header);
      res.setHeader('Cache-Control', 'no-store');
      throw err;
    }
    res.destroy();
  }
  return true;
}

/** A regular file's stats, or undefined when there is none. */
async function fileStats(file: string): Promise<Stats | undefined> {
  try {
    const stats = await stat(file);
    return stats.isFile() ? stats : undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}
