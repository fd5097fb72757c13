import type { Request, Response } from 'express';
import { checkFlowLimits, resolveFlowVariables, validateFlow } from '@tagflow/flow-model';
import type { DeployOutcome } from '../../admin/deployer-types';
import { boundSecrets, secretBindingProblems } from '../../admin/secret-bindings';
import { HttpError, sendError } from '../http-error';
import type { RouteContext, RouteDef } from '../route-types';
import { recordAudit } from './record-audit';

/** A longer health window would hold the request (and the deploy lock) for too long. */
const MAX_HEALTH_MS = 10 * 60_000;

const flowSchema = { type: 'object', description: 'A tagflow flow (schemaVersion, id, nodes, edges, resources).' };

/** Flow versions: read, validate, deploy with optimistic locking (If-Match), history, rollback. */
export function flowRoutes(ctx: RouteContext): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/api/flow',
      role: 'viewer',
      summary: 'The current flow and its version; ETag is the version.',
      responses: { '200': '{version, flow}', '304': 'unchanged since If-None-Match', '404': 'no flow deployed yet' },
      handler(req, res) {
        const current = ctx.flows.current();
        if (!current) return sendError(res, 404, 'no flow has been deployed yet');
        const tag = etag(current.version.version);
        res.setHeader('ETag', tag);
        if (req.headers['if-none-match'] === tag) {
          res.status(304).end();
          return;
        }
        res.json({ version: current.version, flow: current.flow });
      },
    },
    {
      method: 'PUT',
      path: '/api/flow',
      role: 'deployer',
      summary:
        'Validates and deploys a flow as a new version. If-Match: "<current version>" ("0" before the first) is required.',
      jsonBody: {
        description: 'the flow as JSON, within the flow limits (5 MB, 64 levels, 10,000 nodes; see README-admin.md)',
        schema: flowSchema,
      },
      query: [
        {
          name: 'healthMs',
          description: 'watch the new flow this long; any node error restores the previous version',
          schema: { type: 'integer', minimum: 0, maximum: MAX_HEALTH_MS },
        },
      ],
      responses: {
        '200': '{status: deployed|unchanged, version}; ETag is the new version',
        '400': 'the body is not JSON or not an object, or a header or parameter is malformed',
        '409': '{status: conflict, current}: If-Match is not the current version',
        '413': 'the body is larger than 5 MB',
        '422':
          '{status: rejected, errors} (invalid, or over a limit) or {status: rolled-back, failedVersion, restored, reason}',
        '428': 'If-Match is missing',
      },
      async handler(req, res, caller) {
        const expectedVersion = parseIfMatch(req);
        if (expectedVersion === undefined) {
          throw new HttpError(
            428,
            'If-Match is required: send the version you edited, as "<n>" ("0" when there is no flow yet), so a concurrent deploy is not overwritten',
          );
        }
        const flow: unknown = req.body;
        if (typeof flow !== 'object' || flow === null || Array.isArray(flow))
          throw new HttpError(400, 'the body must be a flow: a JSON object');
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
        const outcome = await ctx.deployer.deploy(flow, {
          by: callerName(caller),
          expectedVersion,
          ...(healthMs !== undefined ? { healthMs } : {}),
        });
        sendOutcome(ctx, res, outcome);
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
        const flow: unknown = req.body;
        if (typeof flow !== 'object' || flow === null || Array.isArray(flow))
          throw new HttpError(400, 'the body must be a flow: a JSON object');
        // The same calls as a deploy's first steps (the deployer's secret bindings, Engine.deploy's
        // validation), with the same catalog and checks.
        const catalog = ctx.registry.catalog();
        const resolved = resolveFlowVariables(flow, catalog, ctx.variables?.all() ?? {});
        if (resolved.errors.length > 0) {
          res.json({ ok: false, errors: resolved.errors, warnings: [] });
          return;
        }
        const result = validateFlow(resolved.flow, catalog, { migrations: ctx.registry.migrations });
        const errors = result.ok
          ? secretBindingProblems(result.flow, ctx.registry, boundSecrets(ctx.secrets))
          : result.errors;
        res.json({ ok: errors.length === 0, errors, warnings: result.warnings });
      },
    },
    {
      method: 'GET',
      path: '/api/flow/versions',
      role: 'viewer',
      summary: 'Every deployed version, oldest first.',
      responses: { '200': 'FlowVersion[]' },
      handler(_req, res) {
        res.json(ctx.flows.list());
      },
    },
    {
      method: 'GET',
      path: '/api/flow/versions/:version',
      role: 'viewer',
      summary: 'One deployed version and its flow.',
      responses: { '200': '{version, flow}', '400': 'the version is not a whole number', '404': 'no such version' },
      async handler(req, res) {
        const number = parseVersion(String(req.params.version));
        const version = ctx.flows.list().find((v) => v.version === number);
        const flow = version && (await ctx.flows.get(number));
        if (!version || !flow) return sendError(res, 404, `there is no version ${number}`);
        res.json({ version, flow });
      },
    },
    {
      method: 'POST',
      path: '/api/flow/rollback',
      role: 'deployer',
      summary:
        'Redeploys an earlier version (default: the one before the current) as a new version. If-Match is optional.',
      jsonBody: {
        description: '{version?: number}',
        schema: { type: 'object', properties: { version: { type: 'integer', minimum: 1 } } },
      },
      responses: {
        '200': '{status: deployed|unchanged, version}; ETag is the new version',
        '400': 'the body or a header is malformed',
        '409': '{status: conflict, current}',
        '422': '{status: rejected, errors} or {status: rolled-back, ...}',
      },
      async handler(req, res, caller) {
        const body: unknown = req.body ?? {};
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          throw new HttpError(400, 'the body must be a JSON object like {"version": 3}');
        const raw = (body as { version?: unknown }).version;
        if (raw !== undefined && !(Number.isInteger(raw) && (raw as number) >= 1))
          throw new HttpError(400, '"version" must be a whole number from 1');
        const expectedVersion = parseIfMatch(req);
        const outcome = await ctx.deployer.rollback({
          by: callerName(caller),
          ...(raw !== undefined ? { toVersion: raw as number } : {}),
          ...(expectedVersion !== undefined ? { expectedVersion } : {}),
        });
        sendOutcome(ctx, res, outcome);
      },
    },
  ];
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
