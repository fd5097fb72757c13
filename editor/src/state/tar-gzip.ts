/**
 * A .tgz of text files made in the browser (the editor's "Pack as node package"), laid out as npm
 * packs a package: every file under `package/`, POSIX ustar headers, gzip by the platform's own
 * CompressionStream. Small on purpose: regular files only, names up to 100 bytes.
 */

const BLOCK = 512;

/** The files as an uncompressed tar archive, each under `prefix` (default `package/`). */
export function tarArchive(files: Readonly<Record<string, string>>, prefix = 'package/', mtime = 0): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const [name, text] of Object.entries(files)) {
    const body = encoder.encode(text);
    parts.push(header(`${prefix}${name}`, body.length, mtime));
    parts.push(body);
    const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(new Uint8Array(pad));
  }
  // Two empty blocks end the archive.
  parts.push(new Uint8Array(BLOCK * 2));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `bytes` gzipped. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function header(name: string, size: number, mtime: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const encoder = new TextEncoder();
  const nameBytes = encoder.encode(name);
  if (nameBytes.length > 100) throw new Error(`file name too long for the archive: ${name}`);
  const put = (offset: number, text: string) => block.set(encoder.encode(text), offset);
  block.set(nameBytes, 0);
  put(100, '0000644\0'); // mode
  put(108, '0000000\0'); // uid
  put(116, '0000000\0'); // gid
  put(124, `${size.toString(8).padStart(11, '0')}\0`);
  put(
    136,
    `${Math.floor(mtime / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
  );
  put(148, '        '); // checksum, counted as spaces
  put(156, '0'); // a regular file
  put(257, 'ustar\0');
  put(263, '00');
  let sum = 0;
  for (const byte of block) sum += byte;
  put(148, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}
