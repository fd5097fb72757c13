import { NodeError } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { historianErrors } from './error-codes';

/** Turns a message into its tag name. */
export type TagRenderer = (msg: Message) => string;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

/**
 * Compiles a tag template such as `pump3/{{topic}}` once, so that a message costs a few property
 * reads and one concatenation instead of a regular expression and a split per message. A message
 * lacking a placeholder's field (or holding an object there) is an error, not an empty tag.
 */
export function compileTagTemplate(template: string): TagRenderer {
  const literals: string[] = [];
  const paths: string[][] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    literals.push(template.slice(last, m.index));
    paths.push(m[1].split('.'));
    last = m.index + m[0].length;
  }
  const tail = template.slice(last);
  if (paths.length === 0) return () => template;
  const field = (msg: Message, i: number): string => {
    let value: unknown = msg;
    for (const key of paths[i])
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    if (typeof value === 'string') return value;
    if (value === undefined || value === null || typeof value === 'object') {
      throw new NodeError(
        historianErrors.code.HISTORIAN_TAG,
        `the tag "${template}" needs {{${paths[i].join('.')}}}, which this message does not have as a text or number`,
      );
    }
    return String(value);
  };
  if (paths.length === 1) {
    const [head] = literals;
    return (msg) => head + field(msg, 0) + tail;
  }
  return (msg) => {
    let out = '';
    for (let i = 0; i < paths.length; i++) out += literals[i] + field(msg, i);
    return out + tail;
  };
}
