import type { JSONSchema as PlainSchema } from '@tagflow/flow-model';
import type { JSONSchema } from 'json-schema-to-ts';
import type { NodeLogger, NodeStatus } from './context';
import type { ConfigOf } from './define-node';

/** Everything a resource (a shared connection) may use while it lives. */
export interface ResourceContext<Config = Record<string, unknown>> {
  readonly id: string;
  readonly type: string;
  readonly config: Config;
  readonly log: NodeLogger;
  /** Aborted when the resource is being closed. */
  readonly signal: AbortSignal;
  /** Shown on every node using this resource (connected, reconnecting with the last error...). */
  status(status: NodeStatus): void;
  /** Resolves a secret by name (environment variable for now; an encrypted store later). */
  secret(name: string): string | undefined;
}

/** A live resource: whatever object the nodes use, plus an idempotent `close`. */
export interface ResourceInstance {
  close?(): void | Promise<void>;
}

/**
 * A shared connection type (`mqtt-broker`, `modbus-device`...). One instance per resource in the
 * flow, created before the nodes that use it and closed after them.
 */
export interface ResourceDefinition<S extends JSONSchema = JSONSchema, R extends ResourceInstance = ResourceInstance> {
  type: string;
  version: number;
  description: string;
  docs?: string;
  configSchema: S;
  create(ctx: ResourceContext<ConfigOf<S>>): R | Promise<R>;
}

/** Any resource definition, whatever its config and instance types. */
export interface AnyResourceDefinition {
  type: string;
  version: number;
  description: string;
  docs?: string;
  configSchema: PlainSchema;
  create(ctx: ResourceContext<any>): ResourceInstance | Promise<ResourceInstance>;
}

/** Declares a resource type; the config type is inferred from `configSchema`. */
export function defineResource<const S extends JSONSchema, R extends ResourceInstance>(
  definition: ResourceDefinition<S, R>,
): AnyResourceDefinition {
  return definition as unknown as AnyResourceDefinition;
}
