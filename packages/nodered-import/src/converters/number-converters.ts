import type { ConverterResult } from '../conversion';
import { defined, simple, tagflowNode } from '../conversion';
import type { NodeRedObject } from '../nodered-export';
import { booleanOf, numberOf, textOf } from '../nodered-export';

const RANGE_ACTIONS: Record<string, string> = { scale: 'extend', clamp: 'limit', roll: 'wrap', drop: 'drop' };

/** range -> `scale`: same linear map; scale/clamp/roll/drop -> extend/limit/wrap/drop. */
export function convertRange(node: NodeRedObject): ConverterResult {
  const ends = ['minin', 'maxin', 'minout', 'maxout'].map((k) => numberOf(node[k]));
  if (ends.some((e) => e === undefined))
    return { notConverted: 'its ranges are not all numbers', useInstead: 'a scale node with both ranges set' };
  const [minIn, maxIn, minOut, maxOut] = ends as number[];
  const differences: string[] = [];
  if (booleanOf(node.round) === true)
    differences.push('"round" rounds the result only (Node-RED also narrows the target range to whole numbers)');
  const config = defined({
    in: { min: minIn, max: maxIn },
    out: { min: minOut, max: maxOut },
    outside: RANGE_ACTIONS[textOf(node.action) ?? 'scale'] ?? 'extend',
    round: booleanOf(node.round) === true || undefined,
    property: textOf(node.property) ?? 'payload',
    // Node-RED reads numbers sent as text.
    acceptText: true,
  });
  return simple(tagflowNode(node.id, 'scale', config, node), differences);
}

const RBE_FILTERS: Record<string, { compare: string; filter?: string; inclusive?: boolean; ignoreFirst?: boolean }> = {
  rbe: { compare: 'any' },
  rbei: { compare: 'any', ignoreFirst: true },
  deadband: { compare: 'numbers' },
  deadbandEq: { compare: 'numbers', inclusive: true },
  narrowband: { compare: 'numbers', filter: 'narrowband' },
  narrowbandEq: { compare: 'numbers', filter: 'narrowband', inclusive: true },
};

/** rbe (filter) -> `deadband`: report-by-exception, dead band and narrow band, per topic. */
export function convertRbe(node: NodeRedObject): ConverterResult {
  const func = textOf(node.func) ?? 'rbe';
  const mode = RBE_FILTERS[func];
  if (mode === undefined) return { notConverted: `its mode "${func}" is unknown`, useInstead: 'a deadband node' };
  const differences: string[] = [];
  const gapText = String(node.gap ?? '').trim();
  const percent = gapText.endsWith('%');
  const band = numberOf(percent ? gapText.slice(0, -1) : gapText);
  const topicProperty = textOf(node.topi) ?? 'topic';
  if (topicProperty !== 'topic')
    differences.push(`separate values are kept per msg.topic, not per msg.${topicProperty}`);
  const config = defined({
    compare: mode.compare,
    filter: mode.filter,
    inclusive: mode.inclusive,
    ignoreFirst: mode.ignoreFirst,
    mode: mode.compare === 'numbers' && percent ? 'percent' : undefined,
    band: mode.compare === 'numbers' ? (band ?? 0) : undefined,
    compareWith: mode.compare === 'numbers' && textOf(node.inout) === 'in' ? 'received' : undefined,
    startValue: mode.compare === 'numbers' ? numberOf(node.start) : undefined,
    property: textOf(node.property) ?? 'payload',
    perTopic: booleanOf(node.septopics) !== false,
  });
  return simple(tagflowNode(node.id, 'deadband', config, node), differences);
}

const SMOOTH_ACTIONS: Record<string, string> = {
  mean: 'mean',
  min: 'min',
  max: 'max',
  sd: 'stddev',
  low: 'lowPass',
  high: 'highPass',
};

/** smooth (node-red-node-smooth) -> `smooth`. */
export function convertSmooth(node: NodeRedObject): ConverterResult {
  const statistic = SMOOTH_ACTIONS[textOf(node.action) ?? 'mean'];
  if (statistic === undefined)
    return { notConverted: `its action "${String(node.action)}" is unknown`, useInstead: 'a smooth node' };
  const round = node.round === true || node.round === 'true' ? 0 : numberOf(node.round);
  const config = defined({
    statistic,
    count: Math.max(1, Math.round(numberOf(node.count) ?? 10)),
    reduce: booleanOf(node.reduce) === true || undefined,
    decimals: round,
    property: textOf(node.property) ?? 'payload',
    perTopic: textOf(node.mult) === 'multi' || undefined,
  });
  return simple(tagflowNode(node.id, 'smooth', config, node));
}
