import http from 'node:http';
import https from 'node:https';
import type { FlowIssue } from '@tagflow/flow-model';
import type { FlowVersion } from '@tagflow/runtime';

/** What the admin API tells of one deployed version: the runtime's own type, sent as JSON. */
export type { FlowVersion };

/** The answer to a deploy or a rollback, as the admin API sends it (HTTP 200, 409 or 422). */
export type DeployOutcome =
  | { status: 'deployed'; version: FlowVersion; warnings?: FlowIssue[] }
  | { status: 'unchanged'; version: FlowVersion }
  | { status: 'rejected'; errors: FlowIssue[] }
  | { status: 'conflict'; current: number }
  | { status: 'rolled-back'; failedVersion: FlowVersion; restored?: FlowVersion; reason: string };

/** One node in `GET /api/status`. */
export interface NodeRuntimeStatus {
  status: { state: string; text?: string; backlog?: number };
  counters: { in: number; out: number; errors: number; dropped: number; queued: number };
}

/** The engine of a runtime, as `GET /api/status` reports it (`engine`). */
export interface EngineStatus {
  state: 'running' | 'starting' | 'restarting' | 'safe-mode' | 'stopped';
  pid?: number;
  flowVersion?: number;
  /** The last time the engine was ended (watchdog, memory cap) or crashed. */
  lastEnd?: { at: string; reason: string; kind: string; nodeId?: string; nodeType?: string; version?: number };
  safeMode?: { reason: string; since: string };
}

/** One flow of a runtime, as `GET /api/flows` (and `flows` in `GET /api/status`) lists it. */
export interface FlowSummary {
  id: string;
  name?: string;
  state: 'running' | 'disabled' | 'stopped' | 'failed';
  /** The current version; 0 when the flow has none. */
  version: number;
  /** Of the current version; absent when there is none. */
  hash?: string;
  deployedAt?: string;
  deployedBy?: string;
  /** How many nodes the flow has. */
  nodes: number;
  counters: { in: number; out: number; errors: number; dropped: number };
  /** Why it failed or stopped, in plain words. */
  reason?: string;
}

/** `GET /api/status` (with `?flow=ID`: `flow` and `nodes` are that flow's, else the first flow's). */
export interface RuntimeStatus {
  flow: { id: string; version: number; hash: string } | null;
  /** Every flow of the runtime; absent from runtimes older than many flows per runtime. */
  flows?: FlowSummary[];
  /** Absent from runtimes older than this CLI (their engine ran inside the server's process). */
  engine?: EngineStatus;
  nodes: Record<string, NodeRuntimeStatus>;
  uptimeSeconds: number;
  /** tagflow and Node.js versions of the runtime; absent from runtimes older than this CLI. */
  runtime?: { version: string; node: string; platform: string };
}

/** Where a runtime is and how to prove who we are; `tokenEnv` only names the variable in messages. */
export interface AdminEndpoint {
  name: string;
  url: string;
  token: string;
  tokenEnv?: string;
}

/** Timeouts of one client. A deploy with a health window waits `healthMs` more for its answer. */
export interface AdminClientOptions {
  /** Longest wait for the TCP (and TLS) connection; default 5 s. */
  connectTimeoutMs?: number;
  /** Longest wait for a whole answer once connected; default 15 s. */
  requestTimeoutMs?: number;
}

/**
 * Why a request failed, in plain words, prefixed with the runtime's name and URL:
 * `plant-a-l1 (http://10.0.0.5:1990): connection refused`. `unreachable` when no HTTP answer came
 * (network, DNS, TLS, timeout), `http` for an answer the command cannot use (401, 403, 500...).
 * Never holds the token.
 */
export class AdminError extends Error {
  readonly kind: 'unreachable' | 'http';
  /** The HTTP status, for `http` errors. */
  readonly httpStatus?: number;
  /** The message without the runtime prefix. */
  readonly reason: string;

  constructor(
    endpoint: Pick<AdminEndpoint, 'name' | 'url'>,
    kind: 'unreachable' | 'http',
    reason: string,
    httpStatus?: number,
  ) {
    super(`${endpoint.name} (${endpoint.url}): ${reason}`);
    this.name = 'AdminError';
    this.kind = kind;
    this.reason = reason;
    this.httpStatus = httpStatus;
  }
}

interface Answer {
  status: number;
  body: unknown;
  headers: http.IncomingHttpHeaders;
}

interface RequestOptions {
  body?: unknown;
  /** A body sent as is (a .tgz), instead of `body` as JSON. */
  raw?: { data: Buffer; type: string };
  headers?: Record<string, string>;
  /** Added to the request timeout: a deploy's health window. */
  extraMs?: number;
}

/** A node package as `GET /api/packages` lists it. */
export interface RemotePackage {
  name: string;
  version: string;
  integrity?: string;
  source?: string;
  installedAt?: string;
  nodes: string[];
  resources: string[];
  loaded?: boolean;
}

/** `GET /api/packages`. */
export interface PackageList {
  packages: RemotePackage[];
  builtIn: RemotePackage[];
}

/** `POST /api/packages`. */
export interface PackageInstallAnswer {
  status: 'installed' | 'replaced' | 'unchanged';
  package: RemotePackage;
  previousVersion?: string;
}

/** `POST /api/packages/bundle`. */
export interface BundleAnswer {
  flowId: string | null;
  packages: Array<{ name: string; version: string; status: 'installed' | 'replaced' | 'unchanged' }>;
}

/** Extra time for a package install: npm runs on the runtime. */
const NPM_MARGIN_MS = 120_000;
/** Extra time allowed past the health window: the runtime restores the old flow after it. */
const HEALTH_MARGIN_MS = 15_000;
/** Larger answers are refused: no admin answer comes near it. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const DEPLOY_STATUSES = new Set(['deployed', 'unchanged', 'rejected', 'conflict', 'rolled-back']);

/** A client for one runtime's admin API. Every method throws AdminError on failure. */
export class AdminClient {
  private readonly connectTimeoutMs: number;
  private readonly requestTimeoutMs: number;

  constructor(
    private readonly endpoint: AdminEndpoint,
    options: AdminClientOptions = {},
  ) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  }

  /** The version running now, or undefined when the runtime has no flow yet. */
  async currentVersion(): Promise<FlowVersion | undefined> {
    const answer = await this.request('GET', '/api/flow');
    if (answer.status === 404) return undefined;
    this.expect(answer, 'GET /api/flow', [200]);
    const version = (answer.body as { version?: unknown }).version;
    if (!isFlowVersion(version)) throw this.protocolError('GET /api/flow', 'no version in the answer');
    return version;
  }

  /**
   * Deploys `flow` if the running version is still `expectedVersion` (0: no flow yet). With
   * `healthMs`, the answer comes after the health window (and may be `rolled-back`).
   */
  async deploy(flow: unknown, options: { expectedVersion: number; healthMs?: number }): Promise<DeployOutcome> {
    const query = options.healthMs === undefined ? '' : `?healthMs=${options.healthMs}`;
    const answer = await this.request('PUT', `/api/flow${query}`, {
      body: flow,
      headers: { 'If-Match': `"${options.expectedVersion}"` },
      extraMs: options.healthMs === undefined ? 0 : options.healthMs + HEALTH_MARGIN_MS,
    });
    return this.deployOutcome(answer, 'PUT /api/flow');
  }

  /** Redeploys an earlier version (default: the one before the current) as a new version. */
  async rollback(options: { version?: number; expectedVersion?: number } = {}): Promise<DeployOutcome> {
    const headers: Record<string, string> =
      options.expectedVersion === undefined ? {} : { 'If-Match': `"${options.expectedVersion}"` };
    const body = options.version === undefined ? {} : { version: options.version };
    // A rollback restarts the flow; allow a health window's worth of time as for a deploy.
    const answer = await this.request('POST', '/api/flow/rollback', { body, headers, extraMs: HEALTH_MARGIN_MS });
    return this.deployOutcome(answer, 'POST /api/flow/rollback');
  }

  /** Every deployed version, oldest first. */
  async versions(): Promise<FlowVersion[]> {
    const answer = await this.request('GET', '/api/flow/versions');
    this.expect(answer, 'GET /api/flow/versions', [200]);
    if (!Array.isArray(answer.body)) throw this.protocolError('GET /api/flow/versions', 'the answer is not a list');
    return answer.body as FlowVersion[];
  }

  /** The flow running (`flowId`, else the first one), every node's status and counters, and every flow's summary. */
  async status(flowId?: string): Promise<RuntimeStatus> {
    const query = flowId === undefined ? '' : `?flow=${encodeURIComponent(flowId)}`;
    const answer = await this.request('GET', `/api/status${query}`);
    this.expect(answer, 'GET /api/status', [200]);
    const body = answer.body as Partial<RuntimeStatus> | null;
    if (typeof body !== 'object' || body === null || typeof body.nodes !== 'object' || body.nodes === null) {
      throw this.protocolError('GET /api/status', 'no nodes in the answer');
    }
    return {
      flow: body.flow ?? null,
      ...(Array.isArray(body.flows) ? { flows: body.flows } : {}),
      ...(body.engine ? { engine: body.engine } : {}),
      nodes: body.nodes,
      uptimeSeconds: body.uptimeSeconds ?? 0,
      runtime: body.runtime,
    };
  }

  /** Every flow the runtime holds, in first-deploy order. */
  async flows(): Promise<FlowSummary[]> {
    const answer = await this.request('GET', '/api/flows');
    this.expectFlowsRoute(answer, 'GET /api/flows', [200]);
    const flows = (answer.body as { flows?: unknown } | null)?.flows;
    if (!Array.isArray(flows)) throw this.protocolError('GET /api/flows', 'no flows in the answer');
    return flows as FlowSummary[];
  }

  /** The current version of the flow `id`, or undefined when the runtime holds no flow with that id. */
  async flowVersion(id: string): Promise<FlowVersion | undefined> {
    const what = `GET /api/flows/${id}`;
    const answer = await this.request('GET', flowPath(id));
    if (answer.status === 404) return undefined;
    this.expect(answer, what, [200]);
    const version = (answer.body as { version?: unknown } | null)?.version;
    if (!isFlowVersion(version)) throw this.protocolError(what, 'no version in the answer');
    return version;
  }

  /**
   * Deploys `flow` as the flow `id` (its own id), if that flow's version is still `expectedVersion`
   * (0: a new flow); the runtime's other flows are not touched.
   */
  async deployFlow(
    id: string,
    flow: unknown,
    options: { expectedVersion: number; healthMs?: number },
  ): Promise<DeployOutcome> {
    const query = options.healthMs === undefined ? '' : `?healthMs=${options.healthMs}`;
    const answer = await this.request('PUT', `${flowPath(id)}${query}`, {
      body: flow,
      headers: { 'If-Match': `"${options.expectedVersion}"` },
      extraMs: options.healthMs === undefined ? 0 : options.healthMs + HEALTH_MARGIN_MS,
    });
    return this.flowOutcome(answer, `PUT /api/flows/${id}`);
  }

  /** Redeploys an earlier version of the flow `id` (default: the one before its current) as a new version. */
  async rollbackFlow(id: string, options: { version?: number; expectedVersion?: number } = {}): Promise<DeployOutcome> {
    const headers: Record<string, string> =
      options.expectedVersion === undefined ? {} : { 'If-Match': `"${options.expectedVersion}"` };
    const body = options.version === undefined ? {} : { version: options.version };
    const answer = await this.request('POST', `${flowPath(id)}/rollback`, {
      body,
      headers,
      extraMs: HEALTH_MARGIN_MS,
    });
    return this.flowOutcome(answer, `POST /api/flows/${id}/rollback`);
  }

  /** Every version of the flow `id`, oldest first. */
  async flowVersions(id: string): Promise<FlowVersion[]> {
    const what = `GET /api/flows/${id}/versions`;
    const answer = await this.request('GET', `${flowPath(id)}/versions`);
    this.expect(answer, what, [200]);
    if (!Array.isArray(answer.body)) throw this.protocolError(what, 'the answer is not a list');
    return answer.body as FlowVersion[];
  }

  /** The node packages installed in the runtime's data dir, and its built-in ones. */
  async packages(): Promise<PackageList> {
    const answer = await this.request('GET', '/api/packages');
    this.packageAnswer(answer, 'GET /api/packages');
    const body = answer.body as Partial<PackageList> | null;
    if (!body || !Array.isArray(body.packages))
      throw this.protocolError('GET /api/packages', 'no packages in the answer');
    return { packages: body.packages, builtIn: Array.isArray(body.builtIn) ? body.builtIn : [] };
  }

  /** Uploads a package .tgz; the runtime installs it and its types are usable at once. */
  async installPackage(tarball: Buffer): Promise<PackageInstallAnswer> {
    const answer = await this.request('POST', '/api/packages', {
      raw: { data: tarball, type: 'application/gzip' },
      extraMs: NPM_MARGIN_MS,
    });
    this.packageAnswer(answer, 'POST /api/packages');
    return answer.body as PackageInstallAnswer;
  }

  /** Removes an installed package; refused (with the node ids) while the running flow uses it. */
  async removePackage(name: string): Promise<{ name: string; version: string }> {
    const answer = await this.request('DELETE', `/api/packages/${encodeURIComponent(name)}`);
    this.packageAnswer(answer, 'DELETE /api/packages');
    return (answer.body as { removed: { name: string; version: string } }).removed;
  }

  /** Uploads a bundle (`tagflow pack`): the runtime installs the packages it lacks, checking each tarball's sha512. */
  async installBundle(bundle: Buffer): Promise<BundleAnswer> {
    const answer = await this.request('POST', '/api/packages/bundle', {
      raw: { data: bundle, type: 'application/gzip' },
      extraMs: NPM_MARGIN_MS,
    });
    this.packageAnswer(answer, 'POST /api/packages/bundle');
    return answer.body as BundleAnswer;
  }

  /** The runtime's variables (`${NAME}` in flows), by name. */
  async variables(): Promise<Record<string, string>> {
    const answer = await this.request('GET', '/api/variables');
    this.expect(answer, 'GET /api/variables', [200]);
    const variables = (answer.body as { variables?: unknown } | null)?.variables;
    if (typeof variables !== 'object' || variables === null)
      throw this.protocolError('GET /api/variables', 'no variables in the answer');
    return variables as Record<string, string>;
  }

  /** Sets a variable; `note` says when the running flow keeps the old value until its next deploy. */
  async setVariable(name: string, value: string): Promise<{ note?: string }> {
    const answer = await this.request('PUT', `/api/variables/${encodeURIComponent(name)}`, { body: { value } });
    this.expect(answer, 'PUT /api/variables', [200]);
    const note = (answer.body as { note?: unknown } | null)?.note;
    return typeof note === 'string' ? { note } : {};
  }

  /** Unsets a variable; false when the runtime had none of that name. */
  async unsetVariable(name: string): Promise<boolean> {
    const answer = await this.request('DELETE', `/api/variables/${encodeURIComponent(name)}`);
    if (answer.status === 404) return false;
    this.expect(answer, 'DELETE /api/variables', [204]);
    return true;
  }

  /** Package routes answer refusals with `{error, code}`: their message is the reason, whatever the status. */
  private packageAnswer(answer: Answer, what: string): void {
    if (answer.status === 200) return;
    const body = answer.body as { error?: unknown; code?: unknown } | null;
    if (typeof body === 'object' && body !== null && typeof body.code === 'string' && typeof body.error === 'string') {
      throw new AdminError(this.endpoint, 'http', body.error, answer.status);
    }
    if (answer.status === 404)
      throw new AdminError(
        this.endpoint,
        'http',
        `${what} was not found (404): is this runtime older than package management?`,
        404,
      );
    if (answer.status === 403 && what !== 'GET /api/packages') {
      const detail = errorText(answer.body);
      // A node package runs as the runtime: the runtime gives this to admins only.
      throw new AdminError(
        this.endpoint,
        'http',
        `installing or removing node packages (${what}) needs an admin token (403)${detail ? `: ${detail}` : ''}`,
        403,
      );
    }
    this.expect(answer, what, [200]);
  }

  /** A deploy outcome of a `/api/flows/:id` route; a route that is missing means a runtime older than many flows. */
  private flowOutcome(answer: Answer, what: string): DeployOutcome {
    if (answer.status === 404) this.expectFlowsRoute(answer, what, []);
    return this.deployOutcome(answer, what);
  }

  /**
   * As `expect`, with a 404 told apart: the runtime's own words for an unknown flow, or, when the
   * route itself is missing (the runtime's "there is no ... here"), a runtime too old for many flows.
   */
  private expectFlowsRoute(answer: Answer, what: string, ok: number[]): void {
    if (answer.status === 404 && !ok.includes(404)) {
      const detail = errorText(answer.body);
      const reason =
        detail === undefined || /^there is no /.test(detail)
          ? `${what} was not found (404): this runtime is older than many flows per runtime (it has no /api/flows); upgrade it`
          : `${detail} (404)`;
      throw new AdminError(this.endpoint, 'http', reason, 404);
    }
    this.expect(answer, what, ok);
  }

  private deployOutcome(answer: Answer, what: string): DeployOutcome {
    const body = answer.body as { status?: unknown } | null;
    const known = [200, 409, 422].includes(answer.status) && typeof body === 'object' && body !== null;
    if (known && typeof body.status === 'string' && DEPLOY_STATUSES.has(body.status))
      return pickOutcome(body as DeployOutcome);
    this.expect(answer, what, []);
    throw this.protocolError(what, `unexpected answer (${answer.status})`);
  }

  /** Throws the plain-words AdminError for any status not in `ok`. */
  private expect(answer: Answer, what: string, ok: number[]): void {
    if (ok.includes(answer.status)) return;
    const detail = errorText(answer.body);
    const suffix = detail ? `: ${detail}` : '';
    const variable = this.endpoint.tokenEnv ? `; check ${this.endpoint.tokenEnv}` : '';
    const reasons: Record<number, string> = {
      401: `the token was refused (401)${variable}`,
      403: `the token's role does not allow this (403)${suffix}`,
      404: `${what} was not found (404): is this the admin address of a tagflow runtime?`,
      429: `too many failed logins from here; the runtime refuses for a while (429)`,
    };
    throw new AdminError(
      this.endpoint,
      'http',
      reasons[answer.status] ?? `${what} failed (${answer.status})${suffix}`,
      answer.status,
    );
  }

  private protocolError(what: string, reason: string): AdminError {
    return new AdminError(this.endpoint, 'http', `${what}: ${reason}; is this a tagflow runtime of the same version?`);
  }

  private request(method: string, apiPath: string, options: RequestOptions = {}): Promise<Answer> {
    const url = new URL(`${this.endpoint.url}${apiPath}`);
    const payload =
      options.raw?.data ?? (options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body)));
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${this.endpoint.token}`,
      ...options.headers,
    };
    if (payload) {
      headers['Content-Type'] = options.raw?.type ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const requestMs = this.requestTimeoutMs + (options.extraMs ?? 0);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const fail = (err: AdminError) => {
        if (settled) return;
        settled = true;
        timers.forEach(clearTimeout);
        req.destroy();
        reject(err);
      };
      // agent: false -> one connection per request, closed after it; nothing keeps the CLI alive.
      const req = transport.request(url, { method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES)
            fail(new AdminError(this.endpoint, 'http', `${method} ${apiPath}: the answer is too large`));
          else chunks.push(chunk);
        });
        res.on('error', (err) => fail(new AdminError(this.endpoint, 'unreachable', networkReason(err, requestMs))));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          timers.forEach(clearTimeout);
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: parseBody(text), headers: res.headers });
        });
      });
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const connectTimer = setTimeout(
          () =>
            fail(
              new AdminError(
                this.endpoint,
                'unreachable',
                `no connection within ${seconds(this.connectTimeoutMs)} (is the address right, and the runtime running?)`,
              ),
            ),
          this.connectTimeoutMs,
        );
        timers.push(connectTimer);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      timers.push(
        setTimeout(
          () => fail(new AdminError(this.endpoint, 'unreachable', `no answer within ${seconds(requestMs)}`)),
          requestMs,
        ),
      );
      req.on('error', (err) => fail(new AdminError(this.endpoint, 'unreachable', networkReason(err, requestMs))));
      req.end(payload);
    });
  }
}

/** Only the fields of the contract: the runtime adds an `error` text for other clients, which would blur the JSON output. */
function pickOutcome(o: DeployOutcome): DeployOutcome {
  switch (o.status) {
    case 'deployed':
      return { status: o.status, version: o.version, ...(o.warnings ? { warnings: o.warnings } : {}) };
    case 'unchanged':
      return { status: o.status, version: o.version };
    case 'rejected':
      return { status: o.status, errors: Array.isArray(o.errors) ? o.errors : [] };
    case 'conflict':
      return { status: o.status, current: o.current };
    case 'rolled-back':
      return {
        status: o.status,
        failedVersion: o.failedVersion,
        ...(o.restored ? { restored: o.restored } : {}),
        reason: String(o.reason),
      };
  }
}

/** The `error` or `message` a runtime put in an error answer, if any, on one line. */
function errorText(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim().split('\n')[0]?.slice(0, 200) || undefined;
  if (typeof body !== 'object' || body === null) return undefined;
  const { error, message } = body as { error?: unknown; message?: unknown };
  const text = typeof error === 'string' ? error : typeof message === 'string' ? message : undefined;
  return text?.replace(/\s*\n\s*/g, ' ');
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: a proxy's error page, or not a tagflow runtime. Kept as text for the message.
    return text;
  }
}

function networkReason(err: NodeJS.ErrnoException, requestMs: number): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to the host (network unreachable)';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'the connection was closed before the answer came';
    case 'ETIMEDOUT':
      return `no answer within ${seconds(requestMs)}`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `its TLS certificate is not trusted: ${err.message}`;
    case 'EPROTO':
      return `TLS failed (is it http rather than https?): ${err.message}`;
    default:
      return err.message;
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

/** `/api/flows/<id>`, the id encoded. */
function flowPath(id: string): string {
  return `/api/flows/${encodeURIComponent(id)}`;
}

function isFlowVersion(value: unknown): value is FlowVersion {
  return typeof value === 'object' && value !== null && typeof (value as FlowVersion).version === 'number';
}
