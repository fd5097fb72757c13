import type { Flow } from '@tagflow/flow-model';
import type { AllowedDestination } from './secret-destinations';

/**
 * The contracts of the runtime's stores, all kept in the data dir. Every store is opened with
 * `open(dataDir)`, creates what it needs on first use, survives a restart, and writes atomically
 * (write to a temporary file, fsync, rename), so a crash never leaves a half-written file.
 */

/** One deployed version of the flow. Versions count up from 1 and are never reused. */
export interface FlowVersion {
  version: number;
  flowId: string;
  /** sha256 of the flow's canonical JSON (keys sorted), hex. */
  hash: string;
  /** ISO 8601. */
  deployedAt: string;
  /** Name of the token (or `cli`, `boot`) that deployed it. */
  deployedBy: string;
  /** Why this version exists when it is not a plain deploy, e.g. `rollback to 3: node "avg" failed in the health window`. */
  note?: string;
  /** Bytes of the version's flow file (absent for versions saved before it was recorded). */
  size?: number;
}

/**
 * The flow history: every deployed version, and which one is current (the one running). Only the
 * list and the current flow are kept in memory; `get` reads an older version from disk.
 */
export interface FlowStoreApi {
  /** The current version and its flow, or undefined before the first deploy. */
  current(): { version: FlowVersion; flow: Flow } | undefined;
  /** Records a new version (N+1) of `flow` and makes it current. */
  save(flow: Flow, by: string, note?: string): Promise<FlowVersion>;
  /** All versions, oldest first. */
  list(): FlowVersion[];
  /**
   * The flow of one version (read from disk unless current), or undefined when there is no such
   * version; rejects with a message naming the file when it is missing or does not match its hash.
   */
  get(version: number): Promise<Flow | undefined>;
}

/**
 * The flows a runtime holds, each with its own history (`FlowStoreApi`), and which are disabled.
 * Kept in `<data dir>/flows/<flow id>/` with the list in `<data dir>/flows/flows.json`.
 */
export interface FlowsStoreApi {
  /** Ids of the flows the runtime holds (saved at least once, not removed), in first-deploy order. */
  ids(): string[];
  /** One flow's history, or undefined when the runtime holds no flow with this id. */
  get(id: string): FlowStoreApi | undefined;
  /** One flow's history, created empty when new (listed in ids() from its first save). */
  open(id: string): Promise<FlowStoreApi>;
  disabled(id: string): boolean;
  /** Persisted: a disabled flow is not started at boot. */
  setDisabled(id: string, disabled: boolean): Promise<void>;
  /** Removes the flow: its folder moves to `<data dir>/flows-deleted/<id>-<timestamp>/`; false if unknown. */
  remove(id: string): Promise<boolean>;
}

/** Rights, each including the ones before it: viewer reads, deployer also deploys, admin also manages tokens and secrets. */
export type Role = 'viewer' | 'deployer' | 'admin';

/** What is known of a token; its value is shown once at creation and stored only as a hash. */
export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
}

export interface TokenStoreApi {
  /** Creates a token; the returned `token` value is the only time it exists in clear. */
  create(role: Role, name: string): Promise<{ info: TokenInfo; token: string }>;
  /** Revokes by id; false when there is no such token. */
  revoke(id: string): Promise<boolean>;
  list(): TokenInfo[];
  /** The token's info when the value is valid and not revoked (constant-time comparison of hashes). */
  verify(token: string): TokenInfo | undefined;
}

/** What is known of a stored secret without its value. */
export interface SecretInfo {
  name: string;
  /** The `host[:port]` entries it may be sent to; null when unbound (any deployer may send it to any host). */
  allow: string[] | null;
}

/**
 * Secrets (passwords, API tokens) encrypted at rest (AES-256-GCM, key file with mode 0600 in the
 * data dir). A secret may be bound to the destinations it may be sent to (its allow list, stored
 * beside the sealed value: it is not secret); deploys refuse flows that would send it elsewhere.
 */
export interface SecretStoreApi {
  /**
   * Stores `value` under `name`, bound to `allow` (`host[:port]` entries) or unbound when `allow`
   * is absent; replaces both value and binding. Rejects a bad name or entry, or an empty list.
   */
  set(name: string, value: string, allow?: readonly string[]): Promise<void>;
  /** False when there was no such secret. */
  delete(name: string): Promise<boolean>;
  /** Names only, sorted: values never leave the store except through `get`, for the engine. */
  names(): string[];
  /** Every secret's name and allow list, sorted by name; never a value. */
  list(): SecretInfo[];
  /** The destinations `name` may be sent to; undefined when it is unbound or not stored. */
  allowList(name: string): AllowedDestination[] | undefined;
  get(name: string): string | undefined;
}

/**
 * The runtime's variables, `${NAME}` in flow configs (a PLC's address per site), kept in clear in
 * the data dir: a variable is not a secret. Deploys, rollbacks, restarts and validate resolve
 * flows with them; a change counts from the next deploy.
 */
export interface VariableStoreApi {
  /** Stores `value` under `name`; rejects a bad name or a value that is not a string (or too long). */
  set(name: string, value: string): Promise<void>;
  /** False when there was no such variable. */
  delete(name: string): Promise<boolean>;
  get(name: string): string | undefined;
  /** Every variable by name, sorted by name. */
  all(): Record<string, string>;
}

/** One line of the audit log. */
export interface AuditEvent {
  /** ISO 8601, set by the log. */
  time: string;
  type:
    | 'deploy'
    | 'deploy-rejected'
    | 'rollback'
    | 'token-created'
    | 'token-revoked'
    | 'secret-set'
    | 'secret-deleted'
    | 'variable-set'
    | 'variable-deleted'
    | 'context-set'
    | 'context-deleted'
    | 'login-failed'
    | 'package-installed'
    | 'package-removed'
    | 'start'
    | 'stop'
    /** The engine process was ended by the watchdog, crashed, or safe mode began. */
    | 'engine-ended'
    /** A flow was disabled, enabled again, or removed from the runtime. */
    | 'flow-disabled'
    | 'flow-enabled'
    | 'flow-removed';
  /** Token name, `cli`, or the remote address for a failed login. */
  actor: string;
  /** Short plain-words detail; never a secret or token value. */
  detail: string;
  /** Structured extras (version numbers, hash, node ids). */
  data?: Record<string, unknown>;
  /** How many occurrences this one event stands for, when it sums several (failed logins); absent means one. */
  count?: number;
}

/** Which audit events a query wants. */
export interface AuditFilter {
  /** Only events at or after this time: epoch ms, or an ISO 8601 string passed through. */
  since?: number;
  type?: AuditEvent['type'];
  /** The newest N matching events (default 1000). */
  limit?: number;
}

/** One page of the audit log. */
export interface AuditPage {
  /** Oldest first: the newest `limit` matching events before the cursor. */
  events: AuditEvent[];
  /** Pass as `before` for the next (older) page; absent when no older event can exist. */
  next?: string;
}

/**
 * Append-only JSON-lines files `<data dir>/audit.log`, rotated by size into `audit.log.1` ...
 * (oldest dropped). Events are in the order they were appended.
 */
export interface AuditLogApi {
  append(event: Omit<AuditEvent, 'time'>): Promise<void>;
  /** The newest `limit` matching events, newest last. */
  query(filter?: AuditFilter): Promise<AuditEvent[]>;
  /**
   * Pages backwards from the newest event (or from `before`, a `next` of an earlier page),
   * reading the files from their end in chunks: memory stays bounded whatever the log's size.
   * Throws `AuditCursorError` for a cursor that is malformed or points at rotated-away events.
   */
  page(filter?: AuditFilter & { before?: string }): Promise<AuditPage>;
}
