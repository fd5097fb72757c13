/** `count(1, 'node')` -> `1 node`, `count(5, 'node')` -> `5 nodes`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * Lays rows out in columns, each as wide as its widest cell, two spaces apart; the last column is
 * not padded, so long descriptions do not add trailing spaces.
 */
export function formatTable(rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map(
    (row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '),
  );
}

/** Prefixes every line of a multi-line text; no lines for an empty text. */
export function prefixLines(text: string, prefix: string): string[] {
  return text === '' ? [] : text.split('\n').map((line) => `${prefix}${line}`);
}

/** `10000` -> `10s`, `1500` -> `1500ms`. */
export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
