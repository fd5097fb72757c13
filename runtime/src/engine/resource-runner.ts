import type { FlowResource } from '@tagflow/flow-model';
import type {
  AnyResourceDefinition,
  Clock,
  NodeStatus,
  ResourceContext,
  ResourceHandle,
  ResourceInstance,
  Timer,
} from '@tagflow/node-sdk';
import type { FilesFolder } from './files-folder';
import type { EngineLogger } from './types';
import { closeWithin, taggedLogger } from './close-within';

/** First retry delay; it doubles per failed attempt up to `MAX_BACKOFF_MS`. */
export const FIRST_BACKOFF_MS = 500;
/** The longest wait between two attempts, jitter included. */
export const MAX_BACKOFF_MS = 30_000;
/** How long `create` may take before the peer counts as not answering (`connectTimeoutMs` overrides). */
export const CONNECT_TIMEOUT_MS = 30_000;

/**
 * The wait before attempt `failures + 1`: 0.5 s doubling per failure, times a jitter of 75-125 %
 * (`random` in [0, 1)) so that many runtimes do not retry in step, then capped at `MAX_BACKOFF_MS`.
 * The cap comes last, so it holds whatever the jitter: a peer down for long is retried every
 * 22.5-30 s, never later.
 */
export function backoffDelay(failures: number, random: number): number {
  const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (failures - 1));
  return Math.min(MAX_BACKOFF_MS, Math.round(base * (0.75 + random * 0.5)));
}

/** Where a runner gets what it needs from the engine. */
export interface ResourceHost {
  readonly logger: EngineLogger;
  readonly clock: Clock;
  readonly dataDir: string;
  /** The files folder; each resource gets its own view (`ResourceContext.files`). */
  readonly files: FilesFolder;
  readonly closeTimeoutMs: number;
  /** Resolves a secret by name (the secret store, then the environment). */
  secret(name: string): string | undefined;
  status(runner: ResourceRunner, status: NodeStatus): void;
}

/**
 * Keeps one shared connection of the flow open: calls the definition's `create` to connect, and
 * again after a failure or a loss, with exponential backoff and jitter, so that no connector writes
 * its own retry loop. Nodes see it through `ResourceHandle`, which outlives each connection.
 */
export class ResourceRunner implements ResourceHandle<unknown> {
  current: ResourceInstance | undefined;
  lastStatus: NodeStatus | undefined;
  private failures = 0;
  private lastError: string | undefined;
  /** The connection error last written to the log at warn level. */
  private announcedError: string | undefined;
  private retry: Timer | undefined;
  /** Abandons a connection attempt the peer does not answer (`connectTimeoutMs`). */
  private connectTimer: Timer | undefined;
  private connectionAbort: AbortController | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly connectListeners = new Set<(connection: unknown) => void | Promise<void>>();
  private readonly disconnectListeners = new Set<(reason: Error) => void>();
  private readyWaiters: Array<(connection: unknown) => void> = [];

  constructor(
    readonly resource: FlowResource,
    readonly definition: AnyResourceDefinition,
    private readonly host: ResourceHost,
  ) {}

  /** Why the last connection attempt failed, while not connected. */
  get failure(): string | undefined {
    return this.current ? undefined : this.lastError;
  }

  /** Starts connecting in the background; a deploy does not wait for the peer. */
  start(): void {
    void this.connect();
  }

  ready(signal?: AbortSignal): Promise<unknown> {
    if (this.current) return Promise.resolve(this.current);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const waiter = (connection: unknown) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(connection);
      };
      const onAbort = () => {
        this.readyWaiters = this.readyWaiters.filter((w) => w !== waiter);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.readyWaiters.push(waiter);
    });
  }

  onConnect(listener: (connection: unknown) => void | Promise<void>): () => void {
    this.connectListeners.add(listener);
    if (this.current) void this.notifyConnect(listener, this.current);
    return () => this.connectListeners.delete(listener);
  }

  onDisconnect(listener: (reason: Error) => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    this.retry?.cancel();
    this.connectTimer?.cancel();
    this.connectionAbort?.abort();
    const connection = this.current;
    this.current = undefined;
    if (connection) await this.closeConnection(connection);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.setStatus(
      this.failures === 0
        ? { state: 'connecting', text: 'connecting' }
        : { state: 'reconnecting', text: `reconnecting (attempt ${this.failures + 1}): ${this.lastError}` },
    );
    const abort = new AbortController();
    this.connectionAbort = abort;
    let connection: ResourceInstance | undefined;
    let lostEarly: unknown;
    // A peer that accepts the socket but never answers (a hung database, a broker that does not
    // send CONNACK) would hold `create` for ever, with the status at `connecting`: past the
    // timeout the attempt is abandoned as stalled and retried like a refused one.
    const timeoutMs = this.definition.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    try {
      const creating = this.createConnection({
        id: this.resource.id,
        type: this.resource.type,
        config: Object.freeze({ ...(this.resource.config ?? {}) }),
        signal: abort.signal,
        log: taggedLogger(this.host.logger, { resource: this.resource.id, type: this.resource.type }),
        status: (status) => this.setStatus(status),
        // Secrets never live in the flow file: a flow names them, the runtime provides them.
        secret: (name) => this.host.secret(name),
        lost: (reason) => {
          if (abort.signal.aborted) return;
          if (connection === undefined) lostEarly = reason ?? new Error('connection lost');
          else this.onLost(connection, abort, reason);
        },
        dataDir: this.host.dataDir,
        files: this.host.files.forResource(this.resource.id),
      });
      connection = await new Promise<ResourceInstance>((resolve, reject) => {
        this.connectTimer = this.host.clock.setTimeout(() => {
          abort.abort();
          reject(new Error(`stalled: the peer did not answer within ${formatSeconds(timeoutMs)}`));
          // A connection made after all is not used: close it, so that it leaks nothing.
          creating.then(
            (late) => void this.closeConnection(late),
            () => undefined,
          );
        }, timeoutMs);
        creating.then(resolve, reject);
      });
    } catch (err) {
      this.fail(err);
      return;
    } finally {
      this.connectTimer?.cancel();
      this.connectTimer = undefined;
    }
    if (this.closed) {
      await this.closeConnection(connection);
      return;
    }
    if (lostEarly !== undefined) {
      await this.closeConnection(connection);
      this.fail(lostEarly);
      return;
    }
    this.current = connection;
    this.host.logger.info(
      { resource: this.resource.id, type: this.resource.type },
      this.failures === 0
        ? 'connected'
        : `connected after ${this.failures} failed attempt${this.failures === 1 ? '' : 's'}`,
    );
    this.failures = 0;
    this.lastError = undefined;
    this.announcedError = undefined;
    this.setStatus({ state: 'ok', text: 'connected' });
    // Listeners first: subscriptions are made again before waiting senders carry on (a listener
    // that hangs holds them back at most the close timeout).
    const notified = Promise.all(
      [...this.connectListeners].map((listener) => this.notifyConnect(listener, connection)),
    );
    await Promise.race([notified, new Promise((resolve) => setTimeout(resolve, this.host.closeTimeoutMs).unref())]);
    if (this.current !== connection) return;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const waiter of waiters) waiter(connection);
  }

  /** Calls the definition's `create`, a synchronous throw included, as a Promise. */
  private createConnection(ctx: ResourceContext<unknown>): Promise<ResourceInstance> {
    try {
      return Promise.resolve(this.definition.create(ctx));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private onLost(connection: ResourceInstance, abort: AbortController, reason: unknown): void {
    if (this.current !== connection) return;
    abort.abort();
    this.current = undefined;
    const error = reason instanceof Error ? reason : new Error(String(reason ?? 'connection lost'));
    this.host.logger.warn(
      { resource: this.resource.id, type: this.resource.type, reason: error.message },
      'connection lost; reconnecting',
    );
    for (const listener of this.disconnectListeners) {
      try {
        listener(error);
      } catch (err) {
        this.host.logger.error({ resource: this.resource.id, err }, 'a disconnect listener failed');
      }
    }
    void this.closeConnection(connection);
    // The loss is its own line; a retry that fails for the same reason adds nothing to it.
    this.announcedError = error.message;
    this.fail(error);
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    this.lastError = err instanceof Error ? err.message : String(err);
    this.failures++;
    const delay = backoffDelay(this.failures, Math.random());
    // A peer that stays down is retried every 30 s for as long as it is down: the log says so once
    // per reason, the node status (and its retry countdown) tells the rest.
    const announce = this.lastError !== this.announcedError;
    this.announcedError = this.lastError;
    this.host.logger[announce ? 'warn' : 'debug'](
      {
        resource: this.resource.id,
        type: this.resource.type,
        reason: this.lastError,
        attempt: this.failures,
        retryInMs: delay,
      },
      'cannot connect; retrying with backoff',
    );
    this.setStatus({ state: 'reconnecting', text: `retry in ${(delay / 1000).toFixed(1)} s: ${this.lastError}` });
    this.retry = this.host.clock.setTimeout(() => void this.connect(), delay);
  }

  private notifyConnect(
    listener: (connection: unknown) => void | Promise<void>,
    connection: ResourceInstance,
  ): Promise<void> {
    return Promise.resolve()
      .then(() => listener(connection))
      .catch((err: unknown) =>
        this.host.logger.error({ resource: this.resource.id, err }, 'a connect listener failed'),
      );
  }

  private async closeConnection(connection: ResourceInstance): Promise<void> {
    if (!connection.close) return;
    await closeWithin(() => connection.close?.(), this.host.closeTimeoutMs, this.host.logger, {
      resource: this.resource.id,
      type: this.resource.type,
    });
  }

  private setStatus(status: NodeStatus): void {
    this.lastStatus = status;
    this.host.status(this, status);
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
