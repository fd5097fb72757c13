import type { EngineLogger } from '../engine/types';
import type { SecretStoreApi } from '../store/types';

/** Environment variables a flow may read as secrets under `tagflow start`. */
export const ENV_SECRET_PREFIX = 'TAGFLOW_';

/**
 * A secret a flow names: from the secret store, else from an environment variable named TAGFLOW_*.
 * Other environment variables stay out of reach: a flow deployed through the API must not be able
 * to send, say, AWS_SECRET_ACCESS_KEY to a server of its author's choosing.
 */
export function resolveSecret(
  name: string,
  secrets: Pick<SecretStoreApi, 'get'>,
  logger: EngineLogger,
): string | undefined {
  const stored = secrets.get(name);
  if (stored !== undefined) return stored;
  if (name.startsWith(ENV_SECRET_PREFIX)) return process.env[name];
  if (process.env[name] !== undefined) {
    logger.warn(
      { secret: name },
      `secret "${name}" is not in the secret store, and environment variables not named ${ENV_SECRET_PREFIX}* are not given to flows: run "tagflow secret set ${name}"`,
    );
  }
  return undefined;
}
