import type { FileHandle } from 'node:fs/promises';
import { NodeError, defineNode, filesPathProblems, isNodeError } from '@tagflow/node-sdk';
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
  description: 'Appends each message to a file as one JSON line.',
  docs: [
    'Appends each message it receives to a file, as one JSON line ([JSON Lines](https://jsonlines.org)).',
    'A simple local historian: one file per flow or tag, readable by any tool, line by line.',
    '',
    '## Where the file is',
    '',
    "`path` is relative to the runtime's files folder: `<data dir>/files` (`~/.tagflow/files` by",
    'default), or the folder given with `tagflow start --files-dir` / `tagflow run --files-dir`.',
    '`"path": "pump3/avg.jsonl"` writes `<data dir>/files/pump3/avg.jsonl`. Flows write nowhere else:',
    '',
    '- an absolute path (`/var/lib/tagflow/pump3-avg.jsonl`) or one that climbs out with `..`',
    '  (`../audit.log`) refuses the deploy (and `tagflow validate`) with `FILE_OUTSIDE_ROOT`;',
    '- a symbolic link inside the files folder that leads out of it is refused when the file is',
    "  opened: the message is not written, it goes to error handling and the node's status turns",
    '  to `error`.',
    '',
    'A flow written before the files folder existed, with an absolute path, is refused until its',
    'path is made relative (nothing is rewritten for you): move the file into the files folder',
    '(`mv /var/lib/tagflow/pump3-avg.jsonl ~/.tagflow/files/`) and write `"path": "pump3-avg.jsonl"`,',
    'or start the runtime with `--files-dir` set to the folder that holds it.',
    '',
    '## What it sends to the file, and when',
    '',
    'One line per message, in the order the messages arrive, appended after what the file already',
    'holds (it is never truncated). With `property: "msg"`:',
    '',
    '```',
    '{"payload":42.7,"topic":"pump3/flow","timestamp":1767225600000,"quality":"good"}',
    '```',
    '',
    'With `property: "payload"` the line is the payload\'s JSON (`42.7`); an `undefined` payload is',
    'written as `null`.',
    '',
    '- The file is opened on the first message and kept open. Each write completes before the next',
    '  message is taken, so lines keep their order, and when the disk is slower than the source the',
    "  node's input queue fills and pauses the source (nothing is dropped with the default queue",
    '  policy `block`).',
    '- If the file does not end with a newline when it is opened (a write cut short by a full disk,',
    '  a file made by hand), the next line starts on a new line, so one torn line never spoils the next.',
    '- When the flow stops, the node waits for the write in progress, flushes the file to disk',
    '  (`fdatasync`, so the lines survive a power cut) and closes it.',
    '',
    '## When it fails',
    '',
    '- `FILE_WRITE`: the line could not be written. The message says why in plain words, e.g.',
    '  `cannot write to x/out.jsonl (/var/lib/tagflow/files/x/out.jsonl): a part of the path is a file, not a folder (ENOTDIR)`',
    '  (also: the folder does not exist, permission denied, the disk is full, read-only file system).',
    "  The failed message goes to error handling (a catch node) with this error; the node's status",
    '  turns to `error`. The file is opened again for the next message, so writing resumes by itself',
    '  once the cause is fixed.',
    '- `FILE_OUTSIDE_ROOT`: `path` leads outside the files folder (see above). Refused at deploy when',
    '  it is absolute or climbs out with `..`; through a symbolic link, reported like `FILE_WRITE`.',
    '- `NOT_SERIALIZABLE`: the message holds a value JSON cannot represent (a BigInt, a circular',
    '  reference). The next messages are written as usual.',
    '',
    '## Example',
    '',
    'Keep every averaged flow value on the edge box:',
    '',
    '```json',
    '{ "id": "log-avg", "type": "file-out", "typeVersion": 1, "config": { "path": "pump3-avg.jsonl" } }',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: [],
  errors: coreErrors.pick('FILE_WRITE', 'FILE_CLOSED', 'NOT_SERIALIZABLE', 'FILE_OUTSIDE_ROOT'),
  configSchema: {
    type: 'object',
    properties: {
      path: {
        type: 'string',
        description:
          "File to append to (JSON Lines), relative to the runtime's files folder (<data dir>/files, or --files-dir).",
        minLength: 1,
        'x-ui': { label: 'File', placeholder: 'pump3/avg.jsonl' },
      },
      property: {
        description: "What to write: the whole message, or its payload only ('payload').",
        default: 'msg',
        enum: ['msg', 'payload'],
        'x-ui': { label: 'Write', enumLabels: { msg: 'whole message', payload: 'msg.payload' } },
      },
      createDir: {
        type: 'boolean',
        description: "Create the file's folder (inside the files folder) if it does not exist.",
        default: true,
        'x-ui': { label: 'Create folder' },
      },
    },
    required: ['path'],
    additionalProperties: false,
  },

  check: (config) => filesPathProblems('/path', config.path),

  create(ctx) {
    const { path, property, createDir } = ctx.config;
    // Refuses a path outside the files folder here too, for callers that skip the deploy's check.
    const where = `${path} (${ctx.files.resolve(path)})`;
    let handle: FileHandle | undefined;
    /** The file does not end with a newline (a torn write, a hand-made file): start the next line on a new one. */
    let needsNewline = false;
    let healthy: boolean | undefined;
    let inFlight: Promise<void> | undefined;
    let closing: Promise<void> | undefined;

    const openFile = async (): Promise<FileHandle> => {
      // 'a+': appends, and lets us read the last byte to see whether a line was left unfinished.
      const file = await ctx.files.open(path, 'a+', { createDir });
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
        if (isNodeError(err) && err.code === coreErrors.code.FILE_OUTSIDE_ROOT) {
          // Refused by the files folder (a link out of it): its words already name the node and path.
          setHealthy(false, `refused: ${path} is outside the files folder`);
          throw err;
        }
        const code = (err as NodeJS.ErrnoException).code;
        const reason = (code === undefined ? undefined : PLAIN_WORDS[code]) ?? (err as Error).message;
        setHealthy(false, reason);
        throw new NodeError(
          coreErrors.code.FILE_WRITE,
          `cannot write to ${where}: ${reason}${code ? ` (${code})` : ''}`,
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
