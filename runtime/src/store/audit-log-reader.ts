import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** Bytes read at a time, from a file's end towards its start. */
export const AUDIT_CHUNK_BYTES = 64 * 1024;
/** A line longer than this is skipped (no event is near it): it bounds what one line can make us hold. */
export const MAX_AUDIT_LINE_BYTES = 1024 * 1024;
/** How much of a line the cursor's check covers. */
const CHECKED_BYTES = 4096;

/** One line of a file and the byte offset where it starts. */
export interface LineAt {
  offset: number;
  line: Buffer;
}

/**
 * The non-empty lines of `file` before byte `end`, last first, read in chunks of `chunkBytes`:
 * at most a chunk and one line are held at a time, whatever the file's size.
 */
export async function* linesBackward(
  file: FileHandle,
  end: number,
  chunkBytes = AUDIT_CHUNK_BYTES,
): AsyncGenerator<LineAt> {
  let tail = Buffer.alloc(0); // the start of a line that began before the bytes read so far
  let skipping = false; // inside an over-long line: drop it up to its start
  while (end > 0) {
    const start = Math.max(0, end - chunkBytes);
    const chunk = Buffer.alloc(end - start);
    const { bytesRead } = await file.read(chunk, 0, chunk.length, start);
    if (bytesRead !== chunk.length) throw new Error(`the audit log shrank while being read (at byte ${start})`);
    const data = tail.length > 0 ? Buffer.concat([chunk, tail]) : chunk;
    let lineEnd = data.length;
    for (let i = data.length - 1; i >= 0; i--) {
      if (data[i] !== 0x0a) continue;
      if (i + 1 < lineEnd && !skipping) yield { offset: start + i + 1, line: data.subarray(i + 1, lineEnd) };
      skipping = false;
      lineEnd = i;
    }
    tail = Buffer.from(data.subarray(0, lineEnd));
    if (tail.length > MAX_AUDIT_LINE_BYTES) {
      tail = Buffer.alloc(0);
      skipping = true;
    }
    end = start;
  }
  if (tail.length > 0 && !skipping) yield { offset: 0, line: tail };
}

/** A `before` cursor that cannot be used: `malformed` (not a cursor), or `gone` (its events were rotated away). */
export class AuditCursorError extends Error {
  constructor(
    readonly kind: 'malformed' | 'gone',
    message: string,
  ) {
    super(message);
    this.name = 'AuditCursorError';
  }
}

/**
 * Where a page ended: the file (by inode, which survives the renames of rotation), the byte
 * offset of the oldest event returned, and a hash of that line, so a cursor into a file that was
 * dropped and whose inode was reused is told apart.
 */
export interface AuditCursor {
  ino: bigint;
  offset: number;
  check: string;
}

export function lineCheck(line: Buffer): string {
  return createHash('sha256').update(line.subarray(0, CHECKED_BYTES)).digest('hex').slice(0, 12);
}

export function encodeCursor(cursor: AuditCursor): string {
  return `${cursor.ino}-${cursor.offset}-${cursor.check}`;
}

export function decodeCursor(text: string): AuditCursor {
  const match = /^(\d{1,24})-(\d{1,15})-([0-9a-f]{12})$/.exec(text);
  if (!match)
    throw new AuditCursorError(
      'malformed',
      `"before" ${JSON.stringify(text.slice(0, 80))} is not a cursor: pass the X-Next-Cursor of an earlier page`,
    );
  return { ino: BigInt(match[1]), offset: Number(match[2]), check: match[3] };
}

/** True when the line starting at `offset` of `file` is the one `check` was made from. */
export async function cursorHolds(file: FileHandle, size: number, cursor: AuditCursor): Promise<boolean> {
  if (cursor.offset >= size) return false;
  if (cursor.offset > 0) {
    const before = Buffer.alloc(1);
    await file.read(before, 0, 1, cursor.offset - 1);
    if (before[0] !== 0x0a) return false;
  }
  const head = Buffer.alloc(Math.min(CHECKED_BYTES, size - cursor.offset));
  await file.read(head, 0, head.length, cursor.offset);
  const newline = head.indexOf(0x0a);
  return lineCheck(newline === -1 ? head : head.subarray(0, newline)) === cursor.check;
}
