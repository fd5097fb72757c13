import { SingleFlowRuntime } from '../admin/single-flow-runtime';
import type { RuntimeFlowsApi } from '../admin/runtime-flows-types';
import express from 'express';
import { formatBytes, MAX_FLOW_BYTES } from '@tagflow/flow-model';
import type { Express, NextFunction, Request, Response } from 'express';
import { Authenticator, FailedLoginLimiter } from './auth';
import type { LoginLimitOptions } from './auth';
import { EventHub } from './event-hub';
import type { EventHubOptions } from './event-hub';
import { HttpError, sendError } from './http-error';
import { editorFiles } from './editor-files';
import { createMetrics } from './metrics';
import type { AdminServerDeps, RouteContext, RouteDef, RouteInfo } from './route-types';
import type { TokenInfo } from '../store/types';
import { auditRoutes } from './routes/audit.routes';
import { contextRoutes } from './routes/context.routes';
import { docsRoutes } from './routes/docs.routes';
import { eventsRoutes } from './routes/events.routes';
import { flowRoutes } from './routes/flow.routes';
import { historyRoutes } from './routes/history.routes';
import { nodesRoutes } from './routes/nodes.routes';
import { packagesRoutes } from './routes/packages.routes';
import { injectRoutes } from './routes/inject.routes';
import { resourceToolsRoutes } from './routes/resource-tools.routes';
import { secretsRoutes } from './routes/secrets.routes';
import { systemRoutes } from './routes/system.routes';
import { tokensRoutes } from './routes/tokens.routes';
import { variablesRoutes } from './routes/variables.routes';

/** Largest accepted JSON body, in bytes: the size limit of a flow (5 MB); a big flow is a few hundred KB. */
export const BODY_LIMIT = MAX_FLOW_BYTES;

/** Tuning the defaults are right for; tests shrink them. */
export interface AdminAppOptions {
  loginLimit?: LoginLimitOptions;
  events?: EventHubOptions;
  /** Folder of the built browser editor, served at `/` (public: it holds no data; every API call it makes needs a token). */
  editorDir?: string;
}

/** The app, its WebSocket hub (attach it to the HTTP server), and the route table it was built from. */
export interface AdminApp {
  app: Express;
  hub: EventHub;
  routes: RouteInfo[];
  /** Resolves once audit writes the app started in the background have finished (call before closing the stores). */
  settled(): Promise<void>;
}

/**
 * Builds the admin API from one route table: the router, the auth in front of each route and the
 * OpenAPI document all come from it, so a route cannot exist without a role. Closed by default:
 * everything but /healthz needs a bearer token (Node-RED's open admin API is the counter-example).
 */
/** The runtime of one flow an embedding without `runtime` describes with `flows` and `deployer`. */
function singleFlowRuntime(deps: AdminServerDeps): RuntimeFlowsApi {
  if (!deps.flows || !deps.deployer)
    throw new Error("the admin server needs either the runtime's flows (runtime) or one flow history and its deployer");
  return new SingleFlowRuntime({ engine: deps.engine, flows: deps.flows, deployer: deps.deployer });
}

export function createAdminApp(deps: AdminServerDeps, options: AdminAppOptions = {}): AdminApp {
  const runtime = deps.runtime ?? singleFlowRuntime(deps);
  const metrics = createMetrics(runtime, deps.engine);
  const auth = new Authenticator(deps, new FailedLoginLimiter(options.loginLimit));
  const hub = new EventHub(
    { engine: deps.engine, logger: deps.logger, auth, metrics, onLog: deps.onLog },
    options.events,
  );
  const ctx: RouteContext = { ...deps, metrics, runtime, broadcast: (frame) => hub.broadcast(frame) };

  const table: RouteDef[] = [];
  table.push(
    ...systemRoutes(ctx),
    ...docsRoutes(ctx, () => table),
    ...flowRoutes(ctx),
    ...nodesRoutes(ctx),
    ...historyRoutes(ctx),
    ...contextRoutes(ctx),
    ...injectRoutes(ctx),
    ...packagesRoutes(ctx),
    ...resourceToolsRoutes(ctx),
    ...auditRoutes(ctx),
    ...tokensRoutes(ctx),
    ...secretsRoutes(ctx),
    ...variablesRoutes(ctx),
    ...eventsRoutes(),
  );

  const app = express();
  app.disable('x-powered-by');
  // ETags here mean flow versions (If-Match); express's content hashes would blur that.
  app.set('etag', false);
  app.use(securityHeaders);

  const json = express.json({ limit: BODY_LIMIT, type: () => true });
  for (const route of table) {
    const chain = [
      ...(route.role === 'public' ? [] : [auth.require(route.role)]),
      ...(route.jsonBody ? [json] : []),
      async (req: Request, res: Response) => route.handler(req, res, res.locals.caller as TokenInfo | undefined),
    ];
    app[route.method.toLowerCase() as 'get' | 'put' | 'post' | 'delete'](route.path, ...chain);
  }

  if (options.editorDir) app.use(editorFiles(options.editorDir));
  app.use((req: Request, res: Response) => sendError(res, 404, `there is no ${req.method} ${req.path} here`));
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => handleError(deps, err, req, res, next));

  const routes = table.map(({ method, path, role }) => ({ method, path, role }));
  return { app, hub, routes, settled: () => auth.settled() };
}

/** Cheap hardening for a JSON API (no helmet dependency): nothing here is meant to be framed, sniffed or cached. */
function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
  if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
  next();
}

/** Client mistakes answer in plain words; anything else is logged with its stack and answered 500. */
function handleError(deps: AdminServerDeps, err: unknown, req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  if (err instanceof HttpError) return sendError(res, err.status, err.message, err.headers);
  const bodyError = err as { type?: string; status?: number; message?: string; length?: number };
  if (bodyError.type === 'entity.parse.failed')
    return sendError(res, 400, `the body is not valid JSON: ${bodyError.message ?? 'parse error'}`);
  if (bodyError.type === 'entity.too.large') {
    const size = typeof bodyError.length === 'number' ? `is ${formatBytes(bodyError.length)}` : 'is larger than that';
    return sendError(
      res,
      413,
      `the body ${size}; the admin API accepts at most ${formatBytes(BODY_LIMIT)}, the size limit of a flow`,
    );
  }
  if (typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
    return sendError(res, bodyError.status, bodyError.message ?? 'the request could not be read');
  }
  deps.logger.error({ err, method: req.method, path: req.path }, 'admin API request failed');
  sendError(res, 500, 'internal error; the runtime log has the details');
}
