import type { ConfigProblem, JSONSchema as PlainSchema } from '@tagflow/flow-model';
import type { JSONSchema } from 'json-schema-to-ts';
import type { NodeLogger, NodeStatus } from './context';
import type { ConfigOf, SecretDestination } from './define-node';
import type { FilesRoot } from './files-root';

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
  /**
   * Resolves a secret by name: the runtime's secret store, else an environment variable named
   * TAGFLOW_*. Read only the names the config's secret fields hold (`passwordEnvProperty`), and
   * send them only where `secretDestinations` says: that is what a deploy checks bindings against.
   */
  secret(name: string): string | undefined;
  /**
   * Reports that the open connection was lost (socket closed, session ended). The runtime then
   * calls `close` on this instance and `create` again, with exponential backoff and jitter.
   */
  lost(reason: unknown): void;
  /** The runtime's data folder (absolute path), e.g. for a client certificate store. */
  readonly dataDir: string;
  /**
   * The files folder, the only place a resource reads files a flow names (a TLS CA, certificate or
   * key): same contract as `NodeContext.files`, with the resource's id in its errors. Open those
   * files with `files.open`, never with `fs` on a path from the config, so that a flow cannot make
   * the resource read the data dir's tokens or secrets; check static paths in `check` with
   * `filesPathProblems`.
   */
  readonly files: FilesRoot;
}

/** What a resource tool gets besides the connection and the caller's input. */
export interface ResourceToolContext {
  /** Aborted at the deadline (or when the runtime gives up the call): stop waiting on the peer. */
  readonly signal: AbortSignal;
  /** When the answer is due, in ms since the epoch (`Date.now()`): size the work to fit. */
  readonly deadline: number;
  readonly log: NodeLogger;
}

/**
 * A named helper the editor calls on a connection of this resource type, e.g. `browse` an OPC UA
 * address space or `test-read` Modbus registers, so that people pick tags instead of typing them.
 * It gets a live connection (the running flow's, when the same resource config already runs, else
 * one opened for the call and closed after it), the caller's `input` (unchecked JSON: check it and
 * throw a `NodeError` in plain words) and a context with the deadline. It resolves with plain JSON
 * data; it must not change the peer (read, never write) and must not keep the connection.
 */
export type ResourceTool<R = ResourceInstance> = (
  connection: R,
  input: unknown,
  ctx: ResourceToolContext,
) => Promise<unknown>;

/** A live resource: whatever object the nodes use, plus an idempotent `close`. */
export interface ResourceInstance {
  close?(): void | Promise<void>;
}

/**
 * A shared connection type (`mqtt-broker`, `modbus-device`...): one live connection per resource
 * of the flow, shared by the nodes that name it.
 *
 * `create` opens one connection and returns it; it must not retry: it throws (or rejects) when the
 * peer cannot be reached, and later calls `ctx.lost(reason)` when an open connection drops.
 * Reconnecting is the runtime's job: it calls `create` again with exponential backoff and jitter
 * (0.5 s doubling, times a 75-125 % jitter, then capped: never more than 30 s between two attempts,
 * jitter included), gives up an attempt the peer does not answer within `connectTimeoutMs`, shows connecting / connected / reconnecting (with the last error) on
 * every node using the resource, and hands each new connection to the nodes' `onConnect`
 * listeners. A deploy does not wait for the first connection: a device that is down at deploy
 * time is retried like one that went down later. `close` is called once per connection.
 */
export interface ResourceDefinition<S extends JSONSchema = JSONSchema, R extends ResourceInstance = ResourceInstance> {
  type: string;
  version: number;
  description: string;
  docs?: string;
  /** The error codes this resource may raise, with their meanings (`catalogue.pick(...)`): listed in its docs. */
  errors?: Readonly<Record<string, string>>;
  configSchema: S;
  /**
   * The resource's own static check of its config (a host for TCP, a path for serial...): same
   * contract as a node's `check`. It runs at validate and deploy, before any connection, so a
   * config that can never connect is refused rather than retried as if the peer were down.
   */
  check?(config: ConfigOf<S>): readonly ConfigProblem[];
  /**
   * Where the secrets this config names go: the host and port `create` connects to. Same contract
   * as a node's `secretDestinations`; without it, the resource cannot use a bound secret.
   */
  secretDestinations?(config: ConfigOf<S>): readonly SecretDestination[];
  create(ctx: ResourceContext<ConfigOf<S>>): R | Promise<R>;
  /**
   * How long `create` may take (ms, default 30 000). A peer that accepts the connection but never
   * answers (a hung database, a broker that sends no CONNACK) is then reported as stalled: the
   * runtime aborts `ctx.signal`, shows `retry in … s: stalled: the peer did not answer within 30 s`
   * and tries again with backoff; a connection `create` still returns later is closed unused.
   */
  connectTimeoutMs?: number;
  /** Helpers the editor may call on a connection, by name (see `ResourceTool`); the admin API runs them. */
  tools?: Readonly<Record<string, ResourceTool<R>>>;
}

/** Any resource definition, whatever its config and instance types. */
export interface AnyResourceDefinition {
  type: string;
  version: number;
  description: string;
  docs?: string;
  errors?: Readonly<Record<string, string>>;
  configSchema: PlainSchema;
  check?(config: unknown): readonly ConfigProblem[];
  secretDestinations?(config: unknown): readonly SecretDestination[];
  create(ctx: ResourceContext<unknown>): ResourceInstance | Promise<ResourceInstance>;
  connectTimeoutMs?: number;
  tools?: Readonly<Record<string, ResourceTool<never>>>;
}

/** Declares a resource type; the config type is inferred from `configSchema`. */
export function defineResource<const S extends JSONSchema, R extends ResourceInstance>(
  definition: ResourceDefinition<S, R>,
): AnyResourceDefinition {
  return definition;
}
