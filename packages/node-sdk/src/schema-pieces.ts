/**
 * The config property naming the secret a password comes from (read with `ctx.secret`), never the
 * password itself, e.g. `passwordEnv: passwordEnvProperty('Password variable')`. A `const` literal,
 * so the inferred config type is `string` as if written out in place.
 */
export function passwordEnvProperty<const Label extends string>(label: Label) {
  return {
    type: 'string',
    description: 'Name of the environment variable (or secret) holding the password: never the password itself.',
    minLength: 1,
    'x-ui': { label },
  } as const;
}

/** The config property choosing an outbox's `overflow` policy (see `OutboxOptions`), e.g. `overflow: outboxOverflowProperty`. */
export const outboxOverflowProperty = {
  description: 'When the buffer is full: drop the oldest (counted in the status), or block (hold the flow back).',
  default: 'drop-oldest',
  enum: ['drop-oldest', 'block'],
  'x-ui': { label: 'When the buffer is full' },
} as const;
