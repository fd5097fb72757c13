import type { ConfigProblem, Message } from '@tagflow/node-sdk';
import { natsErrors } from './error-codes';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

/**
 * A subject to subscribe to: dot-separated tokens, `*` a whole token, `>` only the last one, no
 * spaces (`plant.*.flow`, `plant.>`). The server would refuse anything else.
 */
export function subjectFilterProblems(subject: string, path: string): ConfigProblem[] {
  const tokens = subject.split('.');
  const bad =
    /\s/.test(subject) ||
    tokens.some(
      (t, i) => t === '' || (t.includes('*') && t !== '*') || (t.includes('>') && (t !== '>' || i < tokens.length - 1)),
    );
  return bad
    ? [
        {
          path,
          message: `subject ${JSON.stringify(subject)} is not valid: dot-separated tokens without spaces; * stands for a whole token, > only for the last (plant.*.flow, plant.>)`,
          code: natsErrors.code.NATS_CONFIG,
        },
      ]
    : [];
}

/** A publish subject (or template): no wildcard outside placeholders, valid tokens. */
export function publishSubjectProblems(template: string, path: string): ConfigProblem[] {
  const fixed = template.replace(PLACEHOLDER, 'x');
  if (fixed.includes('*') || fixed.includes('>'))
    return [
      {
        path,
        message: `subject ${JSON.stringify(template)} holds a wildcard: wildcards are for subscribing (nats-in); a message is published to one exact subject`,
        code: natsErrors.code.NATS_CONFIG,
      },
    ];
  return subjectFilterProblems(fixed, path);
}

/** Fills `{{field.path}}` placeholders from the message; throws in words when a field is missing. */
export function renderSubject(template: string, msg: Message): string {
  if (!template.includes('{{')) return template;
  return template.replace(PLACEHOLDER, (_, path: string) => {
    let value: unknown = msg;
    for (const key of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
    if (value === undefined || value === null || typeof value === 'object')
      throw new Error(`the subject template ${JSON.stringify(template)} needs {{${path}}}, which the message lacks`);
    // NATS tokens are separated by dots: a topic such as pump3/flow becomes pump3.flow.
    return String(value).replace(/\//g, '.');
  });
}

/** How nats-in reads a payload. */
export type PayloadMode = 'auto' | 'json' | 'string' | 'number' | 'buffer';

/** Reads the payload of a received message as `mode` asks; throws in words when it cannot. */
export function parsePayload(mode: PayloadMode, subject: string, data: Uint8Array): unknown {
  if (mode === 'buffer') return Buffer.from(data);
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  switch (mode) {
    case 'string':
      return text;
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n))
        throw new Error(`the message on ${subject} is not a number: ${JSON.stringify(text.slice(0, 40))}`);
      return n;
    }
    case 'json':
      try {
        return JSON.parse(text);
      } catch (err) {
        throw new Error(`the message on ${subject} is not JSON: ${(err as Error).message}`);
      }
    default:
      try {
        return JSON.parse(text);
      } catch {
        // auto mode: text that is not JSON is passed on as text, by design.
        return text;
      }
  }
}
