import type {
  ConfigProblem,
  LinkRole,
  NumberedPorts,
  JSONSchema as PlainSchema,
  SubflowDef,
} from '@tagflow/flow-model';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { NodeContext, NodeInstance } from './context';

/** Upgrades a config saved at version `n` to version `n + 1`. Pure; returns a new object. */
export type ConfigMigration = (config: Record<string, unknown>) => Record<string, unknown>;

/** A place a config sends its secrets to: the host as written in the config, and the port it connects to. */
export interface SecretDestination {
  /** Host name or address, e.g. `broker.plant` or `10.0.0.9` (IPv6 with or without brackets). */
  host: string;
  /** The port connected to, defaults filled in (1883 for `mqtt://`); absent only when it cannot be known. */
  port?: number;
}

/** The config type a node receives, inferred from its JSON Schema (defaults count as present). */
export type ConfigOf<S> = S extends JSONSchema ? FromSchema<S> : Record<string, unknown>;

/** The parts of a node type that do not depend on its config type. */
export interface NodeTypeBase {
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
  /** Input port names; `[]` for a source. Most processors have `['in']`. */
  inputs: readonly string[];
  /** Output port names, e.g. `['out']`; include `error` to receive this node's errors as messages. */
  outputs: readonly string[];
  /**
   * Output ports whose number the user sets in the config, after the fixed `outputs` (a switch with
   * one output per rule): `{ prefix: 'out', countField: 'outputs' }` gives `out1` … `outN`, where N
   * is `config.outputs`. Declared as data, not a function, so the editor (which gets definitions as
   * JSON) draws as many handles as the config says. The count's bounds and default are the config
   * schema's: `countField` must be a top-level `{ type: 'integer', minimum: >= 0, maximum: <= 64,
   * default }`, or the runtime refuses the definition. Validate and deploy refuse an edge from a port
   * past the count; `ctx.send(msg, 'out7')` with a count of 6 is reported as an error of the node.
   */
  numberedOutputs?: NumberedPorts;
  /** Config fields that hold a resource id, with the resource type they must name. */
  resources?: Readonly<Record<string, string>>;
  /**
   * True when this node is of no use without its resources connected (a write node whose device
   * must be there): a deploy through the admin API then waits for them and, if they cannot be
   * reached, refuses the flow and keeps the old one. By default a deploy does not wait: a device
   * that is down is retried in the background.
   */
  requiresResourcesAtDeploy?: boolean;
  /** The error codes this node may raise, with their meanings (`catalogue.pick(...)`): listed in its docs. */
  errors?: Readonly<Record<string, string>>;
  /** The node delays or limits what it passes on, so a cycle through it cannot spin. */
  breaksCycles?: true;
  /**
   * A person may make the node send one message now (the editor's inject button on the node,
   * `POST /api/flows/:id/nodes/:nodeId/inject`), as Node-RED's inject node: the instance's
   * `onTrigger` is then called. Declared as data so the editor knows which nodes get the button.
   */
  manualTrigger?: true;
  /**
   * Makes the node a link node, wired by the engine from its config rather than by edges (virtual
   * wires; `LinkRole` in @tagflow/flow-model says what each role sends and receives, on the hidden
   * ports `LINK_PORT` and `RETURN_PORT`). Validate and deploy refuse a link naming no link-in.
   */
  link?: LinkRole;
  /** `migrations[n]` upgrades a config saved at version n to n + 1. */
  migrations?: Readonly<Record<number, ConfigMigration>>;
  /**
   * Makes the type a packed subflow (`tagflow pack --subflow`): a node of this type is expanded
   * into this template at validation, as an instance of a flow's own subflow is, so `create` is
   * never called. `configSchema` is then the template's `params`; the template may carry the
   * subflows it uses in `subflows`.
   */
  subflow?: SubflowDef & { subflows?: SubflowDef[] };
}

/**
 * A node type: one file declares it with `defineNode` and exports it; the package lists the file in
 * its package.json `tagflow.nodes`. The JSON Schema is the single source for the TypeScript type
 * of the config, its validation at deploy and the editor's form (hints in an `x-ui` sub-object).
 */
export interface NodeDefinition<S extends JSONSchema = JSONSchema> extends NodeTypeBase {
  /** JSON Schema of the node's `config`. */
  configSchema: S;
  /**
   * Makes the node an error handler (like Node-RED's catch): given its config, the node ids whose
   * errors it receives, or `'all'`. Errors arrive in `onMessage` on the port named `ERROR_PORT`
   * (`$error`) as the failed message with `msg.error` set. Only errors of nodes without a wired
   * `error` output port are routed to handlers.
   */
  catches?(config: ConfigOf<S>): readonly string[] | 'all';
  /**
   * Makes the node a status watcher (like Node-RED's status node): given its config, the node ids
   * whose status changes it receives, or `'all'`. Each change arrives in `onMessage` on the port
   * named `STATUS_PORT` (`$status`) as `{ payload: text, status: { state, text, fill, shape,
   * source: { id, type, name } } }`. A watcher never receives its own status.
   */
  watchesStatus?(config: ConfigOf<S>): readonly string[] | 'all';
  /**
   * The node's own static check of its config, for what the JSON Schema cannot say: a regex that
   * compiles, code or JSONata that parses, rules across fields. Called with a config that passed
   * the schema (defaults filled in) by `tagflow validate`, by the admin API's validate route (the
   * editor's problem list) and by every deploy, which it then refuses: one check, same words
   * everywhere. Never at message time. Pure and synchronous: no I/O, no connection, no state.
   * Returns the problems found, each `{ path: JSON pointer inside the config ('' = all of it),
   * message: plain words, code: from the package's error catalogue, listed in its refusals }`,
   * or `[]`. It must not throw; a throw is reported as a problem of this node, not a crash.
   * `create` may call it again as a guard (`refuseConfig`), so the words come from here only.
   */
  check?(config: ConfigOf<S>): readonly ConfigProblem[];
  /**
   * Where the secrets this config names go. Given a config that passed the schema (defaults filled
   * in), every host (and port) that may receive a secret named in the config's secret fields
   * (`'x-secret': true`, as `passwordEnvProperty` marks them), with the protocol's default port
   * filled in when the config leaves it out; `[]` when this config sends no secret anywhere. Pure
   * and synchronous, like `check`. Fail closed: a config it cannot read (a malformed URL) gives the
   * text as the host (see `urlDestination`), never `[]`. Called at validate and deploy: a flow naming a secret bound to some
   * hosts (`tagflow secret set NAME --allow host:port`) is refused when a destination is not
   * among them, and so is a type without this hook, as nobody can tell where its secrets go.
   */
  secretDestinations?(config: ConfigOf<S>): readonly SecretDestination[];
  /** Called once per deploy of this node; sets up state and returns the node's behaviour. */
  create(ctx: NodeContext<ConfigOf<S>>): NodeInstance | Promise<NodeInstance>;
}

/**
 * Any node definition, whatever its config type: what registries and test harnesses accept
 * (`NodeDefinition<any>` would make TypeScript expand the schema type without end).
 */
export interface AnyNodeDefinition extends NodeTypeBase {
  configSchema: PlainSchema;
  create(ctx: NodeContext<unknown>): NodeInstance | Promise<NodeInstance>;
  catches?(config: unknown): readonly string[] | 'all';
  watchesStatus?(config: unknown): readonly string[] | 'all';
  check?(config: unknown): readonly ConfigProblem[];
  secretDestinations?(config: unknown): readonly SecretDestination[];
}

/**
 * Declares a node type; the config type is inferred from `configSchema` (write it inline). The
 * result is typed loosely on purpose: comparing schema-derived types between definitions makes
 * TypeScript recurse without end, and nothing after this point needs the precise config type.
 */
export function defineNode<const S extends JSONSchema>(definition: NodeDefinition<S>): AnyNodeDefinition {
  return definition;
}

/** The port on which error handlers (nodes with `catches`) receive errors. */
export const ERROR_PORT = '$error';

/** The port on which status watchers (nodes with `watchesStatus`) receive status changes. */
export const STATUS_PORT = '$status';
