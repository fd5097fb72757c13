import type { Request, Response } from 'express';
import { checkFlowLimits, ID_PATTERN, resolveFlowVariables, validateFlow } from '@tagflow/flow-model';
import type { FlowIssue } from '@tagflow/flow-model';
import type { DeployOutcome } from '../../admin/deployer-types';
import type { FlowChangeOutcome, FlowHandle } from '../../admin/runtime-flows-types';
import { deployErrors } from '../../error-codes';
import type { TokenInfo } from '../../store/types';
import { boundSecrets, secretBindingProblems } from '../../admin/secret-bindings';
import { HttpError, sendError } from '../http-error';
import type { RouteContext, RouteDef } from '../route-types';
import { recordAudit } from './record-audit';

/** A longer health window would hold the request (and the deploy lock) for too long. */
const MAX_HEALTH_MS = 10 * 60_000;

const flowSchema = { type: 'object', description: 'A tagflow flow (schemaVersion, id, nodes, edges, resources).' };

/** The flow a legacy `/api/flow` route means: the runtime's first flow. */
function firstFlow(ctx: RouteContext): FlowHandle | undefined {
  const id = ctx.runtime.ids()[0];
  return id === undefined ? undefined : ctx.runtime.get(id);
}

/** The flow `/api/flows/:id` names; 404 when the runtime holds none of that id. */
function namedFlow(ctx: RouteContext, req: Request): FlowHandle {
  const id = String(req.params.id);
  const flow = ctx.runtime.get(id);
  if (!flow) throw new HttpError(404, `this runtime has no flow "${id.slice(0, 100)}"`);
  return flow;
}

const deployQuery = [
  {
    name: 'healthMs',
    description: 'watch the new flow this long; any node error restores the previous version',
    schema: { type: 'integer', minimum: 0, maximum: MAX_HEALTH_MS },
  },
];

const deployResponses = {
  '200': '{status: deployed|unchanged, version}; ETag is the new version',
  '400': 'the body is not JSON or not an object, or a header or parameter is malformed',
  '409': '{status: conflict, current}: If-Match is not the current version of that flow',
  '413': 'the body is larger than 5 MB',
  '422':
    '{status: rejected, errors} (invalid, or over a limit) or {status: rolled-back, failedVersion, restored, reason}',
  '428': 'If-Match is missing',
};

const rollbackBody = {
  description: '{version?: number}',
  schema: { type: 'object', properties: { version: { type: 'integer', minimum: 1 } } },
};

const rollbackResponses = {
  '200': '{status: deployed|unchanged, version}; ETag is the new version',
  '400': 'the body or a header is malformed',
  '409': '{status: conflict, current}',
  '422': '{status: rejected, errors} or {status: rolled-back, ...}',
};

/**
 * Flows and their versions: list, read, validate, deploy with optimistic locking (If-Match) per
 * flow, history, rollback, disable, enable, remove. `/api/flows/:id/...` names a flow; the older
 * `/api/flow/...` routes act on the runtime's first flow, and `PUT /api/flow` deploys a flow under
 * its own id.
 */
export function flowRoutes(ctx: RouteContext): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/api/flows',
      role: 'viewer',
      summary: "The runtime's flows: id, name, state, current version, node count and message totals of each.",
      responses: { '200': '{flows: [{id, name?, state, version, hash?, deployedAt?, deployedBy?, nodes, counters}]}' },
      handler(_req, res) {
        res.json({ flows: ctx.runtime.summaries() });
      },
    },
    {
      method: 'GET',
      path: '/api/flows/:id',
      role: 'viewer',
      summary: 'One flow: its current version, the flow and its state; ETag is the version.',
      responses: { '200': '{version, flow, state}', '304': 'unchanged since If-None-Match', '404': 'no such flow' },
      handler(req, res) {
        sendCurrent(ctx, req, res, namedFlow(ctx, req));
      },
    },
    {
      method: 'PUT',
      path: '/api/flows/:id',
      role: 'deployer',
      summary:
        'Validates and deploys a flow (whose id is the one in the path) as its new version; no other flow changes. If-Match: "<its current version>" ("0" for a new flow) is required.',
      jsonBody: {
        description: 'the flow as JSON, within the flow limits (5 MB, 64 levels, 10,000 nodes; see README-admin.md)',
        schema: flowSchema,
      },
      query: deployQuery,
      responses: deployResponses,
      async handler(req, res, caller) {
        const id = String(req.params.id);
        const flow = requireFlowBody(req.body);
        if (flow.id !== id)
          throw new HttpError(
            400,
            `the flow's id is ${JSON.stringify(flow.id)}, not "${id.slice(0, 100)}": a flow is deployed under its own id (PUT /api/flows/${JSON.stringify(flow.id)})`,
          );
        await deploy(ctx, req, res, caller, flow);
      },
    },
    {
      method: 'POST',
      path: '/api/flows/:id/validate',
      role: 'deployer',
      summary: 'The complete check of a deploy of this flow, deploying nothing (as POST /api/flow/validate).',
      jsonBody: { description: 'the flow as JSON (at most 5 MB)', schema: flowSchema },
      responses: {
        '200': '{ok, errors, warnings}: ok false lists every error a deploy would refuse the flow with',
        '400': 'the body is not JSON or not an object, or its id is not the one in the path',
        '413': 'the body is larger than 5 MB',
      },
      handler(req, res) {
        const flow = requireFlowBody(req.body);
        const id = String(req.params.id);
        if (flow.id !== id)
          throw new HttpError(400, `the flow's id is ${JSON.stringify(flow.id)}, not "${id.slice(0, 100)}"`);
        res.json(validate(ctx, flow));
      },
    },
    {
      method: 'GET',
      path: '/api/flows/:id/versions',
      role: 'viewer',
      summary: 'Every deployed version of the flow, oldest first.',
      responses: { '200': 'FlowVersion[]', '404': 'no such flow' },
      handler(req, res) {
        res.json(namedFlow(ctx, req).history.list());
      },
    },
    {
      method: 'GET',
      path: '/api/flows/:id/versions/:version',
      role: 'viewer',
      summary: 'One deployed version of the flow and its content.',
      responses: {
        '200': '{version, flow}',
        '400': 'the version is not a whole number',
        '404': 'no such flow or version',
      },
      async handler(req, res) {
        await sendVersion(res, namedFlow(ctx, req), String(req.params.version));
      },
    },
    {
      method: 'POST',
      path: '/api/flows/:id/rollback',
      role: 'deployer',
      summary:
        'Redeploys an earlier version of the flow (default: the one before the current) as a new version; no other flow changes. If-Match is optional.',
      jsonBody: rollbackBody,
      responses: { ...rollbackResponses, '404': 'no such flow' },
      async handler(req, res, caller) {
        await rollback(ctx, req, res, caller, namedFlow(ctx, req));
      },
    },
    {
      method: 'POST',
      path: '/api/flows/:id/disable',
      role: 'deployer',
      summary: 'Stops the flow and keeps it stopped, across restarts too, until it is enabled; other flows run on.',
      responses: { '200': '{id, state}', '404': 'no such flow', '501': 'this embedding holds one flow only' },
      async handler(req, res, caller) {
        const id = namedFlow(ctx, req).id;
        sendChange(res, id, await ctx.runtime.disable(id, callerName(caller)));
      },
    },
    {
      method: 'POST',
      path: '/api/flows/:id/enable',
      role: 'deployer',
      summary: "Runs the flow's current version again after it was disabled.",
      responses: {
        '200': '{id, state}',
        '404': 'no such flow',
        '422': 'the current version cannot start (the reason)',
        '501': 'this embedding holds one flow only',
      },
      async handler(req, res, caller) {
        const id = namedFlow(ctx, req).id;
        sendChange(res, id, await ctx.runtime.enable(id, callerName(caller)));
      },
    },
    {
      method: 'DELETE',
      path: '/api/flows/:id',
      role: 'deployer',
      summary:
        'Stops the flow and removes it from the runtime; its history is moved aside in the data dir, not erased. If-Match: "<its current version>" is required.',
      responses: {
        '200': '{id, removed: true}',
        '404': 'no such flow',
        '409': '{status: conflict, current}',
        '428': 'If-Match is missing',
        '501': 'this embedding holds one flow only',
      },
      async handler(req, res, caller) {
        const id = namedFlow(ctx, req).id;
        const expectedVersion = parseIfMatch(req);
        if (expectedVersion === undefined)
          throw new HttpError(428, 'If-Match is required: send the version you mean to remove, as "<n>"');
        const outcome = await ctx.runtime.remove(id, callerName(caller), expectedVersion);
        if (outcome.status === 'done') {
          res.json({ id, removed: true });
          return;
        }
        sendChange(res, id, outcome);
      },
    },
    {
      method: 'GET',
      path: '/api/flow',
      role: 'viewer',
      summary: "The runtime's first flow and its version (see /api/flows for all of them); ETag is the version.",
      responses: { '200': '{version, flow}', '304': 'unchanged since If-None-Match', '404': 'no flow deployed yet' },
      handler(req, res) {
        const flow = firstFlow(ctx);
        if (!flow?.history.current()) return sendError(res, 404, 'no flow has been deployed yet');
        sendCurrent(ctx, req, res, flow);
      },
    },
    {
      method: 'PUT',
      path: '/api/flow',
      role: 'deployer',
      summary:
        'Validates and deploys a flow under its own id as a new version of that flow; no other flow changes. If-Match: "<its current version>" ("0" for a new flow) is required.',
      jsonBody: {
        description: 'the flow as JSON, within the flow limits (5 MB, 64 levels, 10,000 nodes; see README-admin.md)',
        schema: flowSchema,
      },
      query: deployQuery,
      responses: deployResponses,
      async handler(req, res, caller) {
        await deploy(ctx, req, res, caller, requireFlowBody(req.body));
      },
    },
    {
      method: 'POST',
      path: '/api/flow/validate',
      role: 'deployer',
      summary:
        "Runs the complete check of a deploy without deploying: this runtime's variables (${NAME}), the flow schema, the installed types, each node type's own check, the secrets' bindings. Opens no connection; the editor's problem list asks it.",
      jsonBody: { description: 'the flow as JSON (at most 5 MB)', schema: flowSchema },
      responses: {
        '200': '{ok, errors, warnings}: ok false lists every error a deploy would refuse the flow with',
        '400': 'the body is not JSON or not an object',
        '413': 'the body is larger than 5 MB',
      },
      handler(req, res) {
        res.json(validate(ctx, requireFlowBody(req.body)));
      },
    },
    {
      method: 'GET',
      path: '/api/flow/versions',
      role: 'viewer',
      summary: "Every deployed version of the runtime's first flow, oldest first.",
      responses: { '200': 'FlowVersion[]' },
      handler(_req, res) {
        res.json(firstFlow(ctx)?.history.list() ?? []);
      },
    },
    {
      method: 'GET',
      path: '/api/flow/versions/:version',
      role: 'viewer',
      summary: "One deployed version of the runtime's first flow.",
      responses: { '200': '{version, flow}', '400': 'the version is not a whole number', '404': 'no such version' },
      async handler(req, res) {
        const flow = firstFlow(ctx);
        const number = parseVersion(String(req.params.version));
        if (!flow) return sendError(res, 404, `there is no version ${number}`);
        await sendVersion(res, flow, String(number));
      },
    },
    {
      method: 'POST',
      path: '/api/flow/rollback',
      role: 'deployer',
      summary:
        "Redeploys an earlier version of the runtime's first flow (default: the one before the current) as a new version. If-Match is optional.",
      jsonBody: rollbackBody,
      responses: rollbackResponses,
      async handler(req, res, caller) {
        const flow = firstFlow(ctx);
        if (!flow)
          return sendOutcome(ctx, res, {
            status: 'rejected',
            errors: [
              {
                code: deployErrors.code.NO_SUCH_VERSION,
                message: 'there is no earlier version to roll back to',
                path: '',
              },
            ],
          });
        await rollback(ctx, req, res, caller, flow);
      },
    },
  ];
}

/** The body of a deploy or validate: a JSON object. */
function requireFlowBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'the body must be a flow: a JSON object');
  return body as Record<string, unknown>;
}

function sendCurrent(ctx: RouteContext, req: Request, res: Response, flow: FlowHandle): void {
  const current = flow.history.current();
  if (!current) return sendError(res, 404, `flow "${flow.id}" has no version yet`);
  const tag = etag(current.version.version);
  res.setHeader('ETag', tag);
  if (req.headers['if-none-match'] === tag) {
    res.status(304).end();
    return;
  }
  const summary = ctx.runtime.summaries().find((s) => s.id === flow.id);
  res.json({ version: current.version, flow: current.flow, state: summary?.state ?? 'stopped' });
}

async function sendVersion(res: Response, flow: FlowHandle, raw: string): Promise<void> {
  const number = parseVersion(raw);
  const version = flow.history.list().find((v) => v.version === number);
  const content = version && (await flow.history.get(number));
  if (!version || !content) return sendError(res, 404, `there is no version ${number}`);
  res.json({ version, flow: content });
}

/** The same calls as a deploy's first steps (the deployer's secret bindings, Engine.deploy's validation). */
function validate(ctx: RouteContext, flow: unknown): { ok: boolean; errors: FlowIssue[]; warnings: FlowIssue[] } {
  const catalog = ctx.registry.catalog();
  const resolved = resolveFlowVariables(flow, catalog, ctx.variables?.all() ?? {});
  if (resolved.errors.length > 0) return { ok: false, errors: resolved.errors, warnings: [] };
  const result = validateFlow(resolved.flow, catalog, { migrations: ctx.registry.migrations });
  const errors = result.ok
    ? secretBindingProblems(result.flow, ctx.registry, boundSecrets(ctx.secrets))
    : result.errors;
  return { ok: errors.length === 0, errors, warnings: result.warnings };
}

async function deploy(
  ctx: RouteContext,
  req: Request,
  res: Response,
  caller: TokenInfo | undefined,
  flow: Record<string, unknown>,
): Promise<void> {
  const expectedVersion = parseIfMatch(req);
  if (expectedVersion === undefined) {
    throw new HttpError(
      428,
      'If-Match is required: send the version you edited, as "<n>" ("0" when there is no flow yet), so a concurrent deploy is not overwritten',
    );
  }
  const healthMs = parseHealthMs(req.query.healthMs);
  // Refused here, before the deploy queue: a flow over the limits must not wait behind a
  // health window, nor reach anything that recurses into it.
  const overLimits = checkFlowLimits(flow);
  if (overLimits.length > 0) {
    const by = callerName(caller);
    const reason = `the flow is over the limits (${overLimits[0].message}); the running flow is unchanged`;
    const detail = `deploy refused: ${reason}`;
    ctx.logger.info({ by, errors: overLimits.map((e) => e.message) }, `deploy by ${by} refused: ${reason}`);
    await recordAudit(ctx, {
      type: 'deploy-rejected',
      actor: by,
      detail,
      data: { errors: overLimits.map((e) => e.message) },
    });
    return sendOutcome(ctx, res, { status: 'rejected', errors: overLimits });
  }
  // A flow is kept under its id: without a usable one there is nowhere to keep it, and the
  // validation says why in its own words.
  if (typeof flow.id !== 'string' || !new RegExp(ID_PATTERN).test(flow.id)) {
    const { errors } = validate(ctx, flow);
    return sendOutcome(ctx, res, { status: 'rejected', errors });
  }
  const handle = await ctx.runtime.open(flow.id);
  const outcome = await handle.deployer.deploy(flow, {
    by: callerName(caller),
    expectedVersion,
    ...(healthMs !== undefined ? { healthMs } : {}),
  });
  sendOutcome(ctx, res, outcome);
}

async function rollback(
  ctx: RouteContext,
  req: Request,
  res: Response,
  caller: TokenInfo | undefined,
  flow: FlowHandle,
): Promise<void> {
  const body: unknown = req.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'the body must be a JSON object like {"version": 3}');
  const raw = (body as { version?: unknown }).version;
  if (raw !== undefined && !(Number.isInteger(raw) && (raw as number) >= 1))
    throw new HttpError(400, '"version" must be a whole number from 1');
  const expectedVersion = parseIfMatch(req);
  const outcome = await flow.deployer.rollback({
    by: callerName(caller),
    ...(raw !== undefined ? { toVersion: raw as number } : {}),
    ...(expectedVersion !== undefined ? { expectedVersion } : {}),
  });
  sendOutcome(ctx, res, outcome);
}

function sendChange(res: Response, id: string, outcome: FlowChangeOutcome): void {
  switch (outcome.status) {
    case 'done':
      res.json({ id, state: outcome.state });
      return;
    case 'not-found':
      return sendError(res, 404, `this runtime has no flow "${id}"`);
    case 'conflict':
      res.status(409).json({
        error: `the current version of flow "${id}" is ${outcome.current}: check it and try again`,
        status: 'conflict',
        current: outcome.current,
      });
      return;
    case 'unsupported':
      return sendError(res, 501, outcome.reason);
    case 'failed':
      return sendError(res, 422, outcome.reason);
  }
}

/** The strong ETag of a flow version. */
export function etag(version: number): string {
  return `"${version}"`;
}

/** Maps a deploy outcome to its HTTP answer (the fleet CLI relies on these codes). */
function sendOutcome(ctx: RouteContext, res: Response, outcome: DeployOutcome): void {
  ctx.metrics.deploys.inc({ outcome: outcome.status });
  switch (outcome.status) {
    case 'deployed':
      res.setHeader('ETag', etag(outcome.version.version));
      res.status(200).json({ status: outcome.status, version: outcome.version, warnings: outcome.warnings });
      return;
    case 'unchanged':
      res.setHeader('ETag', etag(outcome.version.version));
      res.status(200).json({ status: outcome.status, version: outcome.version });
      return;
    case 'rejected':
      res.status(422).json({
        error: `the flow was refused (${outcome.errors.length} ${outcome.errors.length === 1 ? 'error' : 'errors'}); the running flow is unchanged`,
        status: outcome.status,
        errors: outcome.errors,
      });
      return;
    case 'conflict':
      res.status(409).json({
        error: `the current version is ${outcome.current}: fetch it and apply your change again`,
        status: outcome.status,
        current: outcome.current,
      });
      return;
    case 'rolled-back':
      res.status(422).json({
        error: `version ${outcome.failedVersion.version} failed its health check and was rolled back: ${outcome.reason}`,
        status: outcome.status,
        failedVersion: outcome.failedVersion,
        restored: outcome.restored,
        reason: outcome.reason,
      });
      return;
  }
}

/** `If-Match: "3"` (or `W/"3"`, or a bare 3) → 3; absent → undefined. */
function parseIfMatch(req: Request): number | undefined {
  const header = req.headers['if-match'];
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!match)
    throw new HttpError(400, `If-Match must be a flow version like "3" (got ${JSON.stringify(header.slice(0, 40))})`);
  return Number(match[1]);
}

function parseHealthMs(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value) || Number(value) > MAX_HEALTH_MS) {
    throw new HttpError(400, `healthMs must be a whole number of milliseconds up to ${MAX_HEALTH_MS}`);
  }
  return Number(value);
}

function parseVersion(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new HttpError(400, `"${value.slice(0, 40)}" is not a version number`);
  return Number(value);
}

function callerName(caller: { name: string } | undefined): string {
  // Routes with a role always have a caller; this is only a guard against a table mistake.
  if (!caller) throw new Error('a deploy route ran without an authenticated caller');
  return caller.name;
}
