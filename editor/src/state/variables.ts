/**
 * The runtime's variables as the editor shows them: `${NAME}` in a config field gets its value on
 * the runtime the editor talks to (the value the running config would have) written beside it.
 */

/** A variable a field uses, with the runtime's value (undefined: not set on this runtime). */
export interface FieldVariable {
  name: string;
  value: string | undefined;
}

/**
 * The variable names a config string uses, in order, each once; `$${` is a literal `${`.
 *
 * @example variableNamesIn('mqtt://${HOST}:$${PORT}') // ['HOST']
 */
export function variableNamesIn(text: unknown): string[] {
  if (typeof text !== 'string' || !text.includes('${')) return [];
  const names: string[] = [];
  for (const match of text.matchAll(/\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g))
    if (match[1] !== undefined && !names.includes(match[1])) names.push(match[1]);
  return names;
}

/** The variables `text` uses and their values in `variables` (the runtime's `GET /api/variables`). */
export function fieldVariables(text: unknown, variables: Readonly<Record<string, string>>): FieldVariable[] {
  return variableNamesIn(text).map((name) => ({
    name,
    value: Object.hasOwn(variables, name) ? variables[name] : undefined,
  }));
}

/** The variables body (`GET /api/variables`); `{}` for anything else. */
export function variablesFromApi(body: unknown): Record<string, string> {
  const variables = (body as { variables?: unknown } | null)?.variables;
  if (typeof variables !== 'object' || variables === null) return {};
  return Object.fromEntries(
    Object.entries(variables as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}
