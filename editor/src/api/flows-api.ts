import type { Flow } from '@tagflow/flow-model';
import { ApiError } from './client';
import type { AdminApi } from './client';
import type { FlowRunState, FlowSummary } from './flows-types';
import type { DeployResult, RunningFlow } from './types';

/** One flow's endpoints, as the deploy dialog uses them. */
export interface FlowEndpoint {
  readonly id: string;
  /** The version the runtime holds of this flow; version 0 and no flow when it holds none. */
  load(): Promise<RunningFlow>;
  /** Deploys `flow` as this flow's next version, If-Match `expectedVersion`; every outcome is returned, not thrown. */
  deploy(flow: Flow, expectedVersion: number): Promise<DeployResult>;
}

/**
 * The runtime's flows (`/api/flows`): list, load and deploy one, disable, enable, delete. A runtime
 * from before many flows (no `/api/flows`) is driven through `/api/flow` as one flow: `multi` is
 * then false after `list()`, and the actions only a runtime with many flows has are refused.
 */
export class FlowsApi {
  /** False once `list()` found a runtime that runs one flow. */
  multi = true;
  private readonly endpoints = new Map<string, FlowEndpoint>();

  constructor(readonly api: AdminApi) {}

  /** GET /api/flows: every flow the runtime holds, in first-deploy order. */
  async list(): Promise<FlowSummary[]> {
    const res = await this.api.request('GET', 'flows');
    this.endpoints.clear();
    if (res.status === 404) {
      this.multi = false;
      const running = await this.api.runningFlow();
      if (!running.flow) return [];
      const one: FlowSummary = { id: running.flow.id, state: 'running', version: running.version };
      if (running.flow.name !== undefined) one.name = running.flow.name;
      return [one];
    }
    this.multi = true;
    const body = await this.api.json<{ flows?: unknown } | null>(res);
    return Array.isArray(body?.flows) ? (body.flows as FlowSummary[]) : [];
  }

  /** The endpoints of flow `id` (GET and PUT /api/flows/:id), the same object for the same id. */
  endpoint(id: string): FlowEndpoint {
    let endpoint = this.endpoints.get(id);
    if (!endpoint) {
      const path = this.multi ? flowPath(id) : 'flow';
      endpoint = {
        id,
        load: () => this.api.runningFlow(path),
        deploy: (flow, expectedVersion) => this.api.deploy(flow, expectedVersion, path),
      };
      this.endpoints.set(id, endpoint);
    }
    return endpoint;
  }

  /** POST /api/flows/:id/disable: the flow stops and is not started at boot; resolves with its new state. */
  disable(id: string): Promise<FlowRunState> {
    return this.setEnabled(id, false);
  }

  /** POST /api/flows/:id/enable: the flow runs again; resolves with its new state. */
  enable(id: string): Promise<FlowRunState> {
    return this.setEnabled(id, true);
  }

  /**
   * DELETE /api/flows/:id with If-Match `"<version>"`: the flow stops and leaves the runtime (its
   * versions are kept aside). Throws ApiError: 409 someone deployed it since that version, 404 unknown.
   */
  async remove(id: string, version: number): Promise<void> {
    this.needsMany('delete a flow');
    const res = await this.api.request('DELETE', flowPath(id), { headers: { 'If-Match': `"${version}"` } });
    await this.api.json<unknown>(res);
  }

  private async setEnabled(id: string, enabled: boolean): Promise<FlowRunState> {
    this.needsMany(enabled ? 'enable a flow' : 'disable a flow');
    const res = await this.api.request('POST', `${flowPath(id)}/${enabled ? 'enable' : 'disable'}`);
    const body = await this.api.json<{ state?: FlowRunState } | null>(res);
    return body?.state ?? (enabled ? 'running' : 'disabled');
  }

  private needsMany(what: string): void {
    if (!this.multi)
      throw new ApiError(404, `This runtime runs one flow only (it has no /api/flows): update it to ${what}.`, null);
  }
}

function flowPath(id: string): string {
  return `flows/${encodeURIComponent(id)}`;
}
