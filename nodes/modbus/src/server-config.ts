import { isNodeError } from '@tagflow/node-sdk';
import type { ConfigProblem } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import type { ModbusTable } from './read-plan';
import { layoutProblems, layoutSchema, resolveLayout } from './tag-config';
import type { LayoutConfig, ResolvedLayout } from './tag-config';
import { encodeTagValue } from './tag-value';

/** The JSON Schema of one served tag: modbus-read's tag, plus whether clients may write it and its first value. */
export const servedTagSchema = {
  type: 'object',
  properties: {
    name: {
      type: 'string',
      description:
        'Tag name, unique in the server: the topic (or payload key) of the messages that set it, and of the messages a client write sends.',
      minLength: 1,
      'x-ui': { label: 'Name' },
    },
    function: {
      description:
        'Data table: coil (FC 1, written with FC 5/15), discrete-input (FC 2), holding-register (FC 3, written with FC 6/16), input-register (FC 4).',
      enum: ['coil', 'discrete-input', 'holding-register', 'input-register'],
      'x-ui': { label: 'Table' },
    },
    ...layoutSchema,
    unit: {
      type: 'string',
      description: 'Engineering unit carried in the messages a client write sends, e.g. degC.',
      'x-ui': { label: 'Unit' },
    },
    writable: {
      type: 'boolean',
      description:
        'Coils and holding registers only: Modbus clients may write it (each write is sent into the flow). Otherwise a write is refused with exception 2.',
      default: false,
      'x-ui': { label: 'Clients may write' },
    },
    initial: {
      type: ['number', 'boolean', 'string'],
      description:
        'The value served from the start, until the flow or a client sets one. Without it, reads of the tag answer exception 11 until it has a value.',
      'x-ui': { label: 'Initial value' },
    },
  },
  required: ['name', 'function', 'address'],
  additionalProperties: false,
} as const;

/** A served tag as the config gives it (schema defaults applied). */
export interface ServedTagConfig extends LayoutConfig {
  name: string;
  unit?: string;
  writable: boolean;
  initial?: number | boolean | string;
}

/** A served tag, resolved. */
export interface ServedTag extends ResolvedLayout {
  name: string;
  unit?: string;
  writable: boolean;
  initial?: number | boolean | string;
}

const READ_ONLY_TABLES: Record<string, string> = {
  'input-register': 'an input register is read-only in Modbus (FC 4 only); use a holding register',
  'discrete-input': 'a discrete input is read-only in Modbus (FC 2 only); use a coil',
};

/**
 * What modbus-server's schema cannot rule out: names used twice, each tag's layout (as modbus-read
 * words it), tags sharing an address, `writable` on a read-only table, an initial value that does
 * not fit its tag.
 */
export function serverConfigProblems(c: { tags: readonly ServedTagConfig[] }): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const problem = (path: string, message: string) =>
    problems.push({ path, message, code: modbusErrors.code.MODBUS_CONFIG });
  const firstByName = new Map<string, number>();
  const placed: Array<{ tag: ServedTag; index: number }> = [];
  c.tags.forEach((t, index) => {
    const at = `/tags/${index}`;
    const what = `tag "${t.name}"`;
    const earlier = firstByName.get(t.name);
    if (earlier === undefined) firstByName.set(t.name, index);
    else
      problem(
        `${at}/name`,
        `two tags are named "${t.name}" (tags ${earlier + 1} and ${index + 1}): names must be unique, messages set tags by name`,
      );
    const layout = layoutProblems(what, t, at);
    problems.push(...layout);
    if (layout.length > 0) return;
    const tag = resolveServedTag(t);
    if (t.writable && READ_ONLY_TABLES[t.function])
      problem(`${at}/writable`, `${what}: ${READ_ONLY_TABLES[t.function]}`);
    const clash = placed.find((p) => p.tag.table === tag.table && overlaps(p.tag, tag));
    if (clash)
      problem(
        `${at}/address`,
        `${what} (${span(tag)}) overlaps tag "${clash.tag.name}" (${span(clash.tag)}): one address serves one tag`,
      );
    placed.push({ tag, index });
    if (t.initial !== undefined) {
      try {
        encodeTagValue(tag, t.initial);
      } catch (err) {
        if (!isNodeError(err)) throw err;
        problem(`${at}/initial`, `${err.message} (the initial value)`);
      }
    }
  });
  return problems;
}

/** A served tag with its type and size filled in (its layout must have passed `layoutProblems`). */
export function resolveServedTag(t: ServedTagConfig): ServedTag {
  return {
    ...resolveLayout(`tag "${t.name}"`, t),
    name: t.name,
    unit: t.unit,
    writable: t.writable,
    initial: t.initial,
  };
}

function overlaps(a: ResolvedLayout, b: ResolvedLayout): boolean {
  return a.address < b.address + b.count && b.address < a.address + a.count;
}

/** `holding-registers 10-11`, `coil 3`: where a tag lives, in words. */
export function span(tag: { table: ModbusTable; address: number; count: number }): string {
  return tag.count === 1
    ? `${tag.table} ${tag.address}`
    : `${tag.table}s ${tag.address}-${tag.address + tag.count - 1}`;
}
