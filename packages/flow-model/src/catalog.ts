import type { PrecompiledValidators } from './validator-module';
import type { SubflowDef } from './flow';
import type { JSONSchema } from './json-schema';
import type { LinkRole } from './links';
import type { NumberedPorts } from './numbered-ports';

/** One thing wrong with a config that its JSON Schema cannot say, as a type's `check` reports it. */
export interface ConfigProblem {
  /** JSON pointer inside the config (`/tags/2/type`); `''` means the whole config. */
  path: string;
  /** Plain words, e.g. `bool is for coils and discrete inputs; a holding-register holds a number`. */
  message: string;
  /** A code from the package's error catalogue, e.g. `MODBUS_CONFIG`. */
  code: string;
}

/**
 * A node or resource type's own static check of a config, for what a JSON Schema cannot say (a
 * regex that compiles, code that parses, rules across fields). `validateFlow` calls it after the
 * config passed its schema, with defaults filled in: so `tagflow validate`, the admin API's
 * validate route and every deploy run the same check. Pure and synchronous: no I/O, no
 * connection, never at message time. Returns the problems found, `[]` when the config is fine. It
 * should not throw; if it does, the throw is reported as a problem of that node, not a crash.
 */
export type ConfigCheck = (config: Record<string, unknown>) => readonly ConfigProblem[];

/**
 * What validation needs to know about an installed node type. The runtime builds it from the node
 * packages it discovered; the editor receives it from the runtime's API. Plain data, JSON-safe,
 * except `check`, which only the runtime has (JSON drops it: the editor asks the runtime instead).
 */
export interface NodeTypeInfo {
  /** e.g. `moving-average`. */
  type: string;
  /** Current config version; flows saved with an older `typeVersion` are migrated. */
  version: number;
  /** `source`, `processor`, `publisher`, `utility`... (palette grouping). */
  category: string;
  /** npm package that provides the type, with its version. */
  package?: { name: string; version: string };
  /** JSON Schema of `node.config`. */
  configSchema: JSONSchema;
  /** Input port names (a source has none). */
  inputs: readonly string[];
  /** Output port names; `error` here makes the engine route the node's errors to it. */
  outputs: readonly string[];
  /**
   * Output ports whose number the config sets, after `outputs`: `{ prefix: 'out', countField:
   * 'outputs' }` gives `out1` … `outN` (see `NumberedPorts`; `outputPorts(info, config)` lists them all).
   */
  numberedOutputs?: NumberedPorts;
  /**
   * Resource types this node needs, by the config field holding the resource id:
   * `{ broker: 'mqtt-broker' }` means `config.broker` must name a resource of type `mqtt-broker`.
   */
  resources?: Readonly<Record<string, string>>;
  /** One-line description for the palette. */
  description?: string;
  /** Longer help in Markdown (what it sends, when, an example): the body of its docs page and of the editor's help. */
  docs?: string;
  /** The error codes the node may raise, with their one-line meanings. */
  errors?: Readonly<Record<string, string>>;
  /** The type's static config check (see `ConfigCheck`); only in the runtime's catalog. */
  check?: ConfigCheck;
  /** The node delays or limits what it passes on, so a cycle through it cannot spin. */
  breaksCycles?: true;
  /** A person may make the node send one message now (the editor's inject button). */
  manualTrigger?: true;
  /** The node is a link node, wired by its config rather than by edges (see `LinkRole`). */
  link?: LinkRole;
  /**
   * A packed subflow: nodes of this type are expanded into this template at validation, exactly
   * as instances of a flow's own subflow are (`configSchema` is then the template's `params`).
   */
  subflow?: SubflowDef;
}

/** What validation needs to know about an installed resource type, and what its docs page shows. */
export interface ResourceTypeInfo {
  type: string;
  /** Current config version. */
  version?: number;
  category?: string;
  package?: { name: string; version: string };
  configSchema: JSONSchema;
  /** One-line description. */
  description?: string;
  /** Longer help in Markdown, as for a node type. */
  docs?: string;
  /** The error codes the resource may raise, with their one-line meanings. */
  errors?: Readonly<Record<string, string>>;
  /** The type's static config check (see `ConfigCheck`); only in the runtime's catalog. */
  check?: ConfigCheck;
}

/** The node and resource types a runtime (or an editor talking to one) knows. */
export interface NodeCatalog {
  nodes: ReadonlyMap<string, NodeTypeInfo> | Record<string, NodeTypeInfo>;
  resources?: ReadonlyMap<string, ResourceTypeInfo> | Record<string, ResourceTypeInfo>;
  /**
   * Config validators compiled ahead of time (the editor loads them from the runtime, see
   * `buildValidatorModule`). When set, validation compiles nothing (no `eval`): a config whose
   * schema has none here is not checked against its schema, and is left to the runtime's check.
   */
  validators?: PrecompiledValidators;
}
