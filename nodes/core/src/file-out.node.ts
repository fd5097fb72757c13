import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NodeError, defineNode } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';

/** What common file-system error codes mean, for people who do not read errno names. */
const PLAIN_WORDS: Record<string, string> = {
  ENOENT: 'the folder does not exist',
  ENOTDIR: 'a part of the path is a file, not a folder',
  // mkdir's answer when a file stands where a folder of the path should be.
  EEXIST: 'a part of the path is a file, not a folder',
  EISDIR: 'the path is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EMFILE: 'too many files are open',
  EIO: 'the disk reported an input/output error',
};

export default defineNode({
  type: 'file-out',
  version: 1,
  category: 'publisher',
  description: 'Appends each message to a file as one JSON line',
  inputs: ['in'],
  outputs: [],
  errors: coreErrors.pick('FILE_WRITE', 'FILE_CLOSED', 'NOT_SERIALIZABLE'),
  configSchema: {
    type: 'object',
    properties: {
      path: {
        type: 'string',
        minLength: 1,
        description: "File to append to (JSON Lines). A relative path is relative to the runtime's working folder.",
        'x-ui': { label: 'File', placeholder: '/var/lib/tagflow/pump3.jsonl' },
      },
      property: {
        enum: ['msg', 'payload'],
        default: 'msg',
        description: "What to write: the whole message, or its payload only ('payload').",
        'x-ui': { label: 'Write', enumLabels: { msg: 'whole message', payload: 'msg.payload' } },
      },
      createDir: {
        type: 'boolean',
        default: true,
        description: "Create the file's folder if it does not exist.",
        'x-ui': { label: 'Create folder' },
      },
    },
    required: ['path'],
    additionalProperties: false,
  },

  create(ctx) {
    const { path, property, createDir } = ctx.config;
    let handle: FileHandle | undefined;
    /** The file does not end with a newline (a torn write, a hand-made file): start the next line on a new one. */
    let needsNewline = false;
    let healthy: boolean | undefined;
    let inFlight: Promise<void> | undefined;
    let closing: Promise<void> | undefined;

    const openFile = async (): Promise<FileHandle> => {
      if (createDir) await mkdir(dirname(path), { recursive: true });
      // 'a+': appends, and lets us read the last byte to see whether a line was left unfinished.
      const file = await open(path, 'a+');
      try {
        const { size } = await file.stat();
        if (size > 0) {
          const { bytesRead, buffer } = await file.read(Buffer.alloc(1), 0, 1, size - 1);
          needsNewline = bytesRead === 1 && buffer[0] !== 0x0a;
        }
      } catch (err) {
        await file.close();
        throw err;
      }
      return file;
    };

    const setHealthy = (ok: boolean, text: string): void => {
      if (healthy === ok) return;
      healthy = ok;
      ctx.status({ state: ok ? 'ok' : 'error', text });
    };

    const writeLine = async (line: string): Promise<void> => {
      try {
        handle ??= await openFile();
        // appendFile loops until every byte is written; a bare write() may write only part.
        await handle.appendFile(needsNewline ? `\n${line}` : line, 'utf8');
        needsNewline = false;
        setHealthy(true, `writing to ${path}`);
      } catch (err) {
        // Reopen on the next message: the disk may come back, and reopening checks for a torn line.
        const stale = handle;
        handle = undefined;
        if (stale)
          await stale
            .close()
            .catch((closeErr: unknown) =>
              ctx.log.warn('closing the file after a failed write failed too', { error: String(closeErr) }),
            );
        const code = (err as NodeJS.ErrnoException).code;
        const reason = (code === undefined ? undefined : PLAIN_WORDS[code]) ?? (err as Error).message;
        setHealthy(false, reason);
        throw new NodeError(
          coreErrors.code.FILE_WRITE,
          `cannot write to ${path}: ${reason}${code ? ` (${code})` : ''}`,
          {
            path,
            code,
            os: (err as Error).message,
          },
        );
      }
    };

    return {
      onMessage(msg) {
        if (closing)
          throw new NodeError(
            coreErrors.code.FILE_CLOSED,
            `file-out is stopping: the message was not written to ${path}`,
          );
        let json: string;
        try {
          json = JSON.stringify(property === 'payload' ? msg.payload : msg) ?? 'null';
        } catch (err) {
          throw new NodeError(
            coreErrors.code.NOT_SERIALIZABLE,
            `this message cannot be written as JSON: ${(err as Error).message}`,
          );
        }
        inFlight = writeLine(`${json}\n`);
        return inFlight;
      },
      close() {
        closing ??= (async () => {
          // A failed write was already reported through onMessage; here we only wait for it to end.
          await inFlight?.then(undefined, () => undefined);
          const file = handle;
          handle = undefined;
          if (!file) return;
          try {
            await file.datasync(); // edge boxes lose power: make what we wrote survive it
          } catch (err) {
            ctx.log.warn('could not flush the file to disk', { path, error: String(err) });
          }
          await file.close();
        })();
        return closing;
      },
    };
  },
});
