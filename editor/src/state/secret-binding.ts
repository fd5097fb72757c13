/** A stored secret as `GET /api/secrets` lists it: its name and where it may be sent, never its value. */
export interface SecretInfo {
  name: string;
  /** `host[:port]` entries; null when unbound (any deployer may send it to any host). */
  allow: string[] | null;
}

/**
 * The allow list typed in the editor's "may be sent to" field: entries split on commas, spaces or
 * new lines, empty ones dropped. Undefined when nothing was typed: the secret is then stored
 * unbound (and the runtime warns). The runtime checks each entry and answers 400 for a bad one.
 *
 * @example parseAllowInput('broker.plant:1883, 10.0.0.9') // ['broker.plant:1883', '10.0.0.9']
 */
export function parseAllowInput(text: string): string[] | undefined {
  const entries = text.split(/[\s,]+/).filter((entry) => entry !== '');
  return entries.length === 0 ? undefined : entries;
}

/** What a secret's badge says: `any host` when unbound, else its allowed hosts. */
export function bindingLabel(allow: readonly string[] | null): string {
  return allow === null ? 'any host' : allow.join(', ');
}

/** The secrets list's body (`GET /api/secrets`), from runtimes that list names only too (all unbound then). */
export function secretsFromApi(body: unknown): SecretInfo[] {
  if (typeof body !== 'object' || body === null) return [];
  const { secrets, names } = body as { secrets?: unknown; names?: unknown };
  if (Array.isArray(secrets))
    return secrets
      .filter((s): s is { name: string; allow?: unknown } => typeof (s as { name?: unknown })?.name === 'string')
      .map((s) => ({
        name: s.name,
        allow: Array.isArray(s.allow) ? s.allow.filter((a): a is string => typeof a === 'string') : null,
      }));
  return Array.isArray(names)
    ? names.filter((n): n is string => typeof n === 'string').map((name) => ({ name, allow: null }))
    : [];
}
