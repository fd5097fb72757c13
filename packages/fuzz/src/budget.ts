import fc from 'fast-check';

/**
 * How long the properties run, from the environment. The test suite runs a short, fixed-seed
 * budget so that it never flakes; `pnpm fuzz` (FUZZ_LONG=1) runs a long one with a random seed.
 *
 * - `FUZZ_RUNS`: runs per property (default: each property's short count; 50x that when long).
 * - `FUZZ_FOR`: wall time per property when long, e.g. `90s`, `10m` (default 1m).
 * - `FUZZ_SEED`, `FUZZ_PATH`: replay one failure, as printed under it.
 */
export interface FuzzBudget {
  long: boolean;
  seed: number;
  /** Replays this counterexample path (with `seed`) instead of generating. */
  path: string | undefined;
  /** Overrides every property's run count. */
  runs: number | undefined;
  /** Wall time per property in a long run. */
  timeLimitMs: number | undefined;
}

/** The seed of the short budget: the suite generates the same cases on every machine. */
export const SHORT_SEED = 20261203;

export function readBudget(env: NodeJS.ProcessEnv = process.env): FuzzBudget {
  const long = env.FUZZ_LONG === '1';
  const seedText = env.FUZZ_SEED;
  if (seedText !== undefined && !/^-?\d+$/.test(seedText))
    throw new Error(`FUZZ_SEED must be a whole number, as printed by a failure (got ${JSON.stringify(seedText)})`);
  const runsText = env.FUZZ_RUNS;
  if (runsText !== undefined && !/^[1-9]\d*$/.test(runsText))
    throw new Error(`FUZZ_RUNS must be a whole number of runs from 1 (got ${JSON.stringify(runsText)})`);
  return {
    long,
    // A random 32-bit seed, printed with any failure so it can be replayed.
    seed:
      seedText !== undefined ? Number(seedText) : long ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : SHORT_SEED,
    path: env.FUZZ_PATH || undefined,
    runs: runsText === undefined ? undefined : Number(runsText),
    timeLimitMs: long ? parseDuration(env.FUZZ_FOR ?? '1m') : undefined,
  };
}

/** `90s`, `10m`, `1h`, `500ms` or a bare number of seconds, in milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) throw new Error(`FUZZ_FOR must be a duration like 90s, 10m or 1h (got ${JSON.stringify(text)})`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] as number;
  return Math.round(Number(match[1]) * unit);
}

/** What one property is allowed in the short budget. */
export interface PropertyBudget {
  /** Runs in the test suite's short budget. */
  runs: number;
  /** Cases run first on every run, long or short (each a tuple of the property's arguments). */
  examples?: unknown[];
}

/** The fast-check parameters of one property under `budget`. */
export function parametersFor(own: PropertyBudget, budget: FuzzBudget = readBudget()): fc.Parameters<unknown> {
  const numRuns = budget.runs ?? (budget.long && !budget.path ? own.runs * 50 : own.runs);
  return {
    seed: budget.seed,
    ...(own.examples ? { examples: own.examples } : {}),
    ...(budget.path ? { path: budget.path, endOnFailure: true } : {}),
    // Long runs go on until their time limit; a replay (path) has none, so it keeps a count.
    numRuns: budget.long && budget.runs === undefined && !budget.path ? Number.MAX_SAFE_INTEGER : numRuns,
    // A replay runs its one case to the end, however long it takes (a hang shows as Jest's timeout).
    ...(budget.timeLimitMs !== undefined && !budget.path ? { interruptAfterTimeLimit: budget.timeLimitMs } : {}),
    // A long run stopped by its time limit passed for the runs it made; only a failure fails it.
    markInterruptAsFailure: false,
  };
}

/** Jest's timeout for a property: its time limit plus room to shrink a failure, or `shortMs`. */
export function timeoutFor(shortMs: number, budget: FuzzBudget = readBudget()): number {
  return budget.timeLimitMs === undefined ? shortMs : budget.timeLimitMs + Math.max(shortMs, 5 * 60_000);
}

/**
 * Runs a property with its budget and throws, on failure, a report that names the seed and the
 * counterexample's path, so `FUZZ_SEED=... FUZZ_PATH=... pnpm fuzz -t '<name>'` replays it.
 */
export async function checkProperty<Ts>(
  name: string,
  property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>,
  own: PropertyBudget,
  budget: FuzzBudget = readBudget(),
): Promise<void> {
  const details = await fc.check(property as fc.IAsyncProperty<Ts>, parametersFor(own, budget));
  if (!details.failed) return;
  throw new Error(failureReport(name, details));
}

/** The report of a failed property: the error, a bounded rendering of the counterexample, how to replay. */
export function failureReport<Ts>(name: string, details: fc.RunDetails<Ts>): string {
  if (details.counterexample === null)
    return `property "${name}" ran out of time in its run ${details.numRuns + 1} (seed ${details.seed}): a run that never ends, such as a hang`;
  const error = details.errorInstance;
  const reason = error instanceof Error ? error.message : String(error);
  return [
    `property "${name}" failed after ${details.numRuns} run(s) (shrunk ${details.numShrinks} time(s)):`,
    `  ${reason.split('\n').join('\n  ')}`,
    `counterexample: ${boundedStringify(details.counterexample)}`,
    `replay: FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''} pnpm fuzz -t '${testPattern(name)}'`,
  ].join('\n');
}

/** A Jest `-t` pattern that selects the running test alone (the property's name outside Jest). */
function testPattern(name: string): string {
  const state = (globalThis as { expect?: { getState?: () => { currentTestName?: string } } }).expect?.getState?.();
  const title = state?.currentTestName ?? name;
  const regex = `^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  return regex.replace(/'/g, `'\\''`);
}

/**
 * A rendering of a counterexample for people: nesting past 6 levels, long texts and collections are
 * cut (a generated payload can be 20,000 levels deep or 200 kB long), at most `max` characters.
 */
export function boundedStringify(value: unknown, max = 2000): string {
  const text = preview(value, 0);
  return text.length > max ? `${text.slice(0, max)}... [${text.length - max} more characters]` : text;
}

function preview(value: unknown, depth: number): string {
  if (typeof value === 'string')
    return value.length > 1500
      ? `${JSON.stringify(value.slice(0, 200))}... (${value.length} characters)`
      : JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Buffer.isBuffer(value)) return `Buffer(${value.length})`;
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  // The flow placeholders (Deep, NonFinite) print themselves in a few characters.
  if (!Array.isArray(value) && ![Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null))
    return ArrayBuffer.isView(value)
      ? `${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length})`
      : String(value);
  if (depth >= 6) return Array.isArray(value) ? '[...]' : '{...}';
  if (Array.isArray(value)) {
    const items = value.slice(0, 8).map((item) => preview(item, depth + 1));
    if (value.length > 8) items.push(`... ${value.length - 8} more`);
    return `[${items.join(',')}]`;
  }
  const keys = Object.keys(value);
  const fields = keys
    .slice(0, 12)
    .map((key) => `${JSON.stringify(key)}:${preview((value as Record<string, unknown>)[key], depth + 1)}`);
  if (keys.length > 12) fields.push(`... ${keys.length - 12} more keys`);
  return `{${fields.join(',')}}`;
}
