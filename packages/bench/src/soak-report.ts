// The soak's verdict and its tables: what a sample holds, growth after warm-up, message accounting,
// and the text printed and written to the report file. Pure functions, so a test can feed samples.
import type { MemoryMap } from './process-tree';

/** One reading of the runtime, every `sampleSeconds` while the load runs. */
export interface SoakSample {
  /** Seconds since the load started. */
  atSeconds: number;
  /** Resident memory of the whole process tree of `tagflow start`. */
  rssMb: number;
  /** The lowest RSS read since the previous sample (read every 2 s). */
  rssFloorMb?: number;
  /** Open file descriptors of the whole tree. */
  fds: number;
  fdsFloor?: number;
  processes: number;
  /** RSS of each process of the tree, `tagflow start` itself first (a supervisor, then its engine and helpers). */
  processRssMb?: number[];
  /** The process tree's own memory (RssAnon: heaps, malloc arenas, stacks), without mapped files. */
  rssAnonMb?: number;
  rssAnonFloorMb?: number;
  /** RssAnon of each process, in the order of processRssMb. */
  processRssAnonMb?: number[];
  /** Mapped files and shared memory of each process (RssFile + RssShmem: code, libraries, SQLite's files). */
  processRssFileMb?: number[];
  /** Each process's own memory split into malloc's main arena, its thread arenas and the rest (V8's pages, stacks), from smaps. */
  processMemoryMap?: Array<MemoryMap | undefined>;
  /** CPU of the whole tree since the previous sample, in % of one core. */
  cpuPct: number;
  /** V8 heap in use (nodejs_heap_size_used_bytes, summed over the processes /metrics reports); undefined when /metrics did not answer. */
  heapMb?: number;
  /** The lowest heap read since the previous sample: where the garbage collector brought it back to. */
  heapFloorMb?: number;
  /** The admin process alone: the lowest V8 heap in use since the previous sample, the heap V8 has committed, and external memory (Buffers, ArrayBuffers). */
  adminHeapUsedFloorMb?: number;
  adminHeapTotalMb?: number;
  adminExternalMb?: number;
  /** Event-loop lag p99 (nodejs_eventloop_lag_p99_seconds, worst process), the worst of the scrapes since the previous sample. */
  lagP99Ms?: number;
  /** Worst event-loop lag since the previous sample (nodejs_eventloop_lag_max_seconds). */
  lagMaxMs?: number;
  /** Readings the plant has published so far. */
  published: number;
  /** Distinct readings the independent subscriber has received so far. */
  delivered: number;
  /** Messages and events the runtime dropped so far, from /metrics. */
  drops: number;
  /** Messages waiting in the publishers' buffers (tagflow_buffer_backlog). */
  backlog: number;
  /** Why /metrics gave nothing this time, when it did not answer. */
  metricsError?: string;
}

/**
 * How much one figure grew from the end of warm-up to the end: the lowest reading of the first tenth
 * of the samples after warm-up against the lowest of the last tenth. A heap saws between
 * collections (35 to 105 MB within two minutes here): two single readings, or the line through
 * them all, show growth or shrinkage by chance, while the level each collection brings it back to
 * is what a leak raises.
 */
export interface Growth {
  /** The lowest reading of the first tenth of the samples after warm-up. */
  start: number;
  /** The lowest reading of the last tenth. */
  end: number;
  /** (end - start) / start, in %. */
  pct: number;
  /** The least-squares slope through every sample after warm-up, in % of `start` per hour. */
  trendPctPerHour: number;
  /** The lowest and highest sample after warm-up. */
  min: number;
  max: number;
  /** How long each tenth lasts: it should span a few collections (a minute or more) for the lowest reading to mean anything. */
  windowSeconds: number;
  pass: boolean;
}

/** Every reading accounted for at the end. */
export interface Delivery {
  published: number;
  /** Readings the subscriber received at least once. */
  delivered: number;
  /** Readings published that the subscriber never received. */
  missing: number;
  /** Messages received more than once (QoS 1 is at least once: not a loss). */
  duplicates: number;
  unreadable: number;
  /** Rows of the average's tag in the historian's local store. */
  historianRows: number;
  /** Dropped messages and events, from /metrics at the end. */
  drops: number;
  /** Node errors, from /metrics at the end. */
  nodeErrors: number;
}

/** The soak's report (also written as JSON). */
export interface SoakReport {
  date: string;
  node: string;
  /** What ran: the tagflow version, the flow, the commands of the process tree at the end. */
  subject: { tagflow: string; flow: string; processes: string[] };
  forSeconds: number;
  rate: number;
  sampleSeconds: number;
  warmupSeconds: number;
  /** The growth limit, in %. */
  limitPct: number;
  samples: SoakSample[];
  /** rssAnonMb is shown, not judged: it tells whether RSS growth is the processes' own memory or mapped files. */
  growth: { rssMb?: Growth; heapMb?: Growth; fds?: Growth; rssAnonMb?: Growth };
  delivery?: Delivery;
  /** Per node at the end: counters and status text (/api/status). */
  nodes: Record<string, { in: number; out: number; errors: number; dropped: number; status?: string }>;
  /** Whatever went wrong: a child past its deadline, a runtime that exited, a figure that could not be read. */
  failures: string[];
  pass: boolean;
}

/** Growth must stay under this, in %, after warm-up. */
export const GROWTH_LIMIT_PCT = 5;

/**
 * Warm-up: the first third of the run or 20 minutes, whichever is less. At 1,000 msg/s the engine's
 * SQLite cache and V8 pages and the admin process's first major collection settle by minute 20
 * (README, Soak: two hours measured per process); judging from minute 5 judged that settling.
 */
export function warmupSeconds(forSeconds: number): number {
  return Math.min(forSeconds / 3, 1200);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Growth of one figure over the samples after warm-up (see Growth); undefined with fewer than 2 samples. */
export function growthOf(samples: SoakSample[], pick: (s: SoakSample) => number | undefined): Growth | undefined {
  const points = samples
    .map((s) => ({ t: s.atSeconds, v: pick(s) }))
    .filter((p): p is { t: number; v: number } => p.v !== undefined && Number.isFinite(p.v));
  if (points.length < 2) return undefined;
  const k = Math.min(points.length, Math.max(3, Math.round(points.length / 10)));
  const start = Math.min(...points.slice(0, k).map((p) => p.v));
  const end = Math.min(...points.slice(-k).map((p) => p.v));
  const pct = ((end - start) / start) * 100;
  const mt = points.reduce((a, p) => a + p.t, 0) / points.length;
  const mv = points.reduce((a, p) => a + p.v, 0) / points.length;
  const sxx = points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  const slope = sxx > 0 ? points.reduce((a, p) => a + (p.t - mt) * (p.v - mv), 0) / sxx : 0;
  const values = points.map((p) => p.v);
  return {
    start,
    end,
    pct,
    trendPctPerHour: ((slope * 3600) / start) * 100,
    min: Math.min(...values),
    max: Math.max(...values),
    windowSeconds: points[k - 1].t - points[0].t,
    pass: pct < GROWTH_LIMIT_PCT,
  };
}

/** The verdict: growth under the limit for RSS, heap and file handles, every reading delivered and stored, nothing dropped. */
export function verdict(
  r: Pick<SoakReport, 'samples' | 'warmupSeconds' | 'failures'> & { delivery?: Delivery },
): Pick<SoakReport, 'growth' | 'pass'> & { reasons: string[] } {
  const after = r.samples.filter((s) => s.atSeconds >= r.warmupSeconds);
  const growth = {
    rssMb: growthOf(after, (s) => s.rssFloorMb ?? s.rssMb),
    heapMb: growthOf(after, (s) => s.heapFloorMb ?? s.heapMb),
    fds: growthOf(after, (s) => s.fdsFloor ?? s.fds),
  };
  const rssAnonMb = growthOf(after, (s) => s.rssAnonFloorMb ?? s.rssAnonMb);
  const reasons: string[] = [...r.failures];
  for (const [name, g] of Object.entries(growth)) {
    if (!g) reasons.push(`${name}: too few samples after warm-up to measure growth`);
    else if (!g.pass) reasons.push(`${name} grew ${g.pct.toFixed(1)}% after warm-up (limit ${GROWTH_LIMIT_PCT}%)`);
  }
  const d = r.delivery;
  if (!d) reasons.push('delivery not accounted for');
  else {
    if (d.missing > 0) reasons.push(`${d.missing} of ${d.published} readings never reached the subscriber`);
    if (d.historianRows !== d.published)
      reasons.push(`the historian holds ${d.historianRows} rows for ${d.published} readings`);
    if (d.drops > 0) reasons.push(`the runtime dropped ${d.drops} messages or events`);
    if (d.nodeErrors > 0) reasons.push(`the nodes raised ${d.nodeErrors} errors`);
  }
  return { growth: { ...growth, rssAnonMb }, pass: reasons.length === 0, reasons };
}

const num = (x: number | undefined, digits = 0) => (x === undefined ? '-' : x.toFixed(digits));

/** The header and one line per sample, as printed while the soak runs. */
export const SAMPLE_HEADER =
  '   time | RSS MB | procs |  fds | heap MB | lag p99 ms | lag max ms | CPU % | in msg/s | out msg/s | drops | backlog | RSS per process | admin heap used/total, external MB | own: malloc main/arenas/other MB';

export function sampleLine(s: SoakSample, previous: SoakSample | undefined): string {
  const dt = previous ? s.atSeconds - previous.atSeconds : s.atSeconds;
  const rate = (now: number, before: number) => (dt > 0 ? (now - before) / dt : 0);
  const clock = `${Math.floor(s.atSeconds / 60)}:${String(Math.round(s.atSeconds % 60)).padStart(2, '0')}`;
  return (
    [
      clock.padStart(7),
      num(s.rssMb, 1).padStart(6),
      String(s.processes).padStart(5),
      String(s.fds).padStart(4),
      num(s.heapMb, 1).padStart(7),
      num(s.lagP99Ms, 1).padStart(10),
      num(s.lagMaxMs, 1).padStart(10),
      num(s.cpuPct).padStart(5),
      num(rate(s.published, previous?.published ?? 0)).padStart(8),
      num(rate(s.delivered, previous?.delivered ?? 0)).padStart(9),
      String(s.drops).padStart(5),
      String(s.backlog).padStart(7),
      (s.processRssMb ?? []).map((mb) => mb.toFixed(0)).join(' + ') +
        (s.processRssAnonMb ? ` (own ${s.processRssAnonMb.map((mb) => mb.toFixed(0)).join(' + ')})` : ''),
      `${num(s.adminHeapUsedFloorMb, 1)}/${num(s.adminHeapTotalMb, 1)}, ${num(s.adminExternalMb, 1)}`,
      (s.processMemoryMap ?? [])
        .map((m) =>
          m ? `${m.mallocMainMb.toFixed(1)}/${m.mallocArenasMb.toFixed(1)}/${m.otherAnonMb.toFixed(1)}` : '-',
        )
        .join(' + '),
    ].join(' | ') + (s.metricsError ? `  (/metrics: ${s.metricsError})` : '')
  );
}

const duration = (seconds: number) =>
  seconds >= 3600 && seconds % 3600 === 0
    ? `${seconds / 3600} h`
    : seconds >= 60
      ? `${(seconds / 60).toFixed(seconds % 60 ? 1 : 0)} min`
      : `${seconds} s`;

/** The summary lines: growth per figure with its verdict, message accounting, the overall verdict. */
export function summaryLines(r: SoakReport): string[] {
  const lines = [
    `soak of tagflow ${r.subject.tagflow} on Node ${r.node}, ${r.date}: ${duration(r.forSeconds)} at ${r.rate.toLocaleString('en')} msg/s, sampled every ${r.sampleSeconds} s, warm-up ${duration(r.warmupSeconds)}`,
    `growth after warm-up (lowest reading of the first tenth of the samples after warm-up against the last tenth's, limit ${GROWTH_LIMIT_PCT}%):`,
  ];
  const window = r.growth.rssMb?.windowSeconds;
  if (window !== undefined)
    lines[1] += ` each tenth ${duration(Math.round(window))}${window < 120 ? ': too short to span several garbage collections, growth is indicative only' : ''}`;
  const labels = {
    rssMb: 'RSS (process tree)',
    rssAnonMb: '  of which own',
    heapMb: 'V8 heap used',
    fds: 'file handles',
  } as const;
  for (const key of ['rssMb', 'rssAnonMb', 'heapMb', 'fds'] as const) {
    const g = r.growth[key];
    if (key === 'rssAnonMb' && !g) continue;
    const unit = key === 'fds' ? '' : ' MB';
    lines.push(
      g
        ? `  ${labels[key].padEnd(19)} ${num(g.start, 1)}${unit} -> ${num(g.end, 1)}${unit}: ${g.pct >= 0 ? '+' : ''}${g.pct.toFixed(1)}% (${g.trendPctPerHour >= 0 ? '+' : ''}${g.trendPctPerHour.toFixed(1)}%/h; samples ${num(g.min, key === 'fds' ? 0 : 1)}-${num(g.max, key === 'fds' ? 0 : 1)}${unit}) ${key === 'rssAnonMb' ? '(RssAnon, shown not judged)' : g.pass ? 'PASS' : 'FAIL'}`
        : `  ${labels[key].padEnd(19)} not measured`,
    );
  }
  const lags = r.samples.filter((s) => s.atSeconds >= r.warmupSeconds && s.lagMaxMs !== undefined);
  if (lags.length)
    lines.push(
      `  event-loop lag after warm-up: p99 median ${median(lags.map((s) => s.lagP99Ms!)).toFixed(1)} ms, worst ${Math.max(...lags.map((s) => s.lagMaxMs!)).toFixed(1)} ms`,
    );
  const d = r.delivery;
  lines.push(
    d
      ? `messages: ${d.published.toLocaleString('en')} published, ${d.delivered.toLocaleString('en')} delivered to the subscriber (${d.missing} missing, ${d.duplicates} duplicates), ${d.historianRows.toLocaleString('en')} historian rows, ${d.drops} dropped, ${d.nodeErrors} node errors: ${d.missing === 0 && d.historianRows === d.published && d.drops === 0 ? 'no loss' : 'LOSS'}`
      : 'messages: not accounted for',
  );
  for (const f of r.failures) lines.push(`FAILURE: ${f}`);
  lines.push(`verdict: ${r.pass ? 'PASS' : 'FAIL'}`);
  return lines;
}

/** The report file: the summary, the process tree, the nodes, and the samples as a table. */
export function reportMarkdown(r: SoakReport): string {
  const rows = r.samples.map((s, k) => `| ${sampleLine(s, r.samples[k - 1]).replace(/ \| /g, ' | ')} |`);
  return [
    `# tagflow soak, ${r.date}`,
    '',
    '```',
    ...summaryLines(r),
    '```',
    '',
    `Flow: ${r.subject.flow}. Process tree at the end:`,
    '',
    ...r.subject.processes.map((p) => `- \`${p}\``),
    '',
    '| node | in | out | errors | dropped | status |',
    '|---|---:|---:|---:|---:|---|',
    ...Object.entries(r.nodes).map(
      ([id, n]) => `| ${id} | ${n.in} | ${n.out} | ${n.errors} | ${n.dropped} | ${n.status ?? ''} |`,
    ),
    '',
    `| ${SAMPLE_HEADER.trim()} |`,
    `|${SAMPLE_HEADER.split('|')
      .map(() => '---:')
      .join('|')}|`,
    ...rows,
    '',
  ].join('\n');
}
