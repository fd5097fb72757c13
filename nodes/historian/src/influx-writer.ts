import { Worker } from 'node:worker_threads';
import type { InfluxHttpAnswer, InfluxHttpRequest } from './influx-http';

/** A request's failure as it crosses from the worker: what `describeNetworkError` reads of a fetch error. */
interface SentFailure {
  name?: string;
  message?: string;
  cause?: { message?: string; code?: string };
}

// Plain JavaScript run with `eval` (so that the built package and the tests, which run the
// TypeScript sources, share it): each request is sent with fetch as it comes, so the writes under
// way run at once, and answered with the status and body, or with what failed.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', async (m) => {
  if (m === 'close') {
    parentPort.close();
    return;
  }
  try {
    const response = await fetch(m.url, {
      method: m.request.method,
      headers: m.request.headers,
      body: m.request.body,
      signal: AbortSignal.timeout(m.request.timeoutMs),
    });
    const text = await response.text();
    parentPort.postMessage({ id: m.id, answer: { status: response.status, statusText: response.statusText, text } });
  } catch (err) {
    const cause = err && err.cause;
    parentPort.postMessage({
      id: m.id,
      failure: {
        name: err && err.name,
        message: String((err && err.message) || err),
        cause: cause ? { message: cause.message, code: cause.code } : undefined,
      },
    });
  }
});
`;

/**
 * Sends an InfluxDB store's writes from a worker thread (an `InfluxTransport`). Sending a batch
 * (the HTTP client, the socket) costs this thread about as much as building it; on the worker it
 * runs beside the engine, which meanwhile takes the next messages in.
 */
export class InfluxWriter {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (a: InfluxHttpAnswer) => void; reject: (e: Error) => void }>();
  /** Requests sent and not answered yet, for close to wait on. */
  private readonly pending = new Set<Promise<InfluxHttpAnswer>>();
  private nextId = 0;
  private failure: Error | undefined;
  private exited = false;
  private closing: Promise<void> | undefined;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.on('message', (m: { id: number; answer?: InfluxHttpAnswer; failure?: SentFailure }) => {
      const waiter = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.answer !== undefined) waiter?.resolve(m.answer);
      else waiter?.reject(asFetchError(m.failure ?? {}));
    });
    // A worker that dies fails what waits and every later request (the store reports it lost).
    this.worker.on('error', (err: Error) => this.fail(err));
    this.worker.on('exit', (code) => {
      this.exited = true;
      if (this.closing === undefined) this.fail(new Error(`the InfluxDB writer thread stopped (exit code ${code})`));
    });
  }

  /** An `InfluxTransport` sending through the worker. */
  readonly send = (url: string, request: InfluxHttpRequest): Promise<InfluxHttpAnswer> => {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error('the InfluxDB writer is closed'));
    const id = this.nextId++;
    // The body goes as bytes whose memory moves to the worker: copying a string of a thousand
    // lines to another thread took ten times as long as encoding it.
    const body = request.body === undefined ? undefined : new TextEncoder().encode(request.body);
    const answered = new Promise<InfluxHttpAnswer>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, url, request: { ...request, body } }, body === undefined ? [] : [body.buffer]);
    });
    this.pending.add(answered);
    const settled = () => this.pending.delete(answered);
    answered.then(settled, settled);
    return answered;
  };

  /** Lets the requests under way finish, then ends the worker. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled(this.pending);
      if (this.exited) return;
      await new Promise<void>((resolve) => {
        this.worker.once('exit', () => resolve());
        this.worker.postMessage('close');
      });
    })();
    return this.closing;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}

/** An error shaped as fetch's, so that the store words it as it words a failure on this thread. */
function asFetchError(failure: SentFailure): Error {
  const err = new Error(failure.message ?? 'the request failed', {
    cause: failure.cause === undefined ? undefined : Object.assign(new Error(failure.cause.message), failure.cause),
  });
  if (failure.name !== undefined) err.name = failure.name;
  return err;
}
