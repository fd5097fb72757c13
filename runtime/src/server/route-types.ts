import type { Request, Response } from 'express';
import type { EngineApi } from '../supervisor/engine-contract';
import type { EngineLogger } from '../engine/types';
import type { NodeRegistry } from '../registry/node-registry';
import type {
  AuditLogApi,
  FlowStoreApi,
  Role,
  SecretStoreApi,
  TokenInfo,
  TokenStoreApi,
  VariableStoreApi,
} from '../store/types';
import type { DeployerApi } from '../admin/deployer-types';
import type { RuntimeFlowsApi } from '../admin/runtime-flows-types';
import type { AdminMetrics } from './metrics';
import type { PackageManager } from '../packages/package-manager';
import type { LogRecord } from '../log/create-logger';

export type { LogRecord };

/** Everything the admin server works with, injected: it never reaches for a global runtime. */
export interface AdminServerDeps {
  /**
   * The engine in this process, or the supervisor of an engine process: its events (of every flow,
   * each with its `flowId`), its state and its context; a flow's figures come through `runtime`.
   */
  engine: EngineApi;
  registry: NodeRegistry;
  /**
   * The runtime's flows, each with its history and deployer. Without it, `flows` and `deployer`
   * make a runtime of one flow (an embedding with one engine and one history).
   */
  runtime?: RuntimeFlowsApi;
  /** The one flow history of an embedding without `runtime`. */
  flows?: FlowStoreApi;
  tokens: TokenStoreApi;
  secrets: SecretStoreApi;
  /** The runtime's variables (`${NAME}` in flows); without it the variable routes list none and refuse changes (503). */
  variables?: VariableStoreApi;
  audit: AuditLogApi;
  /** The deployer of an embedding without `runtime`. */
  deployer?: DeployerApi;
  logger: EngineLogger;
  /** The runtime's version, shown in the OpenAPI document (never on /healthz). */
  version: string;
  /** Installs and removes node packages in the data dir (`/api/packages`); without it those routes answer 503. */
  packages?: PackageManager;
  /** Log records to forward to WebSocket clients; returns the function that unsubscribes. */
  onLog?(listener: (record: LogRecord) => void): () => void;
}

/** A route as listed by `createAdminApp`: what the auth test enumerates. */
export interface RouteInfo {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Express path syntax, e.g. `/api/tokens/:id`. */
  path: string;
  /** The smallest role allowed, or `public` for no authentication. */
  role: Role | 'public';
}

/** A parameter of a route's query string, for the OpenAPI document. */
export interface QueryParam {
  name: string;
  description: string;
  schema: Record<string, unknown>;
}

/** A route with its handler and the few facts the OpenAPI document is generated from. */
export interface RouteDef extends RouteInfo {
  summary: string;
  /** Parse a JSON body (after authentication, so anonymous callers cannot make us parse 5 MB). */
  jsonBody?: { description: string; schema: Record<string, unknown> };
  query?: QueryParam[];
  /** Status code → plain-words description of the answers this route gives itself. */
  responses: Record<string, string>;
  /** The response media type when it is not JSON (e.g. Prometheus text). */
  produces?: string;
  handler(req: Request, res: Response, caller: TokenInfo | undefined): void | Promise<void>;
}

/** What route modules receive: the injected deps plus the server's own metrics. */
export interface RouteContext extends AdminServerDeps {
  metrics: AdminMetrics;
  runtime: RuntimeFlowsApi;
  /** Sends a frame to every WebSocket client (`/api/events`), e.g. `{type: 'packages'}` after an install. */
  broadcast?(frame: { type: string; [field: string]: unknown }): void;
}
