import type { ConfigProblem } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import { registerCount } from './register-codec';
import { isBitTable } from './read-plan';
import { layoutProblems } from './tag-config';
import type { LayoutConfig } from './tag-config';

/** The part of modbus-read's config its check needs (schema defaults applied). */
export interface ReadConfig {
  tags: ReadonlyArray<LayoutConfig & { name: string }>;
  maxRegistersPerRequest: number;
  maxBitsPerRequest: number;
}

/**
 * What modbus-read's schema cannot rule out: tag names used twice (they become topics and keys),
 * each tag's layout (`layoutProblems`), and a tag larger than one request may read.
 */
export function readConfigProblems(c: ReadConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const first = new Map<string, number>();
  c.tags.forEach((tag, index) => {
    const at = `/tags/${index}`;
    const what = `tag "${tag.name}"`;
    const earlier = first.get(tag.name);
    if (earlier === undefined) first.set(tag.name, index);
    else
      problems.push({
        path: `${at}/name`,
        message: `two tags are named "${tag.name}" (tags ${earlier + 1} and ${index + 1}): names must be unique, they become topics and keys`,
        code: modbusErrors.code.MODBUS_CONFIG,
      });
    const layout = layoutProblems(what, tag, at);
    problems.push(...layout);
    if (layout.length > 0 || isBitTable(tag.function)) return;
    const count = registerCount({ type: tag.type ?? 'uint16', order: tag.order, length: tag.length });
    if (count > c.maxRegistersPerRequest)
      problems.push({
        path: `${at}/length`,
        message: `${what}: it spans ${count} registers, more than one request reads (maxRegistersPerRequest ${c.maxRegistersPerRequest})`,
        code: modbusErrors.code.MODBUS_CONFIG,
      });
  });
  return problems;
}
