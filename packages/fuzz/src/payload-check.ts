import fc from 'fast-check';
import { outputPorts } from '@tagflow/flow-model';
import { sdkErrors } from '@tagflow/node-sdk';
import type { AnyNodeDefinition, Message } from '@tagflow/node-sdk';
import { testNode } from '@tagflow/node-test';
import { withDeadline } from './deploy-check';
import { anyNumber, finiteNumber, oddString, payloadValue } from './odd-values';
import { expectPlainWords } from './plain-words';

const QUALITIES = new Set(['good', 'uncertain', 'bad']);
/** How long one message may take through one node before the property calls it a hang. */
const STEP_DEADLINE_MS = 10_000;

/** A message as a source would send it: a valid envelope (timestamp, quality, maybe a topic) around any payload. */
export function wellFormedMessage(payload: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(
    {
      payload,
      topic: fc.oneof(fc.constantFrom('pump3/flow', 'a', ''), fc.string({ maxLength: 8 })),
      timestamp: fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2027, 0, 1) }),
      quality: fc.constantFrom('good', 'uncertain', 'bad'),
      unit: fc.constant('bar'),
    },
    { requiredKeys: ['payload', 'timestamp', 'quality'], noNullPrototype: true },
  );
}

/** A message whose envelope is odd too (what a buggy custom node could send): any topic, timestamp or quality. */
export const oddEnvelopeMessage: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    payload: payloadValue,
    topic: fc.oneof(oddString, anyNumber, fc.constantFrom(null, {}, [])),
    timestamp: fc.oneof(anyNumber, oddString, fc.constantFrom(null, undefined, -1, 0, 1e20)),
    quality: fc.oneof(fc.constantFrom('good', 'GOOD', '', null, undefined, 0, 'bad '), oddString),
  },
  { requiredKeys: ['payload'], noNullPrototype: true },
);

/** Any message a node may be handed, mostly with a valid envelope. */
export const anyMessage: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 4, arbitrary: wellFormedMessage(payloadValue) },
  { weight: 1, arbitrary: oddEnvelopeMessage },
);

/** Well-formed messages with finite numbers only: a numeric processor must answer each without an error. */
export const finiteMessage = wellFormedMessage(finiteNumber);

/** One thing a property does to a node: hand it a message, then maybe let fake time pass. */
export interface Step {
  msg: Record<string, unknown>;
  advanceMs: number;
}

export function stepsOf(message: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Step[]> {
  return fc.array(
    fc.record({
      msg: message,
      advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 120_000 })),
    }),
    { minLength: 1, maxLength: 6 },
  );
}

/** What a run of a node under `steps` produced, for checks beyond the general ones. */
export interface NodeRun {
  outputs: Message[];
  errors: Array<{ code: string; message: string }>;
}

/**
 * Runs `steps` through a fresh node in the real engine (the node-test harness, fake time) and checks
 * what every core node must honour whatever it is handed: nothing escapes as a throw or a hang; an
 * error is a NodeError with a code its definition lists and a message in plain words (never the
 * engine's UNEXPECTED, which means a crash in the node); what it sends is a message; no envelope
 * field is made invalid by the node; the counters add up.
 */
export async function checkNodeRun(
  definition: AnyNodeDefinition,
  config: Record<string, unknown>,
  steps: readonly Step[],
  /** The files folder the node's file paths are relative to (default: in a new temporary data dir). */
  filesDir?: string,
): Promise<NodeRun> {
  const h = await testNode(definition, { config, filesDir });
  const where = `${definition.type} ${JSON.stringify(config).slice(0, 200)}`;
  let closed = false;
  try {
    for (const step of steps) {
      await withDeadline(h.send(step.msg), STEP_DEADLINE_MS, `${where}: a message`);
      if (step.advanceMs > 0) await withDeadline(h.advance(step.advanceMs), STEP_DEADLINE_MS, `${where}: time passing`);
    }
    await withDeadline(h.idle(), STEP_DEADLINE_MS, `${where}: going idle`);
    const counters = h.flow.engine.stats()['node-under-test'];
    const outputs = outputPorts(definition, config).flatMap((port) => h.outputs(port));
    const errors = h.errors;
    for (const error of errors) {
      if (error.code === sdkErrors.code.UNEXPECTED)
        throw new Error(`${where}: the node crashed (UNEXPECTED): ${error.message}\n${error.stack ?? ''}`);
      if (!definition.errors || !Object.hasOwn(definition.errors, error.code))
        throw new Error(`${where}: error code ${error.code} is not in the definition's errors`);
      expectPlainWords(error.message, `${where}: ${error.code}`);
    }
    const validEnvelopes = steps.every((s) => validEnvelope(s.msg));
    for (const out of outputs) {
      if (out === null || typeof out !== 'object' || !('payload' in out))
        throw new Error(`${where}: sent something that is not a message: ${String(out)}`);
      if (validEnvelopes && !validEnvelope(out))
        throw new Error(
          `${where}: sent a message with timestamp ${String(out.timestamp)} and quality ${String(out.quality)} from valid ones`,
        );
    }
    if (counters.in !== steps.length) throw new Error(`${where}: counted ${counters.in} in for ${steps.length} sent`);
    if (counters.errors !== errors.length)
      throw new Error(`${where}: counted ${counters.errors} errors, reported ${errors.length}`);
    if (counters.out !== outputs.length)
      throw new Error(`${where}: counted ${counters.out} out, sent ${outputs.length}`);
    // The engine loses nothing on the way in; a node may drop by design (rate-limit's `drop`,
    // delay's queue bound), counted under its own reason.
    const engineDropped =
      (counters.drops['queue-full'] ?? 0) + (counters.drops.closed ?? 0) + (counters.drops.loop ?? 0);
    if (engineDropped !== 0 || counters.queued !== 0)
      throw new Error(
        `${where}: ${engineDropped} dropped by the engine and ${counters.queued} queued after going idle`,
      );
    closed = true;
    await withDeadline(h.close(), STEP_DEADLINE_MS, `${where}: closing`);
    return { outputs, errors: errors.map((e) => ({ code: e.code, message: e.message })) };
  } finally {
    if (!closed) await withDeadline(h.close(), STEP_DEADLINE_MS, `${where}: closing`).catch(() => undefined);
  }
}

function validEnvelope(msg: Record<string, unknown>): boolean {
  return typeof msg.timestamp === 'number' && Number.isFinite(msg.timestamp) && QUALITIES.has(msg.quality as string);
}

/** Every number in a payload (its own fields and a level below), for "finite in, finite out". */
export function numbersIn(value: unknown, depth = 0): number[] {
  if (typeof value === 'number') return [value];
  if (depth > 2 || value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap((v) => numbersIn(v, depth + 1));
}
