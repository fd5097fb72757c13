import type { Flow } from '@tagflow/flow-model';
import type { NodesApiResponse } from '../state/api-catalog';
import { secretsFromApi } from '../state/secret-binding';
import { variablesFromApi } from '../state/variables';
import type { SecretInfo } from '../state/secret-binding';
import type { ContextScopeView } from '../state/context-view';
import type { ServerValidation } from '../state/server-check';
import { packagesFromApi } from '../state/palette-packages';
import type { PackagesView } from '../state/palette-packages';
import type { ApiStatus, DeployError, DeployResult, FlowVersionInfo, RunningFlow } from './types';

/** An HTTP answer other than success, with the runtime's own message in plain words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Paths are relative, so the editor works wherever the runtime serves it (and behind Vite's proxy). */
const BASE = 'api/';

/** The admin API, for one token. Every call sends it as a Bearer token. */
export class AdminApi {
  constructor(readonly token: string) {}

  /** One request to `api/<path>` with the token (the endpoint modules beside this one build on it). */
  async request(
    method: string,
    path: string,
    // `raw` is sent as is (a file), with its own Content-Type in `headers`.
    init: { body?: unknown; headers?: Record<string, string>; raw?: Blob } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.token}`,
      Accept: 'application/json',
      ...init.headers,
    };
    let body: string | Blob | undefined = init.raw;
    if (init.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    try {
      return await fetch(BASE + path, { method, headers, body, cache: 'no-store' });
    } catch (err) {
      throw new ApiError(
        0,
        `The runtime cannot be reached (${err instanceof Error ? err.message : String(err)}). Is it running?`,
        null,
      );
    }
  }

  /** The answer's JSON body, or an ApiError with the runtime's message. */
  async json<T>(res: Response): Promise<T> {
    const body = await readBody(res);
    if (!res.ok) throw new ApiError(res.status, describeFailure(res.status, body), body);
    return body as T;
  }

  /**
   * Installed node and resource types with their config validators loaded (see
   * `withPrecompiledValidators`); also the sign-in check: any token with a role can read it.
   */
  async nodes(): Promise<NodesApiResponse> {
    const response = await this.json<NodesApiResponse>(await this.request('GET', 'nodes'));
    // Loaded with the answer, not with the sign-in page: the validators pull in the flow model.
    const { withPrecompiledValidators } = await import('./validators-api');
    return withPrecompiledValidators(response);
  }

  /** The running flow and its version (`path` `flows/<id>` for one flow of many); version 0 and no flow before the first deploy. */
  async runningFlow(path = 'flow'): Promise<RunningFlow> {
    const res = await this.request('GET', path);
    if (res.status === 404) return { version: 0, info: null, flow: null };
    const body = await this.json<{ version: FlowVersionInfo; flow: Flow }>(res);
    return { version: body.version.version, info: body.version, flow: body.flow };
  }

  /** GET /api/status, about flow `flowId` when given (else the runtime's first flow). */
  async status(flowId?: string): Promise<ApiStatus> {
    const query = flowId === undefined ? '' : `?flow=${encodeURIComponent(flowId)}`;
    return this.json<ApiStatus>(await this.request('GET', `status${query}`));
  }

  /** POST /api/flow/validate: the runtime's complete check of `flow` (a deploy's), deploying nothing. */
  async checkFlow(flow: Flow): Promise<ServerValidation> {
    return this.json<ServerValidation>(await this.request('POST', 'flow/validate', { body: flow }));
  }

  /** PUT /api/flow (or `path`, e.g. `flows/<id>`) with If-Match; every outcome is returned, not thrown. */
  async deploy(flow: Flow, expectedVersion: number, path = 'flow'): Promise<DeployResult> {
    const res = await this.request('PUT', path, { body: flow, headers: { 'If-Match': `"${expectedVersion}"` } });
    const body = (await readBody(res)) as Record<string, unknown> | null;
    const message = describeFailure(res.status, body);
    if (res.ok && body && (body.status === 'deployed' || body.status === 'unchanged')) {
      const version = (body.version as FlowVersionInfo | undefined)?.version ?? expectedVersion;
      return { status: body.status, version, warnings: body.warnings as unknown[] | undefined };
    }
    if (res.status === 409) return { status: 'conflict', message, current: Number(body?.current ?? 0) };
    if (res.status === 422 && body?.status === 'rejected')
      return { status: 'rejected', message, errors: (body.errors as DeployError[]) ?? [] };
    if (res.status === 422 && body?.status === 'rolled-back')
      return { status: 'rolled-back', message, reason: String(body.reason ?? '') };
    return { status: 'failed', message };
  }

  /**
   * GET /api/history: rows of `tags` from the flow's historian resource `resource`, oldest first,
   * `sinceMs` back from now; bucketed (`{tag, ts, min, max, mean, count}`) when `bucketMs` is given;
   * the resource of flow `flow` when given (else of the first running flow that has it).
   * Throws ApiError: 404 no such historian in the running flow, 503 not connected, 400 bad query.
   */
  async history(
    resource: string,
    tags: readonly string[],
    options: { sinceMs?: number; bucketMs?: number; limit?: number; flow?: string } = {},
  ): Promise<unknown[]> {
    const q = new URLSearchParams({ resource, tags: tags.join(',') });
    if (options.flow !== undefined) q.set('flow', options.flow);
    if (options.sinceMs !== undefined) q.set('since', String(Math.round(options.sinceMs)));
    if (options.bucketMs !== undefined) q.set('bucketMs', String(Math.round(options.bucketMs)));
    if (options.limit !== undefined) q.set('limit', String(options.limit));
    const body = await this.json<unknown>(await this.request('GET', `history?${q.toString()}`));
    return Array.isArray(body) ? (body as unknown[]) : [];
  }

  /**
   * Stores a secret's value on the runtime (admin only), bound to `allow` (`host[:port]` entries)
   * or unbound without it; the value never enters the flow. Resolves with the binding stored and
   * the runtime's `warning` when the secret is unbound.
   */
  async putSecret(
    name: string,
    value: string,
    allow?: readonly string[],
  ): Promise<{ allow: string[] | null; warning?: string }> {
    const body = allow === undefined ? { value } : { value, allow };
    const answer = await this.json<{ allow?: string[] | null; warning?: string } | null>(
      await this.request('PUT', `secrets/${encodeURIComponent(name)}`, { body }),
    );
    return { allow: answer?.allow ?? null, ...(answer?.warning ? { warning: answer.warning } : {}) };
  }

  /** GET /api/variables (any role): the runtime's variables, `${NAME}` in configs, with their values. */
  async variables(): Promise<Record<string, string>> {
    return variablesFromApi(await this.json<unknown>(await this.request('GET', 'variables')));
  }

  /** GET one context scope: `global`, a flow's (`flowId`), or a node's (`flowId` and `nodeId`). */
  async context(flowId?: string, nodeId?: string): Promise<ContextScopeView> {
    return this.json<ContextScopeView>(await this.request('GET', contextPath(flowId, nodeId)));
  }

  /** DELETE a key of a context scope (deployer); a key already gone answers 404 (ApiError). */
  async deleteContextKey(key: string, flowId?: string, nodeId?: string): Promise<void> {
    const res = await this.request('DELETE', `${contextPath(flowId, nodeId)}/keys/${encodeURIComponent(key)}`);
    if (!res.ok) {
      const body = await readBody(res);
      throw new ApiError(res.status, describeFailure(res.status, body), body);
    }
  }

  /** GET /api/packages (any role): installed and built-in packages with their types, and the caller's role. */
  async packages(): Promise<PackagesView> {
    return packagesFromApi(await this.json<unknown>(await this.request('GET', 'packages')));
  }

  /**
   * POST /api/packages (admin): installs a package file (`.tgz`, as `npm pack` makes it) or, with
   * `{name, version?}`, a package from the registry the runtime is set up for. Throws ApiError
   * with the runtime's reason when refused.
   */
  async installPackage(
    from: { file: Blob } | { name: string; version?: string },
  ): Promise<{ status: string; package: { name: string; version: string; nodes?: string[] } }> {
    const res =
      'file' in from
        ? await this.request('POST', 'packages', { raw: from.file, headers: { 'Content-Type': 'application/gzip' } })
        : await this.request('POST', 'packages', {
            body: from.version ? { name: from.name, version: from.version } : { name: from.name },
          });
    return this.json(res);
  }

  /** DELETE /api/packages/:name (admin); a 409 refusal's body names the flows' nodes using it (`users`). */
  async removePackage(name: string): Promise<{ removed: { name: string; version: string } }> {
    return this.json(await this.request('DELETE', `packages/${encodeURIComponent(name)}`));
  }

  /** POST /api/flows/:id/nodes/:nodeId/inject (deployer): the deployed node sends one message now. */
  async injectNode(flowId: string, nodeId: string): Promise<void> {
    await this.json(
      await this.request('POST', `flows/${encodeURIComponent(flowId)}/nodes/${encodeURIComponent(nodeId)}/inject`),
    );
  }

  /** GET /api/secrets (admin only): each stored secret's name and binding, never a value. */
  async secrets(): Promise<SecretInfo[]> {
    return secretsFromApi(await this.json<unknown>(await this.request('GET', 'secrets')));
  }
}

function contextPath(flowId?: string, nodeId?: string): string {
  if (flowId === undefined) return 'context/global';
  const flow = `context/flows/${encodeURIComponent(flowId)}`;
  return nodeId === undefined ? flow : `${flow}/nodes/${encodeURIComponent(nodeId)}`;
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The runtime's `error` text when there is one, else a plain sentence for the status code. */
export function describeFailure(status: number, body: unknown): string {
  const error = body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
  if (typeof error === 'string' && error) return error;
  switch (status) {
    case 401:
      return 'This token is not valid (wrong, revoked or mistyped).';
    case 403:
      return 'This token is valid but its role does not allow this.';
    case 429:
      return 'Too many failed sign-ins from this computer: wait a minute and try again.';
    default:
      return `The runtime answered ${status}.`;
  }
}
