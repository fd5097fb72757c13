import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { NodeContext, NodeInstance } from './context';

/** Upgrades a config saved at version `n` to version `n + 1`. Pure; returns a new object. */
export type ConfigMigration = (config: Record<string, unknown>) => Record<string, unknown>;

/** The config type a node receives, inferred from its JSON Schema (defaults count as present). */
export type ConfigOf<S> = S extends JSONSchema ? FromSchema<S> : Record<string, unknown>;

/**
 * A node type: one file declares it with `defineNode` and exports it; the package lists the file in
 * its package.json `tagflow.nodes`. The JSON Schema is the single source for the TypeScript type
 * of the config, its validation at deploy and the editor's form (hints in an `x-ui` sub-object).
 */
export interface NodeDefinition<S extends JSONSchema = JSONSchema> {
  /** Type name used in flow files, kebab-case, e.g. `moving-average`. */
  type: string;
  /** Config version; bump it when the config shape changes and add a migration. Starts at 1. */
  version: number;
  /** Palette group: `source`, `processor`, `publisher`, `utility`. */
  category: 'source' | 'processor' | 'publisher' | 'utility' | (string & {});
  /** One line for the palette. */
  description: string;
  /** Longer help in Markdown: what it emits, when, with which fields. */
  docs?: string;
  /** JSON Schema of the node's `config`. */
  configSchema: S;
  /** Input port names; `[]` for a source. Most processors have `['in']`. */
  inputs: readonly string[];
  /** Output port names, e.g. `['out']`; include `error` to receive this node's errors as messages. */
  outputs: readonly string[];
  /** Config fields that hold a resource id, with the resource type they must name. */
  resources?: Readonly<Record<string, string>>;
  /**
   * Makes the node an error handler (like Node-RED's catch): given its config, the node ids whose
   * errors it receives, or `'all'`. Errors arrive in `onMessage` on the port named `ERROR_PORT`
   * (`$error`) as the failed message with `msg.error` set. Only errors of nodes without an `error`
   * output port are routed to handlers.
   */
  catches?(config: ConfigOf<S>): readonly string[] | 'all';
  /** `migrations[n]` upgrades a config saved at version n to n + 1. */
  migrations?: Readonly<Record<number, ConfigMigration>>;
  /** Called once per deploy of this node; sets up state and returns the node's behaviour. */
  create(ctx: NodeContext<ConfigOf<S>>): NodeInstance | Promise<NodeInstance>;
}

/** Declares a node type; the config type is inferred from `configSchema` (write it inline). */
export function defineNode<const S extends JSONSchema>(definition: NodeDefinition<S>): NodeDefinition<S> {
  return definition;
}

/** The port on which error handlers (nodes with `catches`) receive errors. */
export const ERROR_PORT = '$error';
