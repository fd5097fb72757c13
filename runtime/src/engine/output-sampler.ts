import { outputPorts } from '@tagflow/flow-model';
import type { Clock, Message, Timer } from '@tagflow/node-sdk';
import type { NodeRunner } from './node-runner';

/** How long one sample window lasts: the editor's trends get one point per port per window. */
export const SAMPLE_WINDOW_MS = 1000;

/**
 * What the payloads of a port were in a window, by the last one: `number` draws as a line,
 * `boolean` as steps, `string` and `object` (alarm events, records) as markers.
 */
export type PayloadKind = 'number' | 'boolean' | 'string' | 'object' | 'other';

/** What one output port of one node sent during one window. */
export interface PortSample {
  nodeId: string;
  port: string;
  /** The kind of the last payload sent in the window. */
  kind: PayloadKind;
  /** Messages sent in the window. */
  count: number;
  /**
   * Of these, those with a number in them: a finite number, a boolean (1/0), or an object with a
   * numeric `value` (an alarm event's value). `last`, `min`, `max` are over these only.
   */
  numeric: number;
  last?: number;
  min?: number;
  max?: number;
  /** The last string payload, or the last object payload as JSON, cut to 120 characters. */
  text?: string;
  /** The topic of the last message, when it had one (the editor finds a historian tag with it). */
  topic?: string;
}

/** A window's samples of one flow, for every port that sent anything in it. */
export interface SamplesEvent {
  flowId: string;
  /** The end of the window, ms since the Unix epoch. */
  time: number;
  windowMs: number;
  samples: PortSample[];
}

const TEXT_MAX = 120;
/** The output a node's errors leave by when wired (the engine's error routing). */
const ERROR_OUTPUT = 'error';

/**
 * Running figures of one port. The listener runs at every send of a sampled node, so it does no
 * allocation, no clock read and one property read: it keeps the last message by reference and
 * takes its kind, topic and text once per window.
 */
class PortAccumulator {
  count = 0;
  numeric = 0;
  last = 0;
  min = Infinity;
  max = -Infinity;
  lastMsg: Message | undefined = undefined;

  constructor(
    readonly nodeId: string,
    readonly port: string,
  ) {}

  readonly listen = (msg: Message): void => {
    this.count++;
    this.lastMsg = msg;
    const payload: unknown = msg.payload;
    let value: number;
    if (typeof payload === 'number') value = payload;
    else if (typeof payload === 'boolean') value = payload ? 1 : 0;
    else if (typeof payload === 'object' && payload !== null) {
      const inner = (payload as { value?: unknown }).value;
      if (typeof inner !== 'number') return;
      value = inner;
    } else return;
    if (value - value !== 0) return; // NaN and ±Infinity draw nothing
    this.numeric++;
    this.last = value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  };

  /** The window's sample, then starts the next window; undefined when nothing was sent. */
  take(): PortSample | undefined {
    if (this.count === 0) return undefined;
    const msg = this.lastMsg;
    const payload: unknown = msg?.payload;
    const kind = kindOf(payload);
    const sample: PortSample = { nodeId: this.nodeId, port: this.port, kind, count: this.count, numeric: this.numeric };
    if (this.numeric > 0) {
      sample.last = this.last;
      sample.min = this.min;
      sample.max = this.max;
    }
    if (kind === 'string' || kind === 'object') sample.text = summarise(payload);
    if (typeof msg?.topic === 'string') sample.topic = msg.topic;
    this.count = 0;
    this.numeric = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.lastMsg = undefined;
    return sample;
  }
}

function kindOf(payload: unknown): PayloadKind {
  switch (typeof payload) {
    case 'number':
    case 'boolean':
    case 'string':
      return typeof payload as PayloadKind;
    case 'object':
      return payload === null ? 'other' : 'object';
    default:
      return 'other';
  }
}

/**
 * Samples what every node of one flow sends, per output port, in windows of `SAMPLE_WINDOW_MS`:
 * count, last, min and max of the numbers, and the kind of payload. It exists only while someone
 * listens to the engine's `samples` event (the editor): it hooks into the runners' taps, which
 * cost one comparison per send when unused. The error port is left out: errors reach the editor
 * as `node-error` events.
 */
export class OutputSampler {
  private readonly hooked = new Map<NodeRunner, { accumulators: PortAccumulator[]; untap: Array<() => void> }>();
  private readonly timer: Timer;

  constructor(
    private readonly flowId: () => string | undefined,
    private readonly clock: Clock,
    private readonly emit: (event: SamplesEvent) => void,
    readonly windowMs = SAMPLE_WINDOW_MS,
  ) {
    this.timer = clock.setInterval(() => this.flush(), windowMs);
  }

  /** Samples exactly `runners` (after each deploy's wiring): new ones are hooked, gone ones released. */
  attach(runners: Iterable<NodeRunner>): void {
    const keep = new Set(runners);
    for (const [runner, hook] of this.hooked) {
      if (keep.has(runner)) continue;
      for (const untap of hook.untap) untap();
      this.hooked.delete(runner);
    }
    for (const runner of keep) {
      if (this.hooked.has(runner)) continue;
      const ports = outputPorts(runner.definition, runner.node.config).filter((p) => p !== ERROR_OUTPUT);
      const accumulators = ports.map((port) => new PortAccumulator(runner.id, port));
      this.hooked.set(runner, {
        accumulators,
        untap: accumulators.map((a) => runner.tap(a.port, a.listen)),
      });
    }
  }

  /** Emits the current window's samples now (if any port sent anything) and starts the next one. */
  flush(): void {
    const samples: PortSample[] = [];
    for (const { accumulators } of this.hooked.values()) {
      for (const accumulator of accumulators) {
        const sample = accumulator.take();
        if (sample) samples.push(sample);
      }
    }
    const flowId = this.flowId();
    if (samples.length === 0 || flowId === undefined) return;
    this.emit({ flowId, time: this.clock.now(), windowMs: this.windowMs, samples });
  }

  /** Releases every tap and stops the window timer. */
  close(): void {
    this.timer.cancel();
    this.attach([]);
  }
}

function summarise(payload: unknown): string {
  let text: string;
  if (typeof payload === 'string') text = payload;
  else {
    try {
      text = JSON.stringify(payload) ?? String(payload);
    } catch (err) {
      // A cycle or a BigInt: the marker still says what kind of thing was sent.
      text = `(an object that is not JSON: ${err instanceof Error ? err.message : String(err)})`;
    }
  }
  return text.length > TEXT_MAX ? `${text.slice(0, TEXT_MAX - 1)}…` : text;
}
