import type { SecretDestination } from '@tagflow/node-sdk';

/**
 * The places a bound secret may be sent to, written `host[:port]` (`broker.plant:1883`,
 * `10.0.0.9`, `[fd00::5]:5432`). A host matches case-insensitively and exactly: no wildcards, as
 * `*.plant` would let whoever can add a name under `plant` (a DHCP client registering itself, say)
 * receive the secret. No port means any port of that host.
 */

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const IPV6 = /^[0-9a-f:.]+(?:%[a-z0-9_.-]+)?$/;

/** An allow-list entry parsed: the host lower-cased, without brackets or a final dot. */
export interface AllowedDestination {
  host: string;
  /** Absent: any port. */
  port?: number;
}

/** Parses `host[:port]`; a string is the plain-words reason it is not one. */
export function parseDestination(entry: string): AllowedDestination | string {
  const text = entry.trim();
  const bad = (why: string) => `"${entry}" is not a host[:port] a secret may go to: ${why}`;
  if (text === '') return bad('it is empty');
  if (text.includes('*')) return bad('wildcards are not allowed; list each host');
  if (/[/@?#\s]/.test(text)) return bad('give the host and port only, e.g. broker.plant:1883, not a URL');
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    [, host, portText] = bracketed;
  } else if ((text.match(/:/g) ?? []).length > 1) {
    return bad('write an IPv6 address in brackets, e.g. [fd00::5]:5432');
  } else {
    [host, portText] = text.split(':') as [string, string | undefined];
  }
  const normal = normalHost(host);
  const validHost = bracketed ? IPV6.test(normal) && normal.includes(':') : HOST_NAME.test(normal);
  if (!validHost) return bad(`"${host}" is not a host name or address`);
  if (portText === undefined) return { host: normal };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535)
    return bad(`the port must be a number from 1 to 65535 (got "${portText}")`);
  return { host: normal, port: Number(portText) };
}

/** Parses every entry; throws one Error listing all the bad ones. Duplicates are dropped. */
export function parseAllowList(entries: readonly string[]): AllowedDestination[] {
  const parsed = entries.map(parseDestination);
  const errors = parsed.filter((p): p is string => typeof p === 'string');
  if (errors.length > 0) throw new Error(errors.join('; '));
  const seen = new Set<string>();
  return (parsed as AllowedDestination[]).filter((d) => {
    const key = formatDestination(d);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `host[:port]`, IPv6 in brackets: how an allow list is stored and shown. */
export function formatDestination(d: SecretDestination): string {
  const host = d.host.includes(':') ? `[${d.host}]` : d.host;
  return d.port === undefined ? host : `${host}:${d.port}`;
}

/**
 * Whether a secret bound to `allow` may go to `destination`: an entry of the same host (case and
 * brackets aside) with the same port, or without a port. A destination whose port is not known
 * only matches an entry without a port.
 */
export function destinationAllowed(allow: readonly AllowedDestination[], destination: SecretDestination): boolean {
  const host = normalHost(destination.host);
  return allow.some((a) => a.host === host && (a.port === undefined || a.port === destination.port));
}

/** What setting a secret without an allow list means, in the answer, the CLI and the editor alike. */
export function unboundWarning(name: string): string {
  return `secret ${name} is not bound to any host: anyone allowed to deploy can make a flow send it to a host of their choosing. Bind it to the hosts it may go to: --allow host[:port] (CLI), "allow" (API), "may be sent to" (editor)`;
}

/** Lower case, IPv6 brackets and one final dot (`broker.plant.` is `broker.plant`) removed. */
function normalHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.$/, '');
}
