import { defineNode } from '@tagflow/node-sdk';
import type { Message, Timer } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { createRandom, randomSeed } from './simulation/prng';
import { createSampleSource } from './simulation/sample-source';

/** The status shows progress at most this often, so a fast simulator does not flood the editor. */
const STATUS_EVERY_MS = 1000;

const period = { type: 'number', exclusiveMinimum: 0, 'x-ui': { label: 'Period (s)' } } as const;

export default defineNode({
  type: 'simulate',
  version: 1,
  category: 'source',
  description: 'Simulated sensor: sine with noise, random walk, ramp, step, or a replayed CSV recording',
  inputs: [],
  outputs: ['out'],
  errors: coreErrors.pick(
    'INVALID_SIGNAL',
    'REPLAY_FILE_NOT_FOUND',
    'REPLAY_FILE_UNREADABLE',
    'REPLAY_BAD_LINE',
    'REPLAY_EMPTY',
  ),
  configSchema: {
    type: 'object',
    properties: {
      tag: {
        type: 'string',
        minLength: 1,
        default: 'sim/value',
        description: 'Tag name of the simulated sensor, sent as msg.topic.',
        'x-ui': { label: 'Tag', placeholder: 'pump3/flow' },
      },
      signal: {
        description: 'Shape of the values. Fields left out take the default named in their description.',
        default: { kind: 'sine', amplitude: 10, offset: 50, periodSeconds: 60, noise: 0.5 },
        'x-ui': { label: 'Signal', discriminator: 'kind' },
        oneOf: [
          {
            type: 'object',
            title: 'Sine wave with noise',
            properties: {
              kind: { const: 'sine' },
              amplitude: { type: 'number', description: 'Height of the wave above the offset (default 1).' },
              offset: { type: 'number', description: 'Middle value of the wave (default 0).' },
              periodSeconds: { ...period, description: 'Seconds per full wave (default 60).' },
              noise: {
                type: 'number',
                minimum: 0,
                description: 'Standard deviation of the gaussian noise added to each sample (default 0: none).',
              },
            },
            required: ['kind'],
            additionalProperties: false,
          },
          {
            type: 'object',
            title: 'Random walk',
            properties: {
              kind: { const: 'random-walk' },
              start: { type: 'number', description: 'First value (default 50).' },
              step: { type: 'number', minimum: 0, description: 'Largest change between two samples (default 1).' },
              min: { type: 'number', description: 'Lowest value; the walk bounces off it (default 0).' },
              max: { type: 'number', description: 'Highest value; the walk bounces off it (default 100).' },
            },
            required: ['kind'],
            additionalProperties: false,
          },
          {
            type: 'object',
            title: 'Ramp (sawtooth)',
            properties: {
              kind: { const: 'ramp' },
              from: { type: 'number', description: 'Value at the start of each period (default 0).' },
              to: { type: 'number', description: 'Value approached at the end of each period (default 100).' },
              periodSeconds: { ...period, description: 'Seconds per ramp (default 60).' },
            },
            required: ['kind'],
            additionalProperties: false,
          },
          {
            type: 'object',
            title: 'Step (square wave)',
            properties: {
              kind: { const: 'step' },
              low: { type: 'number', description: 'Value in the low part of the period (default 0).' },
              high: { type: 'number', description: 'Value in the high part of the period (default 1).' },
              periodSeconds: { ...period, description: 'Seconds per period (default 60).' },
              duty: {
                type: 'number',
                minimum: 0,
                maximum: 1,
                description: 'Fraction of each period spent high, first (default 0.5).',
              },
            },
            required: ['kind'],
            additionalProperties: false,
          },
          {
            type: 'object',
            title: 'Replay a CSV recording',
            properties: {
              kind: { const: 'replay' },
              file: {
                type: 'string',
                minLength: 1,
                description: 'Path of a CSV file of "timestamp,value" lines (ISO 8601 or epoch milliseconds).',
                'x-ui': { widget: 'file' },
              },
              loop: {
                type: 'boolean',
                description: 'Start again from the first line after the last (default false: stop).',
              },
              useFileTimestamps: {
                type: 'boolean',
                description: "Stamp messages with the file's timestamps instead of the send time (default false).",
              },
            },
            required: ['kind', 'file'],
            additionalProperties: false,
          },
        ],
      },
      intervalMs: {
        type: 'number',
        minimum: 0,
        default: 1000,
        description: 'One sample every this many milliseconds. 0 sends as fast as the flow can take them (benchmarks).',
        'x-ui': { label: 'Interval (ms)' },
      },
      count: {
        type: 'integer',
        minimum: 1,
        description: 'Stop after this many samples. Leave empty to run until the flow stops.',
        'x-ui': { label: 'Stop after' },
      },
      seed: {
        type: 'integer',
        minimum: 0,
        maximum: 4294967295,
        description:
          'Fixes the random numbers, so every run gives the same values. Leave empty for a new seed each run.',
        'x-ui': { label: 'Random seed', advanced: true },
      },
      unit: {
        type: 'string',
        description: 'Engineering unit, sent as msg.unit (e.g. m3/h, °C).',
        'x-ui': { label: 'Unit' },
      },
      badEvery: {
        type: 'integer',
        minimum: 1,
        description: "Every Nth sample is sent with quality 'bad', to exercise quality handling downstream.",
        'x-ui': { label: 'Bad quality every', advanced: true },
      },
    },
    additionalProperties: false,
  },

  async create(ctx) {
    const config = ctx.config;
    const seed = config.seed ?? randomSeed();
    const source = await createSampleSource(config.signal, createRandom(seed));
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
      async close() {
        stopped = true;
        timer?.cancel();
        await flooding;
      },
    };
  },
});
