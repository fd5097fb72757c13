import type { ConverterResult } from '../conversion';
import { defined, simple, tagflowNode } from '../conversion';
import type { NodeRedObject } from '../nodered-export';
import { booleanOf, numberOf, textOf } from '../nodered-export';

const UNIT_MS: Record<string, number> = {
  millisecond: 1,
  milliseconds: 1,
  ms: 1,
  second: 1000,
  seconds: 1000,
  s: 1000,
  minute: 60_000,
  minutes: 60_000,
  min: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  hr: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** A Node-RED amount of time (`"5"`, `"seconds"`) in milliseconds. */
export function durationMs(amount: unknown, unit: unknown, fallbackUnit = 'seconds'): number | undefined {
  const n = numberOf(amount);
  const scale = UNIT_MS[textOf(unit) ?? fallbackUnit];
  return n === undefined || scale === undefined ? undefined : n * scale;
}

/**
 * delay -> `rate-limit` in its rate modes (the dedicated tagflow node), `delay` (nodes/core) in its
 * delay modes (fixed, random, msg.delay).
 */
export function convertDelay(node: NodeRedObject): ConverterResult {
  const pauseType = textOf(node.pauseType) ?? 'delay';
  const differences: string[] = [];
  if (pauseType === 'rate' || pauseType === 'queue' || pauseType === 'timed') {
    const every = durationMs(node.nbRateUnits ?? 1, node.rateUnits, 'second');
    const rate = numberOf(node.rate) ?? 1;
    if (every === undefined || rate <= 0)
      return { notConverted: 'its rate is not a number', useInstead: 'a rate-limit node' };
    // Node-RED: `rate` messages per `nbRateUnits` units, i.e. one message every period / rate.
    const perSeconds = every / 1000;
    if (booleanOf(node.allowrate) === true) differences.push('msg.rate does not change the rate');
    if (booleanOf(node.outputs === 2 || node.outputs === '2'))
      differences.push('dropped messages are not sent on a second output');
    if (pauseType !== 'rate')
      differences.push(
        'per topic it keeps the rate for each msg.topic separately; Node-RED sends the newest message of each topic in turn',
      );
    const config = defined({
      rate: Math.max(1, Math.round(rate)),
      perSeconds,
      mode: booleanOf(node.drop) === true || pauseType !== 'rate' ? 'drop' : 'queue',
      perTopic: pauseType !== 'rate' || undefined,
    });
    return simple(tagflowNode(node.id, 'rate-limit', config, node), differences);
  }
  if (pauseType === 'random') {
    const min = durationMs(node.randomFirst, node.randomUnits);
    const max = durationMs(node.randomLast, node.randomUnits);
    if (min === undefined || max === undefined)
      return { notConverted: 'its random delay is not a number', useInstead: 'a delay node' };
    return simple(
      tagflowNode(node.id, 'delay', { mode: 'random', randomMinMs: min, randomMaxMs: max }, node),
      differences,
    );
  }
  if (pauseType !== 'delay' && pauseType !== 'delayv')
    return { notConverted: `its mode "${pauseType}" is unknown`, useInstead: 'a delay or rate-limit node' };
  const ms = durationMs(node.timeout, node.timeoutUnits);
  if (ms === undefined) return { notConverted: 'its delay is not a number', useInstead: 'a delay node' };
  const config = { mode: pauseType === 'delayv' ? 'message' : 'fixed', delayMs: ms };
  return simple(tagflowNode(node.id, 'delay', config, node), differences);
}

/**
 * trigger -> `trigger` (nodes/core, Node-RED semantics): sends a first value, then a second one
 * after a time unless reset or extended; a duration of 0 waits for a reset, a negative one resends.
 */
export function convertTrigger(node: NodeRedObject): ConverterResult {
  const first = triggerSend(node.op1, node.op1type, FIRST_SENDS);
  const second = triggerSend(node.op2, node.op2type, SECOND_SENDS);
  if (first === undefined || second === undefined)
    return {
      notConverted: `it sends a ${String(first === undefined ? node.op1type : node.op2type)} value`,
      useInstead: 'a trigger node sending a written value or the message',
    };
  const wait = durationMs(node.duration, node.units, 'ms');
  if (wait === undefined) return { notConverted: 'its duration is not a number', useInstead: 'a trigger node' };
  const differences: string[] = [];
  const secondOutput = numberOf(node.outputs) === 2;
  const config = defined({
    firstSend: first.send,
    firstValue: first.value,
    then: wait === 0 ? 'block' : wait < 0 ? 'resend' : 'wait',
    durationMs: wait === 0 ? undefined : Math.abs(wait),
    extend: booleanOf(node.extend) === true || undefined,
    overrideDelay: booleanOf(node.overrideDelay) === true || undefined,
    secondSend: second.send,
    secondValue: second.value,
    secondOutput: secondOutput || undefined,
    resetPayload: textOf(node.reset) || undefined,
    perTopic: textOf(node.bytopic) === 'topic' || undefined,
    topicProperty: textOf(node.topic) && node.topic !== 'topic' ? node.topic : undefined,
  });
  if (node.op2type === 'pay')
    differences.push('"the original msg object" sends the first payload on a copy of the latest message');
  return {
    nodes: [tagflowNode(node.id, 'trigger', config, node)],
    input: { node: node.id, port: 'in' },
    outputs: [{ node: node.id, port: 'out' }, ...(secondOutput ? [{ node: node.id, port: 'second' }] : [])],
    differences,
  };
}

/** Node-RED's op1type / op2type -> the trigger's firstSend / secondSend; literals keep their value. */
const FIRST_SENDS: Record<string, string> = { pay: 'message', nul: 'nothing', date: 'timestamp' };
const SECOND_SENDS: Record<string, string> = { pay: 'first', payl: 'latest', nul: 'nothing', date: 'timestamp' };

function triggerSend(
  value: unknown,
  type: unknown,
  sends: Record<string, string>,
): { send: string; value?: unknown } | undefined {
  const kind = textOf(type) ?? 'str';
  if (sends[kind] !== undefined) return { send: sends[kind] };
  const text = typeof value === 'string' ? value : String(value ?? '');
  if (kind === 'str') return { send: 'value', value: text };
  if (kind === 'num') return numberOf(text) === undefined ? undefined : { send: 'value', value: numberOf(text) };
  if (kind === 'bool') return { send: 'value', value: text === 'true' };
  if (kind === 'json') {
    try {
      return { send: 'value', value: JSON.parse(text) as unknown };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
