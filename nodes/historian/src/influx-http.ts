import { RefusedWriteError } from './historian-store';

/** How an InfluxDB server is reached: base URL, credentials header, time limit per request. */
export interface InfluxEndpoint {
  /** Base URL without credentials, e.g. `http://127.0.0.1:8086` (a path prefix is kept). */
  url: string;
  /** `Basic ...` (v1 user) or `Token ...` (v2), or undefined for an open server. */
  authorization: string | undefined;
  timeoutMs: number;
}

/** What a request sends, as `InfluxTransport` takes it. */
export interface InfluxHttpRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** An HTTP answer: status and body. */
export interface InfluxHttpAnswer {
  status: number;
  statusText: string;
  text: string;
}

/**
 * Sends one request and reads the whole answer; rejects as `fetch` does when the server cannot
 * be reached or does not answer in time (an error named `TimeoutError`, the socket's reason as its
 * `cause`). `fetchTransport` does it on this thread, `InfluxWriter` on a worker thread.
 */
export type InfluxTransport = (url: string, request: InfluxHttpRequest) => Promise<InfluxHttpAnswer>;

export const fetchTransport: InfluxTransport = async (url, request) => {
  const response = await fetch(url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(request.timeoutMs),
  });
  return { status: response.status, statusText: response.statusText, text: await response.text() };
};

/**
 * One HTTP request to InfluxDB with `fetch` (or the given transport), its failures put in plain words. A network failure
 * or a time-out is reported to `unreachable` (the store calls `lost`) before the promise rejects;
 * a non-2xx answer rejects with the status and InfluxDB's own error text. The authorization
 * header never appears in an error.
 */
export async function influxRequest(
  endpoint: InfluxEndpoint,
  what: string,
  request: {
    method: 'GET' | 'POST';
    path: string;
    params: Record<string, string | undefined>;
    body?: string;
    contentType?: string;
  },
  unreachable: (reason: Error) => void,
  transport: InfluxTransport = fetchTransport,
): Promise<string> {
  const url = new URL(endpoint.url);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${request.path}`;
  for (const [key, value] of Object.entries(request.params)) if (value !== undefined) url.searchParams.set(key, value);
  const headers: Record<string, string> = {};
  if (endpoint.authorization !== undefined) headers.Authorization = endpoint.authorization;
  if (request.contentType !== undefined) headers['Content-Type'] = request.contentType;
  let response: InfluxHttpAnswer;
  try {
    response = await transport(url.href, {
      method: request.method,
      headers,
      body: request.body,
      timeoutMs: endpoint.timeoutMs,
    });
  } catch (err) {
    const reason = new Error(describeNetworkError(err, endpoint), { cause: err });
    unreachable(reason);
    throw reason;
  }
  if (response.status < 200 || response.status > 299) {
    const message = `InfluxDB refused ${what} (HTTP ${response.status}): ${errorText(response.text, response.statusText)}`;
    // 400 (unparsable line, field type conflict, partial write) and 413 (too large) are about the
    // data sent; anything else (auth, missing database, server errors) is about the server.
    throw response.status === 400 || response.status === 413 ? new RefusedWriteError(message) : new Error(message);
  }
  return response.text;
}

/** The `Authorization` header for a v1 user (basic auth) or a v2 token. */
export function authorizationHeader(
  apiVersion: 1 | 2,
  username: string | undefined,
  password: string | undefined,
  token: string | undefined,
): string | undefined {
  if (apiVersion === 2) return token === undefined || token === '' ? undefined : `Token ${token}`;
  if (username === undefined || username === '') return undefined;
  return `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
}

function describeNetworkError(err: unknown, endpoint: InfluxEndpoint): string {
  const name = (err as Error | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError')
    return `InfluxDB at ${endpoint.url} did not answer within ${endpoint.timeoutMs} ms`;
  // fetch says only "fetch failed"; the socket's reason (ECONNREFUSED, ENOTFOUND...) is its cause.
  const cause = (err as { cause?: { message?: string; code?: string } } | undefined)?.cause;
  const detail = cause?.message || cause?.code || (err as Error | undefined)?.message || String(err);
  return `cannot reach InfluxDB at ${endpoint.url}: ${detail}`;
}

// InfluxDB 1 answers `{"error": "..."}`, InfluxDB 2 `{"code": "...", "message": "..."}`.
function errorText(body: string, statusText: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): the raw text below says what there is.
  }
  const trimmed = body.trim().slice(0, 300);
  return trimmed === '' ? statusText || 'no error text' : trimmed;
}
