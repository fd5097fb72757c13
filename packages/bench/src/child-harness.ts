/**
 * The measuring half of a child process of the Node-RED comparison, shared by Node-RED's child
 * (nodered/nr-child.cjs) and tagflow's (tagflow-child.ts) so that both are driven and timed by the
 * same code: a source that sends either N messages (a `chunk` per event-loop turn) or a steady rate
 * (1 ms timer, every due message per tick), and a sink that counts and times what arrives.
 */
import type { ChildConfig, ChildResult } from './nodered-reference';
import { expectedAtSink, pct, THRESHOLD, value } from './nodered-reference';
import type { System } from './systems';

/**
 * Hands one message to the system's source. tagflow's answers false when the flow asks its
 * sources to wait (backpressure, or the engine yielding the event loop): the harness then goes on
 * in the next turn, as tagflow's own sources do; Node-RED's answers nothing.
 */
export type Send = (msg: Record<string, unknown>) => boolean | void;

export interface Harness {
  /** The sink calls this for every message it receives. */
  hit(msg: { sentAt?: unknown }): void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

export function readConfig(): ChildConfig {
  return JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
}

export function createHarness(): Harness & {
  count: number;
  expected: number;
  onDone: (() => void) | null;
  lat: Float64Array | null;
  sendRel: Float64Array | null;
  t0: number;
} {
  const h = {
    count: 0,
    expected: -1,
    onDone: null as (() => void) | null,
    lat: null as Float64Array | null,
    sendRel: null as Float64Array | null,
    t0: 0,
    hit(msg: { sentAt?: unknown }) {
      const c = h.count++;
      if (h.lat !== null && c < h.lat.length) {
        const sentAt = msg.sentAt as number;
        h.lat[c] = performance.now() - sentAt;
        h.sendRel![c] = sentAt - h.t0;
      }
      if (h.count === h.expected && h.onDone) h.onDone();
    },
  };
  return h;
}

/** Runs the measurement `cfg` asks for, with `send` feeding the flow's source, and reports over IPC. */
export async function measure(
  system: System,
  version: string,
  startupMs: number,
  cfg: ChildConfig,
  h: ReturnType<typeof createHarness>,
  send: Send,
): Promise<ChildResult> {
  await sleep(300); // let the runtime settle after start, as the anchor does
  const cpu0 = process.cpuUsage();
  const done = new Promise<void>((r) => (h.onDone = r));
  const timeout = sleep(cfg.timeoutMs ?? 120_000);
  if (cfg.mode === 'burst') {
    const n = cfg.n ?? 100_000;
    const chunk = cfg.chunk ?? 1;
    const toBroker = cfg.flow === 'mqtt';
    h.expected = expectedAtSink(cfg, n);
    const ts = Date.now();
    // The subscriber (another process) times delivery from this moment.
    if (toBroker) process.send?.({ type: 'started', t0Epoch: Date.now() });
    const t0 = performance.now();
    let i = 0;
    const allSent = new Promise<void>((resolve) => {
      const step = () => {
        const end = Math.min(n, i + chunk);
        while (i < end)
          if (send({ payload: value(i++), topic: 'sensor/1', timestamp: ts, quality: 'good' }) === false) break;
        if (i < n) setImmediate(step);
        else resolve();
      };
      step();
    });
    if (toBroker) {
      // Nothing to count here: the parent says when the subscriber has seen everything.
      await allSent;
      const ms = performance.now() - t0;
      process.send?.({ type: 'sent' });
      await new Promise<void>((resolve) =>
        process.on('message', (m: { cmd?: string }) => m.cmd === 'report' && resolve()),
      );
      const cpu = process.cpuUsage(cpu0);
      return {
        type: 'result',
        system,
        version,
        ok: true,
        count: -1,
        expected: h.expected,
        msgsPerSec: n / (ms / 1000),
        ms,
        cpuPct: (cpu.user + cpu.system) / 10 / (performance.now() - t0),
        peakRssMb: peakRssMb(),
        startupMs,
      };
    }
    await Promise.race([done, timeout]);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await sleep(200); // nothing more may arrive
    return {
      type: 'result',
      system,
      version,
      ok: h.count === h.expected,
      count: h.count,
      expected: h.expected,
      msgsPerSec: n / (ms / 1000),
      ms,
      cpuPct: (cpu.user + cpu.system) / 10 / ms,
      peakRssMb: peakRssMb(),
      startupMs,
    };
  }
  const rate = cfg.rate ?? 1000;
  const seconds = cfg.seconds ?? 5;
  const total = Math.round(rate * seconds);
  h.expected = expectedAtSink(cfg, total);
  h.lat = new Float64Array(h.expected);
  h.sendRel = new Float64Array(h.expected);
  h.t0 = performance.now();
  let i = 0;
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - h.t0) / 1000) * rate) + 1);
    for (; i < due; i++)
      send({ payload: value(i), topic: 'sensor/1', timestamp: Date.now(), quality: 'good', sentAt: performance.now() });
    if (i < total) setTimeout(tick, 1);
  };
  tick();
  await Promise.race([done, sleep(seconds * 1000 + 5000)]);
  const wallMs = performance.now() - h.t0;
  const cpu = process.cpuUsage(cpu0);
  const warmMs = (cfg.warmupSeconds ?? 1) * 1000;
  const n = Math.min(h.count, h.lat.length);
  const kept: number[] = [];
  for (let k = 0; k < n; k++) if (h.sendRel[k] >= warmMs) kept.push(h.lat[k]);
  const sorted = Float64Array.from(kept).sort();
  await sleep(200);
  return {
    type: 'result',
    system,
    version,
    ok: h.count === h.expected,
    count: h.count,
    expected: h.expected,
    latencyMs: { n: sorted.length, p50: pct(sorted, 50), p99: pct(sorted, 99), max: sorted[sorted.length - 1] },
    cpuPct: (cpu.user + cpu.system) / 10 / wallMs,
    peakRssMb: peakRssMb(),
    startupMs,
  };
}

/**
 * Figure 4: one message as soon as the flow runs (a value the switch passes), `first` to the parent
 * when the sink has it, then idle with the flow deployed until the parent has read the RSS and
 * kills the process.
 */
export function coldStart(h: ReturnType<typeof createHarness>, send: Send): void {
  h.expected = 1;
  h.onDone = () => process.send?.({ type: 'first' });
  // An embedded runtime with nothing listening would otherwise let the process end.
  setInterval(() => undefined, 60_000);
  send({ payload: THRESHOLD + 50, topic: 'sensor/1', timestamp: Date.now(), quality: 'good' });
}

/** Sends the result (or an error) to the parent and exits. */
export function report(result: ChildResult | { type: 'error'; error: string }): void {
  if (process.send) process.send(result, () => process.exit(0));
  else {
    console.log(JSON.stringify(result));
    process.exit(0);
  }
}
