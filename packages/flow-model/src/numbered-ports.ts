import type { NodeTypeInfo } from './catalog';
import type { JSONSchema } from './json-schema';
import { isPlainObject } from './object-guards';

/**
 * Output ports whose number a node's config sets, like a Node-RED switch with one output per rule:
 * `{ prefix: 'out', countField: 'outputs' }` gives `out1` … `outN`, N = `config.outputs`. Plain
 * data (the editor receives it as JSON and redraws the handles as the form changes). The count's
 * bounds and default live in the config schema, the one source for them: `countField` is a
 * top-level property of type `integer` with a `default`, a `minimum` of 0 or more and a `maximum`
 * of at most `MAX_NUMBERED_PORTS` (the runtime refuses a definition otherwise).
 */
export interface NumberedPorts {
  /** Port name before the number, e.g. `out` for `out1`, `out2`, …; ports are numbered from 1. */
  prefix: string;
  /** Top-level config field holding the count, e.g. `outputs`. */
  countField: string;
}

/** The most numbered ports a node may have (a switch with more rules routes by a second switch). */
export const MAX_NUMBERED_PORTS = 64;

type PortsOf = Pick<NodeTypeInfo, 'outputs' | 'numberedOutputs' | 'configSchema'>;

/**
 * The output ports a node of this type has with this config: the fixed `outputs`, then the
 * numbered ones. A config without the count field gets the schema's default; one whose count is
 * not a whole number in range also gets the default (its config check reports it).
 * E.g. `outputPorts(switchInfo, { outputs: 3 })` is `['out1', 'out2', 'out3']`.
 */
export function outputPorts(info: PortsOf, config: unknown): string[] {
  const numbered = info.numberedOutputs;
  if (!numbered) return [...info.outputs];
  const count = numberedOutputCount(info, config);
  const ports = [...info.outputs];
  for (let i = 1; i <= count; i++) ports.push(`${numbered.prefix}${i}`);
  return ports;
}

/** How many numbered output ports the config gives (0 for a type without them); see `outputPorts`. */
export function numberedOutputCount(info: PortsOf, config: unknown): number {
  const numbered = info.numberedOutputs;
  if (!numbered) return 0;
  const bounds = countBounds(info.configSchema, numbered.countField);
  const given = isPlainObject(config) ? config[numbered.countField] : undefined;
  if (inRange(given, bounds)) return given;
  return inRange(bounds.fallback, bounds) ? bounds.fallback : 0;
}

/**
 * The number in a numbered port's name (`out12` gives 12), or undefined when the name is not one
 * of this type's numbered ports at any count.
 */
export function numberedPortIndex(info: Pick<NodeTypeInfo, 'numberedOutputs'>, port: string): number | undefined {
  const numbered = info.numberedOutputs;
  if (!numbered || !port.startsWith(numbered.prefix)) return undefined;
  const digits = port.slice(numbered.prefix.length);
  if (!/^[1-9][0-9]*$/.test(digits)) return undefined;
  const index = Number(digits);
  return index <= MAX_NUMBERED_PORTS ? index : undefined;
}

/**
 * What is wrong with a type's `numberedOutputs` against its config schema, in plain words; `[]`
 * when it is fine. The runtime refuses a definition with problems here at discovery.
 */
export function numberedPortsProblems(value: unknown, schema: unknown, fixedOutputs: readonly string[]): string[] {
  if (value === undefined) return [];
  if (!isPlainObject(value) || typeof value.prefix !== 'string' || typeof value.countField !== 'string')
    return ['`numberedOutputs` must be { prefix: "out", countField: "outputs" } (two texts) when present'];
  const { prefix, countField } = value;
  const problems: string[] = [];
  if (!/^[A-Za-z_$][\w$-]*$/.test(prefix) || /[0-9]$/.test(prefix))
    problems.push(
      `\`numberedOutputs.prefix\` must be a port name not ending in a digit, like "out" (got ${JSON.stringify(prefix)})`,
    );
  const field = isPlainObject(schema) && isPlainObject(schema.properties) ? schema.properties[countField] : undefined;
  if (!isPlainObject(field)) {
    problems.push(
      `\`numberedOutputs.countField\` ${JSON.stringify(countField)} must be a top-level property of \`configSchema\``,
    );
    return problems;
  }
  const ok =
    field.type === 'integer' &&
    Number.isInteger(field.default) &&
    Number.isInteger(field.minimum) &&
    (field.minimum as number) >= 0 &&
    Number.isInteger(field.maximum) &&
    (field.maximum as number) <= MAX_NUMBERED_PORTS &&
    (field.default as number) >= (field.minimum as number) &&
    (field.default as number) <= (field.maximum as number);
  if (!ok)
    problems.push(
      `config field ${JSON.stringify(countField)} (the count of numbered outputs) must be { "type": "integer", "minimum": 0 or more, "maximum": at most ${MAX_NUMBERED_PORTS}, "default": in between }`,
    );
  const clash = fixedOutputs.find(
    (p) => numberedPortIndex({ numberedOutputs: { prefix, countField } }, p) !== undefined,
  );
  if (clash !== undefined)
    problems.push(`the fixed output ${JSON.stringify(clash)} has the name of a numbered output; rename it`);
  return problems;
}

interface Bounds {
  min: number;
  max: number;
  fallback: unknown;
}

function countBounds(schema: JSONSchema, field: string): Bounds {
  const property = isPlainObject(schema) && isPlainObject(schema.properties) ? schema.properties[field] : undefined;
  const read = (key: string) => (isPlainObject(property) ? property[key] : undefined);
  const min = read('minimum');
  const max = read('maximum');
  return {
    min: Number.isInteger(min) ? Math.max(0, min as number) : 0,
    max: Number.isInteger(max) ? Math.min(MAX_NUMBERED_PORTS, max as number) : MAX_NUMBERED_PORTS,
    fallback: read('default'),
  };
}

function inRange(value: unknown, bounds: Bounds): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= bounds.min && value <= bounds.max;
}
