import type { Message } from '@tagflow/node-sdk';

/**
 * Fills `{{path}}` placeholders from the message (`{{topic}}`, `{{payload.line}}`). A missing field
 * is an error, not an empty string: publishing to `plant//flow` would land in a topic nobody reads.
 */
export function renderTopic(template: string, msg: Message, what = 'the topic template'): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (_, path: string) => {
    let value: unknown = msg;
    for (const key of path.split('.'))
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    if (value === undefined || value === null || typeof value === 'object') {
      throw new Error(`${what} needs {{${path}}}, which this message does not have as a text or number`);
    }
    return String(value);
  });
}

/** True when `topic` matches the MQTT filter (`+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}
