// Writes a brotli (`.br`) and a gzip (`.gz`) copy beside each text asset of the built editor, so
// the runtime sends compressed files without compressing anything per request (an edge box has
// little CPU to spare). Used as a Vite plugin (vite.config.ts); `node scripts/precompress.mjs
// [dist]` runs it alone on a build.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Files that compress (fonts included: Monaco's codicon.ttf shrinks by half). */
const COMPRESSIBLE = /\.(js|mjs|css|html|json|map|svg|ttf|wasm|txt)$/;
/** Below this, the headers weigh more than what compression saves. */
const MIN_BYTES = 1024;
/**
 * Brotli's best quality (11) costs 7-15x the time of quality 9 for 7-11% less: it is kept for the
 * files up to 1 MB (the sign-in page, the editor, two workers); Monaco's core and the TypeScript
 * worker (7 MB, 100+ s at 11, 4 s at 9) get 9, so a build stays quick on a small machine.
 */
const BEST_QUALITY_UP_TO = 1024 * 1024;

/**
 * Compresses every compressible file under `dir`; returns the byte counts, for the build log.
 * @param {string} dir
 * @returns {Promise<{ files: number, bytes: number, brotli: number, gzip: number }>}
 */
export async function precompress(dir) {
  const totals = { files: 0, bytes: 0, brotli: 0, gzip: 0 };
  const files = (await listFiles(dir)).filter((file) => COMPRESSIBLE.test(file));
  // Compressions run on libuv's thread pool, a few at a time.
  await Promise.all(
    files.map(async (file) => {
      const data = await readFile(file);
      if (data.length < MIN_BYTES) return;
      const [br, gzipped] = await Promise.all([
        brotli(data, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: data.length <= BEST_QUALITY_UP_TO ? constants.BROTLI_MAX_QUALITY : 9,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
          },
        }),
        gz(data, { level: constants.Z_BEST_COMPRESSION }),
      ]);
      totals.files++;
      totals.bytes += data.length;
      // A copy no smaller than the file is not written: the runtime then sends the file itself.
      if (br.length < data.length) await writeFile(`${file}.br`, br);
      if (gzipped.length < data.length) await writeFile(`${file}.gz`, gzipped);
      totals.brotli += Math.min(br.length, data.length);
      totals.gzip += Math.min(gzipped.length, data.length);
    }),
  );
  return totals;
}

/** @param {string} dir @returns {Promise<string[]>} */
async function listFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? listFiles(full) : Promise.resolve(entry.isFile() ? [full] : []);
    }),
  );
  return nested.flat();
}

/**
 * The Vite plugin: pre-compresses the output folder once the build has written it.
 * @returns {import('vite').Plugin}
 */
export function precompressPlugin() {
  let outDir = 'dist';
  return {
    name: 'tagflow-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const started = Date.now();
      const t = await precompress(outDir);
      const kb = (/** @type {number} */ n) => `${(n / 1024).toFixed(0)} KB`;
      console.log(
        `precompress: ${t.files} files, ${kb(t.bytes)} -> brotli ${kb(t.brotli)}, gzip ${kb(t.gzip)} ` +
          `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // No top-level await: Vite bundles its config, and this file with it, as CommonJS.
  const dir = path.resolve(process.argv[2] ?? 'dist');
  stat(dir)
    .then(() => precompress(dir))
    .then((totals) => console.log(totals))
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
}
