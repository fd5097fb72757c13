import { formatIssue } from '@tagflow/flow-model';
import { count, formatTable } from '../format-text';
import type { FlowSummary, NodeRuntimeStatus, RuntimeStatus } from './admin-client';
import type { FlowResult, RuntimeOutcome } from './deploy-plan';

/** Detail lines under a row are indented this much. */
const DETAIL = '    ';

/** The one-line result of a deploy or rollback on a runtime, and lines explaining it. */
export function describeOutcome(outcome: RuntimeOutcome): { summary: string; details: string[] } {
  switch (outcome.status) {
    case 'deployed': {
      const warnings = outcome.warnings ?? [];
      const suffix = warnings.length > 0 ? ` (${count(warnings.length, 'warning')})` : '';
      const note = outcome.version.note ? [outcome.version.note] : [];
      return {
        summary: `deployed v${outcome.version.version}${suffix}`,
        details: [...note, ...warnings.map((w) => `warning: ${formatIssue(w)}`)],
      };
    }
    case 'unchanged':
      return { summary: `unchanged v${outcome.version.version}`, details: [] };
    case 'rejected':
      return {
        summary: `rejected (${count(outcome.errors.length, 'error')})`,
        details: outcome.errors.map(formatIssue),
      };
    case 'rolled-back': {
      const restored = outcome.restored
        ? `v${outcome.restored.version} runs again`
        : 'there was no earlier version to restore';
      return {
        summary: `rolled back: ${oneLine(outcome.reason)}`,
        details: [`v${outcome.failedVersion.version} failed in its health window; ${restored}`],
      };
    }
    case 'conflict':
      return {
        summary: `conflict: it was changed meanwhile (now v${outcome.current}); check and deploy again`,
        details: [],
      };
    case 'unreachable':
      return { summary: `unreachable: ${outcome.error}`, details: [] };
    case 'failed':
      return { summary: `failed: ${outcome.error}`, details: [] };
    case 'skipped':
      return { summary: `skipped (${outcome.reason})`, details: [] };
  }
}

/** The result table of a deploy or rollback: one row per runtime and flow, explanations indented below it. */
export function formatResults(results: readonly FlowResult[]): string {
  const described = results.map((r) => describeOutcome(r.outcome));
  const rows = formatTable([
    ['runtime', 'flow', 'result'],
    ...results.map((r, i) => [r.runtime, r.flow, (described[i] as { summary: string }).summary]),
  ]);
  const lines = [rows[0]];
  results.forEach((_, i) => {
    lines.push(rows[i + 1], ...(described[i] as { details: string[] }).details.map((d) => `${DETAIL}${d}`));
  });
  return `${lines.join('\n')}\n`;
}

/** What `tagflow status` shows of one runtime: its status, or why it could not be read. */
export type StatusResult =
  | {
      runtime: string;
      url: string;
      ok: true;
      status: RuntimeStatus;
      /** The nodes of every flow, by flow id: read when the runtime has more than one flow. */
      flowNodes?: Record<string, Record<string, NodeRuntimeStatus>>;
    }
  /** `reachable` is false when no HTTP answer came; true for a refused token or a server error. */
  | { runtime: string; url: string; ok: false; reachable: boolean; error: string };

/** A node that needs a look: in state `error`, or having counted errors. */
export interface NodeInError {
  /** The flow it belongs to, when known. */
  flow?: string;
  id: string;
  state: string;
  text?: string;
  errors: number;
}

/** The nodes in error, by id (of the flow `status` describes). */
export function nodesInError(status: RuntimeStatus): NodeInError[] {
  return inError(status.nodes, status.flow?.id);
}

/** The nodes in error of every flow of a runtime (flow by flow, in the runtime's order), by id. */
export function runtimeNodesInError(result: { status: RuntimeStatus; flowNodes?: StatusFlowNodes }): NodeInError[] {
  if (!result.flowNodes) return nodesInError(result.status);
  return Object.entries(result.flowNodes).flatMap(([flow, nodes]) => inError(nodes, flow));
}

type StatusFlowNodes = Record<string, Record<string, NodeRuntimeStatus>>;

function inError(nodes: Record<string, NodeRuntimeStatus>, flow: string | undefined): NodeInError[] {
  return Object.entries(nodes)
    .filter(([, n]) => n.status?.state === 'error' || (n.counters?.errors ?? 0) > 0)
    .map(([id, n]: [string, NodeRuntimeStatus]) => ({
      ...(flow === undefined ? {} : { flow }),
      id,
      state: n.status?.state ?? 'unknown',
      text: n.status?.text,
      errors: n.counters?.errors ?? 0,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Messages waiting in store-and-forward buffers, over all nodes (of every flow, when read). */
export function totalBacklog(status: RuntimeStatus, flowNodes?: StatusFlowNodes): number {
  const all = flowNodes ? Object.values(flowNodes) : [status.nodes];
  return all.reduce((sum, nodes) => sum + Object.values(nodes).reduce((s, n) => s + (n.status?.backlog ?? 0), 0), 0);
}

/** The JSON `tagflow status --json` prints: a public interface for scripts. */
export function statusJson(results: readonly StatusResult[]) {
  return {
    ok: results.every((r) => r.ok),
    runtimes: results.map((r) =>
      r.ok
        ? {
            runtime: r.runtime,
            url: r.url,
            ok: true,
            reachable: true,
            flow: r.status.flow,
            flows: r.status.flows ?? null,
            engine: r.status.engine ?? null,
            uptimeSeconds: r.status.uptimeSeconds,
            runtimeVersion: r.status.runtime?.version,
            nodeVersion: r.status.runtime?.node,
            nodes: Object.keys(r.status.nodes).length,
            nodesInError: runtimeNodesInError(r),
            backlog: totalBacklog(r.status, r.flowNodes),
          }
        : { runtime: r.runtime, url: r.url, ok: false, reachable: r.reachable, error: r.error },
    ),
  };
}

/** The status table: one row per runtime, its nodes in error below it. */
export function formatStatus(results: readonly StatusResult[]): string {
  const header = ['runtime', 'state', 'flow', 'nodes in error', 'backlog', 'up'];
  const cells = results.map((r) => {
    if (!r.ok) return [r.runtime, '', '', '', '', ''];
    const inError = runtimeNodesInError(r).length;
    return [
      r.runtime,
      engineState(r.status),
      flowColumn(r.status),
      inError === 0 ? 'none' : String(inError),
      String(totalBacklog(r.status, r.flowNodes)),
      formatUptime(r.status.uptimeSeconds),
    ];
  });
  const rows = formatTable([header, ...cells]);
  const nameWidth = Math.max(header[0]?.length ?? 0, ...results.map((r) => r.runtime.length));
  const lines = [rows[0]];
  results.forEach((r, i) => {
    if (!r.ok) {
      // Not laid out in the columns: the error would widen the "state" column for every row.
      lines.push(`${r.runtime.padEnd(nameWidth)}  ${r.reachable ? 'failed' : 'unreachable'}: ${r.error}`);
      return;
    }
    lines.push(rows[i + 1].trimEnd());
    for (const line of describeEngine(r.status)) lines.push(`${DETAIL}${line}`);
    const several = (r.status.flows?.length ?? 0) > 1;
    if (several) for (const f of r.status.flows ?? []) lines.push(`${DETAIL}${describeFlow(f)}`);
    else for (const line of onlyFlowReason(r.status)) lines.push(`${DETAIL}${line}`);
    for (const n of runtimeNodesInError(r)) lines.push(`${DETAIL}${describeNodeInError(n, several)}`);
  });
  return `${lines.join('\n')}\n`;
}

/** `ok` while the engine runs, else its state (`safe-mode`, `restarting`, ...). */
function engineState(status: RuntimeStatus): string {
  const state = status.engine?.state ?? 'running';
  return state === 'running' ? 'ok' : state;
}

/** Why no flow runs (safe mode), and the last end of the engine: what an operator looks at first. */
function describeEngine(status: RuntimeStatus): string[] {
  const engine = status.engine;
  if (!engine) return [];
  const lines: string[] = [];
  if (engine.safeMode) lines.push(`safe mode since ${engine.safeMode.since}: ${oneLine(engine.safeMode.reason)}`);
  const end = engine.lastEnd;
  if (end) {
    const node = end.nodeId ? ` while node "${end.nodeId}"${end.nodeType ? ` (${end.nodeType})` : ''} ran` : '';
    const version = end.version !== undefined ? ` (version ${end.version})` : '';
    lines.push(`engine ended at ${end.at}${version}${node}: ${oneLine(end.reason)}`);
  }
  return lines;
}

/**
 * The flow column: the one flow (with its state when it does not run), `N flows` (each on a line
 * below), or `no flow`. A runtime older than many flows per runtime tells only its one flow.
 */
function flowColumn(status: RuntimeStatus): string {
  const flows = status.flows;
  if (flows === undefined) return status.flow ? `${status.flow.id} v${status.flow.version}` : 'no flow';
  if (flows.length === 0) return 'no flow';
  if (flows.length > 1) return `${flows.length} flows`;
  const [only] = flows as [FlowSummary];
  return `${only.id} v${only.version}${only.state === 'running' ? '' : ` (${only.state})`}`;
}

/** The reason a runtime's only flow does not run, shown below it (several flows: on their own lines). */
function onlyFlowReason(status: RuntimeStatus): string[] {
  const flows = status.flows ?? [];
  const [only] = flows;
  return flows.length === 1 && only?.reason ? [`flow ${only.id}: ${oneLine(only.reason)}`] : [];
}

/** `flow alarms v2: running, 120 in, 118 out, 0 errors, 0 dropped`. */
export function describeFlow(f: FlowSummary): string {
  const c = f.counters ?? { in: 0, out: 0, errors: 0, dropped: 0 };
  const reason = f.reason ? ` (${oneLine(f.reason)})` : '';
  return `flow ${f.id} v${f.version}: ${f.state}${reason}, ${c.in} in, ${c.out} out, ${count(c.errors, 'error')}, ${c.dropped} dropped`;
}

function describeNodeInError(n: NodeInError, withFlow = false): string {
  return `${withFlow && n.flow !== undefined ? `${n.flow}/` : ''}${n.id}: state ${n.state}${n.text ? ` (${n.text})` : ''}, ${count(n.errors, 'error')}`;
}

/** `59` -> `59s`, `3700` -> `1h 1m`, `90000` -> `1d 1h`. */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ');
}
