import type { ConfigProblem } from '@tagflow/node-sdk';
import { opcuaErrors } from './error-codes';
import { WRITABLE_TYPES } from './writable-types';
import type { WritableType } from './writable-types';

// What an opcua-serve node declares about its tags, and the checks on them. No node-opcua here:
// the node's definition file imports this, and must load without loading node-opcua.

/** Data types a served tag can have, by their OPC UA names: those tagflow writes, but text in a locale. */
export type ServedType = Exclude<WritableType, 'LocalizedText'>;
export const SERVED_TYPES: readonly ServedType[] = WRITABLE_TYPES.filter((t): t is ServedType => t !== 'LocalizedText');

/** The numeric types: those that may have an engineering unit and a range (an OPC UA AnalogItem). */
export const NUMERIC_TYPES: readonly ServedType[] = SERVED_TYPES.filter(
  (t) => t !== 'Boolean' && t !== 'String' && t !== 'DateTime',
);

/** One tag as the config declares it. */
export interface ServedTag {
  name: string;
  dataType: ServedType;
  description?: string;
  unit?: string;
  range?: { low: number; high: number };
  writable: boolean;
}

/** The `tags` list of opcua-serve: each becomes one OPC UA variable of tagflow's own server. */
export const servedTagsSchema = {
  type: 'array',
  description:
    'The tags to serve: each is an OPC UA variable, updated by messages whose topic is its name. A "/" in a name makes folders (Pump3/Flow is the variable Flow in the folder Pump3).',
  minItems: 1,
  items: {
    type: 'object',
    properties: {
      name: {
        type: 'string',
        description: 'Name of the tag: the topic of the messages that update it, and its path in the address space.',
        minLength: 1,
        pattern: '^[^/]+(/[^/]+)*$',
        'x-ui': { label: 'Name', placeholder: 'Pump3/Flow' },
      },
      dataType: {
        description: 'OPC UA data type of the variable; payloads must fit it (e.g. 300 does not fit a Byte).',
        default: 'Double',
        enum: SERVED_TYPES,
        'x-ui': { label: 'Data type' },
      },
      description: {
        type: 'string',
        description: 'What the tag is, shown to OPC UA clients (its Description attribute).',
        'x-ui': { label: 'Description' },
      },
      unit: {
        type: 'string',
        description:
          'Engineering unit of a numeric tag, as its symbol (m³/h, °C, bar, kW...); OPC UA clients read it as EngineeringUnits.',
        minLength: 1,
        'x-ui': { label: 'Unit' },
      },
      range: {
        type: 'object',
        description:
          'Normal operating range of a numeric tag, shown to clients as its EURange. On a writable tag, client writes outside it are refused (BadOutOfRange).',
        properties: {
          low: { type: 'number', description: 'Lowest value in normal operation.', 'x-ui': { label: 'Low' } },
          high: { type: 'number', description: 'Highest value in normal operation.', 'x-ui': { label: 'High' } },
        },
        required: ['low', 'high'],
        additionalProperties: false,
        'x-ui': { label: 'Range' },
      },
      writable: {
        type: 'boolean',
        description:
          'Whether OPC UA clients may write the tag; a write is sent into the flow. Off: writes are refused (BadNotWritable).',
        default: false,
        'x-ui': { label: 'Writable by clients' },
      },
    },
    required: ['name'],
    additionalProperties: false,
  },
  'x-ui': { label: 'Tags' },
} as const;

/**
 * Problems a schema cannot see in a tag list: a name given twice; a tag named like the folder of
 * another (`Pump3` and `Pump3/Flow`), which would be both a variable and a folder; a unit or range
 * on a tag that is not a number; a range whose low is not below its high.
 */
export function servedTagProblems(tags: readonly ServedTag[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const problem = (path: string, message: string) =>
    problems.push({ path, message, code: opcuaErrors.code.OPCUA_SERVE_CONFIG });
  const names = new Map<string, number>();
  tags.forEach((tag, i) => {
    const first = names.get(tag.name);
    if (first !== undefined) problem(`/tags/${i}/name`, `tag "${tag.name}" is listed twice (tags ${first} and ${i})`);
    else names.set(tag.name, i);
  });
  const folderProblems = new Set<string>();
  tags.forEach((tag, i) => {
    for (const folder of foldersOf(tag.name)) {
      if (names.has(folder) && !folderProblems.has(folder) && folderProblems.add(folder))
        problem(
          `/tags/${names.get(folder)}/name`,
          `tag "${folder}" is also the folder of tag "${tag.name}": rename one (e.g. "${folder}/Value")`,
        );
    }
    const numeric = NUMERIC_TYPES.includes(tag.dataType);
    if (tag.unit !== undefined && !numeric)
      problem(`/tags/${i}/unit`, `tag "${tag.name}" is ${tag.dataType}: only a number has a unit`);
    if (tag.range !== undefined && !numeric)
      problem(`/tags/${i}/range`, `tag "${tag.name}" is ${tag.dataType}: only a number has a range`);
    if (tag.range !== undefined && !(tag.range.low < tag.range.high))
      problem(
        `/tags/${i}/range`,
        `the range of tag "${tag.name}" goes from ${tag.range.low} to ${tag.range.high}: low must be below high`,
      );
  });
  return problems;
}

/** The folders a tag lies in, outermost first: `A/B/C` is in `A` and `A/B`. */
export function foldersOf(name: string): string[] {
  const parts = name.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}
