import type { EngineLogger } from '@tagflow/runtime';

type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * The engine's logger for the command line: one readable line per record on stderr, such as
 * `[avg] connected` or `error: [avg] payload is not a number (NOT_A_NUMBER)`.
 * Stacks of unexpected errors are shown at level `debug` only (TAGFLOW_LOG_LEVEL=debug).
 */
export function createConsoleLogger(
  write: (line: string) => void,
  level: string = process.env.TAGFLOW_LOG_LEVEL ?? 'info',
): EngineLogger {
  const threshold = RANK[level as Level] ?? RANK.info;
  const log = (recordLevel: Level) => (obj: object, msg?: string) => {
    if (RANK[recordLevel] < threshold) return;
    const fields = obj as Record<string, unknown>;
    const prefix = recordLevel === 'warn' || recordLevel === 'error' ? `${recordLevel}: ` : '';
    const source = fields.node ?? fields.resource;
    const tag = typeof source === 'string' ? `[${source}] ` : '';
    // The engine words node errors as `node "id" (type): ...`; the tag already names the node.
    const text =
      typeof source === 'string' ? (msg ?? '').replace(`node "${source}" (${String(fields.type)}): `, '') : (msg ?? '');
    const err = fields.err instanceof Error ? fields.err : undefined;
    const cause = err ? `: ${err.message}` : '';
    const code = typeof fields.code === 'string' ? ` (${fields.code})` : '';
    write(`${prefix}${tag}${text}${cause}${code}`);
    const stack = typeof fields.stack === 'string' ? fields.stack : err?.stack;
    if (threshold <= RANK.debug && stack) write(indent(stack));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
