import type { SecretDestination } from './define-node';

/**
 * The config property naming the secret a password comes from (read with `ctx.secret`), never the
 * password itself, e.g. `passwordEnv: passwordEnvProperty('Password variable')`. A `const` literal,
 * so the inferred config type is `string` as if written out in place. `x-secret` tells the runtime
 * (which checks a secret's allowed destinations at deploy) and the editor that the value names a secret.
 */
export function passwordEnvProperty<const Label extends string>(label: Label) {
  return secretNameProperty(
    label,
    'Name of the environment variable (or secret) holding the password: never the password itself.',
  );
}

/**
 * A config property naming any other secret (an API token...), marked `x-secret` like
 * `passwordEnvProperty`, e.g. `tokenEnv: secretNameProperty('Token variable', 'Name of ... the token.')`.
 */
export function secretNameProperty<const Label extends string, const Description extends string>(
  label: Label,
  description: Description,
) {
  return {
    type: 'string',
    description,
    minLength: 1,
    'x-secret': true,
    'x-ui': { label },
  } as const;
}

/**
 * The destination of a URL for `secretDestinations`: its host, and its port or the scheme's
 * default from `defaultPorts` (`{ 'mqtt:': 1883 }`; http, https, ws and wss are known). A URL
 * that does not parse gives its own text as the host: no allow list holds it, so a bound secret
 * is refused rather than sent wherever a lenient client would take it.
 *
 * @example urlDestination('mqtts://broker.plant', { 'mqtts:': 8883 }) // [{ host: 'broker.plant', port: 8883 }]
 */
export function urlDestination(url: string, defaultPorts: Readonly<Record<string, number>> = {}): SecretDestination[] {
  if (!URL.canParse(url)) return [{ host: url }];
  const parsed = new URL(url);
  const explicit = parsed.port === '' ? undefined : Number(parsed.port);
  const port = explicit ?? defaultPorts[parsed.protocol] ?? WEB_PORTS[parsed.protocol];
  return [port === undefined ? { host: parsed.hostname } : { host: parsed.hostname, port }];
}

// WHATWG URL leaves the port empty when it is the scheme's default: these are those defaults.
const WEB_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };

/** The config property choosing an outbox's `overflow` policy (see `OutboxOptions`), e.g. `overflow: outboxOverflowProperty`. */
export const outboxOverflowProperty = {
  description: 'When the buffer is full: drop the oldest (counted in the status), or block (hold the flow back).',
  default: 'drop-oldest',
  enum: ['drop-oldest', 'block'],
  'x-ui': { label: 'When the buffer is full' },
} as const;
