// The summary table that ends `pnpm bench` (issue 19): each figure the issue sets a target for,
// beside its baseline, marked `met` or `not met`. A part of the benchmark (engine, historian, the
// Node-RED comparison, scale-out, ...) runs in a process of its own; it reports its figures with
// reportFigure(), which appends one JSON line to the run's summary file (BENCH_SUMMARY_FILE, set by
// bench.ts); bench.ts reads them back once every part has ended, however it ended, and prints the
// table. A figure that was not reported shows as not measured, with the reason when its part failed.
//
//   import { reportFigure } from './summary';
//   reportFigure({ id: 'historian-out-sqlite', value: 81_000, baseline: 100_000 });
//   reportFigure({ id: 'scale-out-3', value: 0, missing: 'timed out after 60 s' });
//
// A figure in FIGURES below needs only its id, value and baseline (label, unit, baseline's name and
// target come from there); another figure passes them itself and is listed after these.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** What a figure must reach; `of baseline` targets compare with the baseline's value. */
export type Target =
  { kind: 'at least of baseline'; ratio: number } | { kind: 'at most'; limit: number } | { kind: 'none' };

export const atLeastOfBaseline = (ratio: number): Target => ({ kind: 'at least of baseline', ratio });
export const atMost = (limit: number): Target => ({ kind: 'at most', limit });
export const NO_TARGET: Target = { kind: 'none' };

/** A figure the summary always lists (as not measured when nothing reported it). */
export interface FigureSpec {
  id: string;
  /** The part of `pnpm bench` that measures it (bench.ts PARTS), to say why it is missing. */
  part: string;
  label: string;
  unit: string;
  /** What the figure is compared with, e.g. `plain mqtt.js`. */
  baselineLabel: string;
  target: Target;
}

/** One figure as a part reports it; what is left out comes from its FigureSpec. */
export interface FigureReport {
  id: string;
  /** The figure (a median, usually); null when it could not be measured. */
  value: number | null;
  /** The baseline's value in the same unit; null or absent when there is none or it failed. */
  baseline?: number | null;
  /** Why the value (or the baseline) is missing, e.g. `timed out after 60 s`. */
  missing?: string;
  /** Said after the verdict, e.g. `none lost` or `2 cores: the machine is the ceiling`. */
  note?: string;
  label?: string;
  unit?: string;
  baselineLabel?: string;
  target?: Target;
  part?: string;
}

const OF_MQTT_JS = atLeastOfBaseline(0.9);
const OF_DIRECT = atLeastOfBaseline(0.7);

/** The figures, in the order the table shows them. */
export const FIGURES: FigureSpec[] = [
  ...([0, 1] as const).map((qos) => ({
    id: `mqtt-out-qos${qos}`,
    part: 'nodered',
    label: `mqtt-out QoS ${qos}, delivered`,
    unit: 'msg/s',
    baselineLabel: 'plain mqtt.js publisher',
    target: OF_MQTT_JS,
  })),
  ...([0, 1] as const).map((qos) => ({
    id: `mqtt-in-qos${qos}`,
    part: 'nodered',
    label: `mqtt-in QoS ${qos}, received`,
    unit: 'msg/s',
    baselineLabel: 'plain mqtt.js subscriber',
    target: NO_TARGET,
  })),
  ...(['sqlite', 'postgresql', 'influxdb'] as const).map((backend) => ({
    id: `historian-out-${backend}`,
    part: 'historian',
    label: `historian-out, ${backend === 'sqlite' ? 'local SQLite' : backend === 'postgresql' ? 'PostgreSQL' : 'InfluxDB'}`,
    unit: 'rows/s',
    baselineLabel: 'direct batched write',
    target: OF_DIRECT,
  })),
  {
    id: 'cold-start',
    part: 'nodered',
    label: 'cold start, tagflow run pump-monitor',
    unit: 'ms',
    baselineLabel: 'Node-RED 4.1.15 embedded',
    target: atMost(300),
  },
  {
    id: 'idle-rss',
    part: 'nodered',
    label: 'idle RSS, tagflow run pump-monitor',
    unit: 'MB',
    baselineLabel: 'Node-RED 4.1.15 embedded',
    target: atMost(50),
  },
  ...[1, 2, 3].map((n) => ({
    id: `scale-out-${n}`,
    part: 'scale-out',
    label: `scale-out, ${n} runtime${n > 1 ? 's' : ''}, delivered`,
    unit: 'msg/s',
    baselineLabel: '1 runtime',
    target: NO_TARGET,
  })),
];

/** The file this run's figures go to, or undefined when the part runs alone (then nothing is kept). */
export const summaryFile = (): string | undefined => process.env.BENCH_SUMMARY_FILE || undefined;

/**
 * Reports one figure for the summary table of `pnpm bench`. Outside a `pnpm bench` run (a part
 * started alone) it does nothing.
 */
export function reportFigure(figure: FigureReport): void {
  const file = summaryFile();
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ part: process.env.BENCH_PART, ...figure })}\n`);
}

/** How a part of the run ended, as bench.ts saw it. */
export interface PartOutcome {
  name: string;
  /** `ok`, or e.g. `exited with code 1`, `FAILED: timed out after 60 s`, `not run`. */
  outcome: string;
  /** The part ended without its own figures (a crash, a time-out): its figures are missing for this reason. */
  failed: boolean;
}

/** A line of the table. */
export interface SummaryRow {
  id: string;
  label: string;
  unit: string;
  value: number | null;
  baselineLabel: string;
  baseline: number | null;
  target: Target;
  verdict: 'met' | 'not met' | 'not measured' | '-';
  why: string;
}

/** The figures reported in `file` (the last report of an id wins). */
export function readReports(file: string | undefined): FigureReport[] {
  if (!file || !existsSync(file)) return [];
  const byId = new Map<string, FigureReport>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as FigureReport;
    byId.set(r.id, r);
  }
  return [...byId.values()];
}

function verdict(value: number | null, baseline: number | null, target: Target): SummaryRow['verdict'] {
  if (value === null || !Number.isFinite(value)) return 'not measured';
  if (target.kind === 'none') return '-';
  if (target.kind === 'at most') return value <= target.limit ? 'met' : 'not met';
  if (baseline === null || !Number.isFinite(baseline) || baseline <= 0) return 'not measured';
  return value / baseline >= target.ratio ? 'met' : 'not met';
}

/** The table's rows: FIGURES in order, then any other figure reported; missing ones say why. */
export function summaryRows(reports: FigureReport[], parts: PartOutcome[]): SummaryRow[] {
  const specs = [...FIGURES];
  for (const r of reports)
    if (!specs.some((s) => s.id === r.id))
      specs.push({
        id: r.id,
        part: r.part ?? '?',
        label: r.label ?? r.id,
        unit: r.unit ?? '',
        baselineLabel: r.baselineLabel ?? '',
        target: r.target ?? NO_TARGET,
      });
  return specs.map((spec) => {
    const r = reports.find((x) => x.id === spec.id);
    const target = r?.target ?? spec.target;
    const value = r?.value ?? null;
    const baseline = r?.baseline ?? null;
    const part = parts.find((p) => p.name === (r?.part ?? spec.part));
    const v = verdict(value, baseline, target);
    let why = r?.missing ?? '';
    if (!r)
      why = !part ? `part "${spec.part}" not run` : part.failed ? `${part.name}: ${part.outcome}` : 'not reported';
    else if (v === 'not measured' && !why) why = value === null ? 'no value' : 'no baseline';
    return {
      id: spec.id,
      label: r?.label ?? spec.label,
      unit: r?.unit ?? spec.unit,
      value,
      baselineLabel: r?.baselineLabel ?? spec.baselineLabel,
      baseline,
      target,
      verdict: v,
      why: [why, r?.note].filter(Boolean).join('; '),
    };
  });
}

const fmt = (v: number | null, unit: string) => {
  if (v === null || !Number.isFinite(v)) return '-';
  // Times and sizes whole (ms) or to a tenth (MB); rates shortened (95.0k, 9.62M).
  if (unit === 'ms') return `${Math.round(v).toLocaleString('en')} ms`;
  if (unit === 'MB') return `${v.toFixed(1)} MB`;
  const n =
    Math.abs(v) >= 1e6
      ? `${(v / 1e6).toFixed(2)}M`
      : Math.abs(v) >= 1e4
        ? `${(v / 1e3).toFixed(1)}k`
        : v.toFixed(v < 100 ? 1 : 0);
  return `${n} ${unit}`.trim();
};

function targetText(t: Target, unit: string): string {
  if (t.kind === 'none') return '-';
  if (t.kind === 'at most') return `<= ${t.limit} ${unit}`.trim();
  return `>= ${Math.round(t.ratio * 100)}% of baseline`;
}

/** The table as text lines (a Markdown table, so that it can go into the README as it is). */
export function summaryTable(rows: SummaryRow[]): string[] {
  const cells = rows.map((r) => {
    const ratio =
      r.value !== null && r.baseline !== null && r.baseline > 0 ? `${Math.round((r.value / r.baseline) * 100)}%` : '-';
    return [
      r.label,
      fmt(r.value, r.unit),
      r.baselineLabel ? `${fmt(r.baseline, r.unit)} (${r.baselineLabel})` : '-',
      ratio,
      targetText(r.target, r.unit),
      r.verdict === 'not met' ? '**not met**' : r.verdict,
      r.why,
    ];
  });
  const head = ['figure', 'tagflow', 'baseline', 'tagflow / baseline', 'target', 'verdict', 'note'];
  const widths = head.map((h, k) => Math.max(h.length, ...cells.map((c) => c[k].length)));
  const line = (c: string[]) => `| ${c.map((x, k) => x.padEnd(widths[k])).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.map(line)];
}
