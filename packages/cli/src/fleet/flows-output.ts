import { formatTable } from '../format-text';
import type { FlowSummary } from './admin-client';

/** What `tagflow flows` shows of one runtime: its flows, or why they could not be read. */
export type FlowsResult =
  | { runtime: string; url: string; ok: true; flows: FlowSummary[] }
  /** `reachable` is false when no HTTP answer came; true for a refused token or a server error. */
  | { runtime: string; url: string; ok: false; reachable: boolean; error: string };

/** The JSON `tagflow flows --json` prints: a public interface for scripts. */
export function flowsJson(results: readonly FlowsResult[]) {
  return {
    ok: results.every((r) => r.ok),
    runtimes: results.map((r) =>
      r.ok
        ? { runtime: r.runtime, url: r.url, ok: true, reachable: true, flows: r.flows }
        : { runtime: r.runtime, url: r.url, ok: false, reachable: r.reachable, error: r.error },
    ),
  };
}

/**
 * One row per flow of each runtime (in the runtime's order): id, state, version, message
 * counters, name last (it may hold spaces). A runtime without flows, or that could not be asked,
 * gets one line saying so, outside the columns.
 */
export function formatFlows(results: readonly FlowsResult[]): string {
  const header = ['runtime', 'flow', 'state', 'version', 'in', 'out', 'errors', 'dropped', 'name'];
  const rows: string[][] = [];
  for (const r of results) {
    if (!r.ok) continue;
    for (const f of r.flows) {
      const c = f.counters ?? { in: 0, out: 0, errors: 0, dropped: 0 };
      rows.push([
        r.runtime,
        f.id,
        f.state,
        f.version > 0 ? `v${f.version}` : 'none',
        String(c.in),
        String(c.out),
        String(c.errors),
        String(c.dropped),
        f.name ?? '',
      ]);
    }
  }
  const table = formatTable([header, ...rows]).map((line) => line.trimEnd());
  const nameWidth = Math.max(header[0]?.length ?? 0, ...results.map((r) => r.runtime.length));
  const lines = table.slice(0, 1);
  let row = 1;
  for (const r of results) {
    if (!r.ok) lines.push(`${r.runtime.padEnd(nameWidth)}  ${r.reachable ? 'failed' : 'unreachable'}: ${r.error}`);
    else if (r.flows.length === 0) lines.push(`${r.runtime.padEnd(nameWidth)}  no flow`);
    else
      for (const f of r.flows) {
        lines.push(table[row++] ?? '');
        // Why a flow failed or stopped, below its row: it would widen the columns of every row.
        if (f.reason) lines.push(`    ${f.reason.replace(/\s*\r?\n\s*/g, ' ')}`);
      }
  }
  return `${lines.join('\n')}\n`;
}
