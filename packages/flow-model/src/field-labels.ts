import { isPlainObject } from './object-guards';

type SchemaObject = { readonly [keyword: string]: unknown };

/**
 * The name a person knows a config field by, from the config schema and the field's pointer in
 * the config: the `x-ui` label the form shows, else the schema's `title`, else the key in words.
 * Nested fields and rows of lists are joined: `Window › Count`, `Rules row 2 › Value`.
 * The config itself (pointer `''`) has no label.
 *
 * @example fieldLabel(thresholdSchema, '/above') // 'High limit'
 */
export function fieldLabel(schema: unknown, pointer: string): string | undefined {
  if (pointer === '') return undefined;
  const segments = pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const parts: string[] = [];
  let at: SchemaObject[] = withBranches(asObject(schema));
  for (const segment of segments) {
    if (/^\d+$/.test(segment) && at.some((s) => s.items !== undefined || s.prefixItems !== undefined)) {
      const row = `row ${Number(segment) + 1}`;
      if (parts.length > 0) parts[parts.length - 1] += ` ${row}`;
      else parts.push(row);
      at = at.map((s) => asObject(s.items)).flatMap(withBranches);
      continue;
    }
    const found = at
      .map((s) => asObject(s.properties)[segment])
      .filter(isPlainObject)
      .map(asObject);
    const next =
      found.length > 0
        ? found
        : at
            .map((s) => s.additionalProperties)
            .filter(isPlainObject)
            .map(asObject);
    const label = labelOf(found[0], segment);
    // `Window › Window size` says the group twice: the field's own label is enough then.
    const previous = parts[parts.length - 1];
    if (previous !== undefined && !/ row \d+$/.test(previous) && label.toLowerCase().includes(previous.toLowerCase()))
      parts[parts.length - 1] = label;
    else parts.push(label);
    at = next.flatMap(withBranches);
  }
  return parts.join(' › ');
}

/** The label of one property schema, or its key in words (`passThrough` -> `Pass through`). */
export function labelOf(schema: SchemaObject | undefined, key: string): string {
  const ui = asObject(schema?.['x-ui']);
  if (typeof ui.label === 'string' && ui.label !== '') return ui.label;
  if (typeof schema?.title === 'string' && schema.title !== '') return schema.title;
  return keyInWords(key);
}

/** `windowCount` -> `Window count`, `max_items` -> `Max items`, `url` -> `URL`. */
export function keyInWords(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase()
    .split(' ')
    .map((w) => ACRONYMS[w] ?? w)
    .join(' ');
  return words === '' ? key : words[0].toUpperCase() + words.slice(1);
}

// Short words people write in capitals; a key holding one reads wrong in lower case.
const ACRONYMS: Record<string, string> = {
  url: 'URL',
  uri: 'URI',
  id: 'ID',
  qos: 'QoS',
  tls: 'TLS',
  ip: 'IP',
  ms: 'ms',
};

/** A schema and the alternatives of its `oneOf`/`anyOf`/`allOf`, where a property may be declared. */
function withBranches(s: SchemaObject): SchemaObject[] {
  const out = [s];
  for (const keyword of ['oneOf', 'anyOf', 'allOf'] as const) {
    const list = s[keyword];
    if (Array.isArray(list)) for (const branch of list) out.push(...withBranches(asObject(branch)));
  }
  if (isPlainObject(s.then)) out.push(asObject(s.then));
  if (isPlainObject(s.else)) out.push(asObject(s.else));
  return out;
}

function asObject(value: unknown): SchemaObject {
  return isPlainObject(value) ? value : {};
}
