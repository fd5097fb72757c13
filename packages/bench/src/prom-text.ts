// Reading the runtime's /metrics (the Prometheus text format) without a client library: the soak
// needs a handful of values, summed over whatever labels (per node, per process) they carry.

/** Every sample of a scrape, by metric name: one entry per label set. */
export type Scrape = Map<string, Array<{ labels: string; value: number }>>;

// name, then labels (whose quoted values may hold braces and escaped quotes), value, optional timestamp.
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?\s+(\S+)(?:\s+-?\d+)?$/;

/** Parses a Prometheus text exposition; comment and blank lines are skipped. */
export function parseProm(text: string): Scrape {
  const scrape: Scrape = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line.trim());
    if (!m) throw new Error(`not a Prometheus sample line: ${line.slice(0, 120)}`);
    const list = scrape.get(m[1]) ?? [];
    list.push({ labels: m[2] ?? '', value: Number(m[3]) });
    scrape.set(m[1], list);
  }
  return scrape;
}

/** The sum of metrics over their label sets; undefined when the scrape has none of them. */
export function sumOf(scrape: Scrape, ...names: string[]): number | undefined {
  const list = names.flatMap((name) => scrape.get(name) ?? []);
  return names.some((name) => scrape.has(name)) ? list.reduce((sum, s) => sum + s.value, 0) : undefined;
}

/** The largest value of metrics over their label sets; undefined when the scrape has none of them. */
export function maxOf(scrape: Scrape, ...names: string[]): number | undefined {
  const list = names.flatMap((name) => scrape.get(name) ?? []);
  return list.length > 0 ? Math.max(...list.map((s) => s.value)) : undefined;
}
