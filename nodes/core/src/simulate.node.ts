import { defineNode, filesPathProblems, problemsFrom } from '@tagflow/node-sdk';
import type { Message, Timer } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { createRandom, randomSeed } from './simulation/prng';
import { createSampleSource } from './simulation/sample-source';
import { createSignal } from './simulation/signal';
import type { GeneratedSignalConfig } from './simulation/signal';

/** The status shows progress at most this often, so a fast simulator does not flood the editor. */
const STATUS_EVERY_MS = 1000;

/** A signal's period in seconds, with what one period is. */
const period = (description: string) =>
  ({ type: 'number', description, exclusiveMinimum: 0, 'x-ui': { label: 'Period', unit: 's' } }) as const;

export default defineNode({
  type: 'simulate',
  version: 1,
  category: 'source',
  description: 'Simulated sensor: sine with noise, random walk, ramp, step, or a replayed CSV recording.',
  docs: [
    'A simulated sensor: a source that sends a number at a steady rate, shaped like a real process',
    'value (a noisy sine, a random walk, a ramp, a step) or replayed from a CSV recording. Use it to',
    'build and try a flow before the PLC is wired, to demo, and to benchmark (flood mode).',
    '',
    '## Signals',
    '',
    'Fields left out of a signal take the default shown (they are applied by the node: JSON Schema',
    'validators do not fill defaults inside a `oneOf`). `t` is the time since the node started.',
    '',
    '| `kind` | fields (default) | value |',
    '| --- | --- | --- |',
    '| `sine` | `amplitude` (1), `offset` (0), `periodSeconds` (60), `noise` (0) | `offset + amplitude·sin(2π·t/period)` plus gaussian noise of standard deviation `noise` |',
    '| `random-walk` | `start` (50), `step` (1), `min` (0), `max` (100) | starts at `start`; each sample moves by a uniform random amount in `[-step, step]`, bouncing off `min`/`max`. `min > max` or `start` outside them refuses the deploy |',
    '| `ramp` | `from` (0), `to` (100), `periodSeconds` (60) | sawtooth: rises linearly from `from` towards `to` over each period, then jumps back |',
    '| `step` | `low` (0), `high` (1), `periodSeconds` (60), `duty` (0.5) | square wave: `high` for the first `duty` fraction of each period, then `low` |',
    '| `replay` | `file` (required), `loop` (false), `useFileTimestamps` (false) | the values of a CSV recording, one per sample |',
    '',
    'Noise and the random walk draw from a seeded generator (mulberry32), and the periodic signals',
    'are computed from the clock, so a fixed `seed` (an unsigned 32-bit integer) gives the same values',
    'every run. Without a seed the node logs the seed it picked (debug level), so a run can be',
    'repeated.',
    '',
    "Once deployed, the node's inject button in the editor sends the next sample at once, the rate",
    'unchanged (nothing once `count` samples were sent or a replay finished).',
    '',
    '## Replay files',
    '',
    'One sample per line, `timestamp,value`:',
    '',
    '```csv',
    'timestamp,value',
    '2025-06-01T08:00:00Z,10.5',
    '2025-06-01T08:00:10Z,11',
    '1748764820000,12.25',
    '```',
    '',
    '- Timestamps are ISO 8601 (give `Z` or an offset: without one, the time is read as local time)',
    '  or milliseconds since the Unix epoch. Values are decimal numbers.',
    '- A first line that holds no timestamp and no number is a header; blank lines and lines',
    '  starting with `#` are skipped; fields may be in double quotes.',
    "- `file` is relative to the runtime's files folder: `<data dir>/files` (`~/.tagflow/files` by",
    '  default), or the folder given with `--files-dir`; `recordings/pump3.csv` is',
    '  `<data dir>/files/recordings/pump3.csv`. An absolute path or one that climbs out with `..`',
    '  (`../secret.key`) refuses the deploy (and `tagflow validate`) with `FILE_OUTSIDE_ROOT`, and so',
    '  does, at deploy, a symbolic link in the files folder that leads out of it.',
    '- The file is read when the flow is deployed. A missing file or a malformed line refuses the',
    '  deploy with the file name and the line number, e.g.',
    '  `data/pump.csv line 4: "eleven" is not a number; expected "timestamp,value" ...`.',
    "- The rows are sent at `intervalMs`, whatever the gaps between the file's timestamps.",
    '- `useFileTimestamps: false` (default) stamps each message with the time it is sent;',
    "  `true` keeps the file's timestamps (to reprocess a recording).",
    "- At the end of the file: with `loop`, the replay starts again at the first row, and the file's",
    "  timestamps move forward by the file's span plus one average step on each pass, so time never",
    '  goes backwards; without `loop`, the node stops and its status becomes `idle`, `replay finished`.',
    '',
    '## What it sends, and when',
    '',
    'The first sample goes out when the flow starts, then one every `intervalMs` (after 10 s at the',
    'default rate: 11 samples), until `count` samples were sent or the flow stops. Each message:',
    '',
    '```json',
    '{ "payload": 52.37, "topic": "pump3/flow", "timestamp": 1767225600000, "quality": "good", "unit": "m3/h" }',
    '```',
    '',
    '- `payload`: the value (a number).',
    '- `topic`: `tag`.',
    "- `timestamp`: when the sample was taken (the runtime clock), or the file's timestamp in replay",
    '  with `useFileTimestamps`.',
    '- `quality`: `good`, or `bad` for every `badEvery`th sample (the value is still the computed',
    '  one: it is the quality that says not to trust it).',
    '- `unit`: only when `unit` is set.',
    '',
    'The status shows `N samples sent` (updated at most once a second), then `done: N samples sent`',
    '(state `idle`) once `count` is reached, or `replay finished` at the end of a replay without loop.',
    '',
    '### When the flow cannot keep up',
    '',
    'With `intervalMs` above 0 the node is a timer, which cannot wait: while a node downstream has',
    'a full input queue under overflow `block` (an MQTT publisher whose buffer is full during a',
    'broker outage, a slow database), each tick that comes due is skipped: no sample is taken or',
    "sent. Skipped ticks are counted in the node's status (`… · 1,250 skipped`) and in /metrics",
    '(`tagflow_source_skipped_total{reason="held"}`); they do not count towards `count`, and a replay',
    'resumes at the row it had reached (its rows are delayed, not lost). Nothing is dropped: the',
    'samples sent are all delivered or counted as dropped by the node that lost them.',
    '',
    '### Flood mode (`intervalMs: 0`)',
    '',
    'For benchmarks: samples are sent back to back, as fast as the flow takes them. The node pauses',
    'whenever the engine asks it to (a downstream queue is full, or after a burst of sends), so',
    'nothing is dropped and the rest of the runtime (timers, I/O, the admin API) keeps running. It',
    'stops at `count`, at the end of a replay without loop, or when the flow stops. All samples taken',
    'in the same millisecond share a timestamp, so periodic signals change little in flood mode:',
    'use a random walk or a replay for varied values.',
    '',
    '## Example',
    '',
    'A flow sensor around 42 m³/h, one reading every 2 s, reproducible:',
    '',
    '```json',
    '{',
    '  "id": "flow-sensor",',
    '  "type": "simulate",',
    '  "typeVersion": 1,',
    '  "config": {',
    '    "tag": "pump3/flow",',
    '    "unit": "m3/h",',
    '    "intervalMs": 2000,',
    '    "seed": 7,',
    '    "signal": { "kind": "sine", "amplitude": 3, "offset": 42, "periodSeconds": 300, "noise": 0.4 }',
    '  }',
    '}',
    '```',
    '',
    'Replaying a recording in a loop: `"signal": { "kind": "replay", "file": "recordings/pump3.csv", "loop": true }`.',
  ].join('\n'),
  inputs: [],
  outputs: ['out'],
  manualTrigger: true,
  errors: coreErrors.pick(
    'INVALID_SIGNAL',
    'REPLAY_FILE_NOT_FOUND',
    'REPLAY_FILE_UNREADABLE',
    'REPLAY_BAD_LINE',
    'REPLAY_EMPTY',
    'FILE_OUTSIDE_ROOT',
  ),
  configSchema: {
    type: 'object',
    properties: {
      tag: {
        type: 'string',
        description: 'Tag name of the simulated sensor, sent as msg.topic.',
        default: 'sim/value',
        minLength: 1,
        'x-ui': { label: 'Tag', placeholder: 'pump3/flow' },
      },
      signal: {
        oneOf: [
          {
            type: 'object',
            title: 'Sine wave with noise',
            properties: {
              kind: { description: 'Selects a sine wave with noise.', const: 'sine', 'x-ui': { label: 'Kind' } },
              amplitude: {
                type: 'number',
                description: 'Height of the wave above the offset (default 1).',
                'x-ui': { label: 'Amplitude' },
              },
              offset: {
                type: 'number',
                description: 'Middle value of the wave (default 0).',
                'x-ui': { label: 'Offset' },
              },
              periodSeconds: period('Seconds per full wave (default 60).'),
              noise: {
                type: 'number',
                description: 'Standard deviation of the gaussian noise added to each sample (default 0: none).',
                minimum: 0,
                'x-ui': { label: 'Noise (standard deviation)' },
              },
            },
            required: ['kind'],
            additionalProperties: false,
          },
          {
            type: 'object',
            title: 'Random walk',
            properties: {
              kind: { description: 'Selects a random walk.', const: 'random-walk', 'x-ui': { label: 'Kind' } },
              start: { type: 'number', description: 'First value (default 50).', 'x-ui': { label: 'Start' } },
              step: {
                type: 'number',
                description: 'Largest change between two samples (default 1).',
                minimum: 0,
                'x-ui': { label: 'Largest step' },
              },
              min: {
                type: 'number',
                description: 'Lowest value; the walk bounces off it (default 0).',
                'x-ui': { label: 'Minimum' },
              },
              max: {
                type: 'number',
                description: 'Highest value; the walk bounces off it (default 100).',
                'x-ui': { label: 'Maximum' },
              },
            },
            required: ['kind'],
            additionalProperties: false,
          },
          {
            type: 'object',
            title: 'Ramp (sawtooth)',
            properties: {
              kind: { description: 'Selects a ramp (sawtooth).', const: 'ramp', 'x-ui': { label: 'Kind' } },
              from: {
                type: 'number',
                description: 'Value at the start of each period (default 0).',
                'x-ui': { label: 'From' },
              },
              to: {
                type: 'number',
                description: 'Value approached at the end of each period (default 100).',
                'x-ui': { label: 'To' },
              },
              periodSeconds: period('Seconds per ramp (default 60).'),
            },
            required: ['kind'],
            additionalProperties: false,
          },
          {
            type: 'object',
            title: 'Step (square wave)',
            properties: {
              kind: { description: 'Selects a step (square wave).', const: 'step', 'x-ui': { label: 'Kind' } },
              low: {
                type: 'number',
                description: 'Value in the low part of the period (default 0).',
                'x-ui': { label: 'Low' },
              },
              high: {
                type: 'number',
                description: 'Value in the high part of the period (default 1).',
                'x-ui': { label: 'High' },
              },
              periodSeconds: period('Seconds per period (default 60).'),
              duty: {
                type: 'number',
                description: 'Fraction of each period spent high, first (default 0.5).',
                minimum: 0,
                maximum: 1,
                'x-ui': { label: 'Duty cycle' },
              },
            },
            required: ['kind'],
            additionalProperties: false,
          },
          {
            type: 'object',
            title: 'Replay a CSV recording',
            properties: {
              kind: {
                description: 'Selects the replay of a CSV recording.',
                const: 'replay',
                'x-ui': { label: 'Kind' },
              },
              file: {
                type: 'string',
                description:
                  'CSV file of "timestamp,value" lines (ISO 8601 or epoch milliseconds), relative to the files folder.',
                minLength: 1,
                'x-ui': { label: 'CSV file', widget: 'file' },
              },
              loop: {
                type: 'boolean',
                description: 'Start again from the first line after the last (default false: stop).',
                'x-ui': { label: 'Loop' },
              },
              useFileTimestamps: {
                type: 'boolean',
                description: "Stamp messages with the file's timestamps instead of the send time (default false).",
                'x-ui': { label: "Use the file's timestamps" },
              },
            },
            required: ['kind', 'file'],
            additionalProperties: false,
          },
        ],
        description: 'Shape of the values. Fields left out take the default named in their description.',
        default: { kind: 'sine', amplitude: 10, offset: 50, periodSeconds: 60, noise: 0.5 },
        'x-ui': { label: 'Signal', discriminator: 'kind' },
      },
      intervalMs: {
        type: 'number',
        description: 'One sample every this many milliseconds. 0 sends as fast as the flow can take them (benchmarks).',
        default: 1000,
        minimum: 0,
        'x-ui': { label: 'Interval', unit: 'ms' },
      },
      count: {
        type: 'integer',
        description: 'Stop after this many samples. Leave empty to run until the flow stops.',
        minimum: 1,
        'x-ui': { label: 'Stop after' },
      },
      seed: {
        type: 'integer',
        description:
          'Fixes the random numbers, so every run gives the same values. Leave empty for a new seed each run.',
        minimum: 0,
        maximum: 4294967295,
        'x-ui': { label: 'Random seed', advanced: true },
      },
      unit: {
        type: 'string',
        description: 'Engineering unit, sent as msg.unit (e.g. m3/h, °C).',
        'x-ui': { label: 'Unit' },
      },
      badEvery: {
        type: 'integer',
        description: "Every Nth sample is sent with quality 'bad', to exercise quality handling downstream.",
        minimum: 1,
        'x-ui': { label: 'Bad quality every', advanced: true },
      },
    },
    additionalProperties: false,
  },

  // A replay file is read at create: whether it exists is a fact of the runtime's disk, not of the
  // config; whether its path stays inside the files folder is one of the config.
  check: (config) =>
    config.signal.kind === 'replay'
      ? filesPathProblems('/signal/file', config.signal.file)
      : problemsFrom('/signal', () => createSignal(config.signal as GeneratedSignalConfig, createRandom(0))),

  async create(ctx) {
    const config = ctx.config;
    const seed = config.seed ?? randomSeed();
    const source = await createSampleSource(config.signal, createRandom(seed), ctx.files);
    if (config.seed === undefined)
      ctx.log.debug('simulating with a random seed; set it in the config to repeat this run', { seed });
    const unit = config.unit;

    let sent = 0;
    let startedAt = 0;
    let lastStatusAt = Number.NEGATIVE_INFINITY;
    let stopped = false;
    let timer: Timer | undefined;
    let flooding: Promise<void> | undefined;

    const showProgress = (now: number): void => {
      lastStatusAt = now;
      ctx.status({ state: 'ok', text: `${sent} samples sent` });
    };

    const finish = (text: string): void => {
      stopped = true;
      timer?.cancel();
      ctx.status({ state: 'idle', text });
    };

    /** Sends one sample; returns what `send` returned, or false once the simulation is over. */
    const emit = (now: number): boolean => {
      const sample = source.next(now, now - startedAt);
      if (sample === undefined) {
        finish('replay finished');
        return false;
      }
      sent++;
      const bad = config.badEvery !== undefined && sent % config.badEvery === 0;
      const quality = bad ? 'bad' : 'good';
      // Two fixed literal shapes rather than spreading optional fields: V8 keeps every message of
      // this source on one hidden class, which keeps downstream nodes fast.
      const msg: Message<number> =
        unit === undefined
          ? { payload: sample.value, topic: config.tag, timestamp: sample.timestamp, quality }
          : { payload: sample.value, topic: config.tag, timestamp: sample.timestamp, quality, unit };
      const more = ctx.send(msg);
      if (config.count !== undefined && sent >= config.count) finish(`done: ${sent} samples sent`);
      else if (source.finished) finish('replay finished');
      else if (now - lastStatusAt >= STATUS_EVERY_MS) showProgress(now);
      return more && !stopped;
    };

    const tick = (): void => {
      if (stopped) return;
      // A timer cannot be held back: while the flow downstream is full (overflow `block`), the
      // tick is skipped and counted rather than sent into a queue that would have to drop it.
      if (ctx.held) {
        ctx.skipped();
        return;
      }
      try {
        emit(ctx.clock.now());
      } catch (err) {
        ctx.error(err);
      }
    };

    // Flood mode: as fast as the flow takes them, pausing whenever the engine asks (full queues,
    // or a long burst) so timers and I/O elsewhere in the runtime keep running.
    const flood = async (): Promise<void> => {
      // Let the deploy finish before the first burst.
      await ctx.drain();
      while (!stopped && !ctx.signal.aborted) {
        // One clock read per burst: a burst takes well under a millisecond, the clock's resolution.
        const now = ctx.clock.now();
        while (emit(now));
        if (!stopped) await ctx.drain();
      }
    };

    return {
      start() {
        startedAt = ctx.clock.now();
        showProgress(startedAt);
        if (config.intervalMs > 0) {
          // A sensor has a reading as soon as it is polled: the first sample goes out at start.
          tick();
          if (!stopped) timer = ctx.clock.setInterval(tick, config.intervalMs);
        } else {
          flooding = flood().catch((err: unknown) => ctx.error(err));
        }
      },
      // The inject button: one sample now, the rate unchanged; nothing once the simulation is over.
      onTrigger() {
        if (!stopped) emit(ctx.clock.now());
      },
      async close() {
        stopped = true;
        timer?.cancel();
        await flooding;
      },
    };
  },
});
