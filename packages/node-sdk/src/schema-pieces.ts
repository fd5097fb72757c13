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
