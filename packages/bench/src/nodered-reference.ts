import type { System } from './systems';

/**
 * The shared definition of the Node-RED comparison (issue 8): the value sequence, the threshold and
 * the exact number of messages that pass "mean of the last 10 values > threshold", computed in plain
 * JS. Both child processes (Node-RED's and tagflow's) check their sink count against it.
 * node-red-node-smooth's "mean" and tagflow's moving-average both send the mean of the values seen so
 * far while the window fills, so the count is the same for both.
 */
export const WINDOW = 10;
export const THRESHOLD = 100;

/** Sawtooth 0..199: integers, so every window sum is exact and both engines agree to the bit. */
export function value(i: number): number {
  return i % 200;
}

export function expectedPass(n: number, threshold = THRESHOLD): number {
  const ring = new Float64Array(WINDOW);
  let len = 0;
  let head = 0;
  let sum = 0;
  let pass = 0;
  for (let i = 0; i < n; i++) {
    const v = value(i);
    const old = len === WINDOW ? ring[head] : 0;
    ring[head] = v;
    head = (head + 1) % WINDOW;
    if (len < WINDOW) len++;
    sum += v - old;
    if (sum / len > threshold) pass++;
  }
  return pass;
}

/**
 * Figure 6's function node body, the same text in both systems: a unit conversion, the kind of small
 * computation users write function nodes for.
 */
export const FUNCTION_CODE = 'msg.payload = Math.round(msg.payload * 1.8 + 32);\nreturn msg;';

/** The topic figure 5 publishes to. */
export const MQTT_TOPIC = 'bench/out';

/**
 * What the harness source feeds:
 * - `reference`: mean of 10 -> switch (> 100) [x fanout] -> counting sink (figures 1-4);
 * - `function`: a function node running FUNCTION_CODE -> counting sink (figure 6);
 * - `mqtt`: mean of 10 -> switch (> 100) -> MQTT publisher to `mqtt.port` (figure 5), counted by a
 *   subscriber in another process.
 */
export type BenchFlow = 'reference' | 'function' | 'mqtt';

/** What the orchestrator asks a child process to do (passed as JSON in argv[2]). */
export interface ChildConfig {
  /**
   * burst: N messages as fast as the system takes them; rate: a steady rate, timing each message;
   * cold: one message as soon as the flow runs, then idle until killed (figure 4).
   */
  mode: 'burst' | 'rate' | 'cold';
  flow?: BenchFlow;
  /** Switches after the moving average, all wired to the sink (1 = figure 1, 2 = figure 2). */
  fanout: number;
  /** flow `mqtt`: the broker's loopback port and the QoS to publish with. */
  mqtt?: { port: number; qos: 0 | 1 };
  /** burst: messages to send, and how many per event-loop turn. */
  n?: number;
  chunk?: number;
  /** rate: messages per second, for how long, and how much of the start to leave out of the statistics. */
  rate?: number;
  seconds?: number;
  warmupSeconds?: number;
  timeoutMs?: number;
}

/** How many messages reach the counting sink (or, for `mqtt`, the broker) when `n` are sent. */
export function expectedAtSink(cfg: Pick<ChildConfig, 'flow' | 'fanout'>, n: number): number {
  return cfg.flow === 'function' ? n : expectedPass(n) * (cfg.flow === 'mqtt' ? 1 : cfg.fanout);
}

/** What a child process sends back over IPC. */
export interface ChildResult {
  type: 'result';
  system: System;
  version: string;
  ok: boolean;
  count: number;
  expected: number;
  /** burst: messages in per second (for `mqtt`: until the last was handed to the publisher). */
  msgsPerSec?: number;
  ms?: number;
  /** rate: latency source -> sink of every message that reached the sink after the warm-up, in ms. */
  latencyMs?: { n: number; p50: number; p99: number; max: number };
  cpuPct: number;
  peakRssMb: number;
  startupMs: number;
}

/** Nearest-rank percentile of an ascending Float64Array. */
export function pct(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
