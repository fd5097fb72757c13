import { supervisorErrors } from '../error-codes';
import type { ErrorCodeOf } from '@tagflow/flow-model';

/** A request to the engine process. */
export interface RpcRequest {
  t: 'call';
  id: number;
  method: string;
  args: unknown[];
}

/** The engine process's answer to a request of the same id. */
export type RpcReply =
  | { t: 'reply'; id: number; ok: true; value: unknown }
  | { t: 'reply'; id: number; ok: false; error: { message: string; code?: string } };

/** A failed call to the engine, in plain words, with a code of `supervisorErrors`. */
export class EngineCallError extends Error {
  constructor(
    readonly code: ErrorCodeOf<typeof supervisorErrors>,
    message: string,
    /** With ENGINE_FAILED: the code of the error the engine answered with, when it had one. */
    readonly remoteCode?: string,
  ) {
    super(message);
    this.name = 'EngineCallError';
  }
}

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer?: NodeJS.Timeout;
}

/**
 * Request/response over a message channel, with ids and deadlines: a call to an engine that is
 * dead or stuck rejects in plain words instead of hanging the caller. `send` returns false (or
 * throws) when the channel is gone; the call then fails at once.
 */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedReason: string | undefined;

  constructor(private readonly send: (request: RpcRequest) => boolean) {}

  /** Calls `method`; rejects after `deadlineMs` (none: waits until answered or `close`d). */
  call<T>(method: string, args: unknown[], deadlineMs?: number): Promise<T> {
    if (this.closedReason !== undefined)
      return Promise.reject(
        new EngineCallError(
          supervisorErrors.code.ENGINE_ENDED,
          `the engine cannot run ${method}: ${this.closedReason}`,
        ),
      );
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { method, resolve: resolve, reject };
      this.pending.set(id, entry);
      if (deadlineMs !== undefined) {
        entry.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(
            new EngineCallError(
              supervisorErrors.code.ENGINE_TIMEOUT,
              `the engine did not answer ${method} within ${deadlineMs} ms`,
            ),
          );
        }, deadlineMs);
        entry.timer.unref();
      }
      let sent: boolean;
      try {
        sent = this.send({ t: 'call', id, method, args });
      } catch (err) {
        this.settle(id);
        return reject(
          new EngineCallError(
            supervisorErrors.code.ENGINE_ENDED,
            `the engine cannot run ${method}: the request could not be sent (${(err as Error).message})`,
          ),
        );
      }
      if (!sent) {
        this.settle(id);
        reject(
          new EngineCallError(
            supervisorErrors.code.ENGINE_ENDED,
            `the engine cannot run ${method}: its process is gone`,
          ),
        );
      }
    });
  }

  /** Hands an answer to its caller; an answer after the deadline is dropped. */
  handle(reply: RpcReply): void {
    const entry = this.settle(reply.id);
    if (!entry) return;
    if (reply.ok) entry.resolve(reply.value);
    else entry.reject(new EngineCallError(supervisorErrors.code.ENGINE_FAILED, reply.error.message, reply.error.code));
  }

  /** Fails every pending and later call with `reason` (the process ended). */
  close(reason: string): void {
    this.closedReason = reason;
    for (const [id, entry] of [...this.pending]) {
      this.settle(id);
      entry.reject(
        new EngineCallError(
          supervisorErrors.code.ENGINE_ENDED,
          `the engine ended before it answered ${entry.method}: ${reason}`,
        ),
      );
    }
  }

  /** Calls waiting for an answer. */
  get waiting(): number {
    return this.pending.size;
  }

  private settle(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    if (entry.timer) clearTimeout(entry.timer);
    return entry;
  }
}

/** Answers requests with `handlers` (the engine process's side); a handler's error travels back as a message. */
export function serveRpc(
  handlers: Record<string, (...args: never[]) => unknown>,
  reply: (answer: RpcReply) => void,
): (request: RpcRequest) => void {
  return (request) => {
    const handler = handlers[request.method];
    const done = (answer: RpcReply) => reply(answer);
    if (!handler) {
      done({ t: 'reply', id: request.id, ok: false, error: { message: `no such engine call: ${request.method}` } });
      return;
    }
    Promise.resolve()
      .then(() => (handler as (...args: unknown[]) => unknown)(...request.args))
      .then(
        (value) => done({ t: 'reply', id: request.id, ok: true, value }),
        (err: unknown) =>
          done({
            t: 'reply',
            id: request.id,
            ok: false,
            error: {
              message: err instanceof Error ? err.message : String(err),
              ...(typeof (err as { code?: unknown })?.code === 'string'
                ? { code: (err as { code: string }).code }
                : {}),
            },
          }),
      );
  };
}
