import { isPlainObject, resolveFlowVariables, validateFlow } from '@tagflow/flow-model';
import type { FlowIssue, FlowResource } from '@tagflow/flow-model';
import { boundSecrets, secretBindingProblems } from '../../admin/secret-bindings';
import { DEFAULT_TOOL_TIMEOUT_MS, ToolError } from '../../engine/resource-tools';
import { supervisorErrors, toolErrors } from '../../error-codes';
import type { ToolErrorCode } from '../../error-codes';
import { EngineCallError } from '../../supervisor/engine-rpc';
import { HttpError } from '../http-error';
import type { RouteContext, RouteDef } from '../route-types';

/** The longest time limit a caller may ask for (the default is `DEFAULT_TOOL_TIMEOUT_MS`, 10 s). */
const MAX_TIMEOUT_MS = 30_000;

/** The HTTP status each tool error answers. */
const STATUS: Record<ToolErrorCode, number> = {
  TOOL_UNKNOWN: 404,
  TOOL_CONFIG: 422,
  TOOL_CONNECT: 502,
  TOOL_TIMEOUT: 504,
  TOOL_FAILED: 422,
};

/** An error the route answers with `{ error, code }`. */
class ToolRouteError extends HttpError {
  constructor(
    readonly code: ToolErrorCode,
    message: string,
  ) {
    super(STATUS[code], message);
  }
}

/**
 * Resource tools for the editor's pickers: browse an OPC UA server, test-read Modbus registers.
 * The resource comes as in the edited flow (maybe not deployed yet): variables resolved, validated
 * and checked against the secret bindings as a deploy would, then run in the engine (process).
 */
export function resourceToolsRoutes(ctx: RouteContext): RouteDef[] {
  return [
    {
      method: 'POST',
      path: '/api/resources/tools/:tool',
      role: 'deployer',
      summary:
        "Runs a resource type's tool on a connection (the running one when the same resource config is live, else one opened for the call and closed after it), for the editor's tag pickers: e.g. browse on opcua-server, test-read on modbus-device. Time-boxed (10 s unless timeoutMs says otherwise, at most 30 s). Reads only.",
      jsonBody: {
        description:
          '{resourceType, config, input, flowId?, resourceId?, timeoutMs?}: the resource config as in the edited flow (`${NAME}` variables and secrets are resolved as for a deploy); input as the tool documents it',
        schema: {
          type: 'object',
          required: ['resourceType'],
          properties: {
            resourceType: { type: 'string' },
            config: { type: 'object' },
            input: {},
            flowId: { type: 'string' },
            resourceId: { type: 'string' },
            timeoutMs: { type: 'integer', minimum: 100, maximum: MAX_TIMEOUT_MS },
          },
        },
      },
      responses: {
        '200': '{result}: what the tool answers (see the node package docs)',
        '400': 'the body is malformed',
        '404': '{error, code: TOOL_UNKNOWN}: no such resource type, or it has no such tool',
        '422':
          '{error, code}: the config is not valid or would send a bound secret elsewhere (TOOL_CONFIG); the tool refused its input or the peer refused the request (TOOL_FAILED)',
        '502': '{error, code: TOOL_CONNECT}: the connection could not be opened (the message says why)',
        '503': 'the engine is not running or ended during the call',
        '504': '{error, code: TOOL_TIMEOUT}: no answer within the time limit',
      },
      async handler(req, res) {
        try {
          res.json({ result: await runTool(ctx, String(req.params.tool), req.body as unknown) });
        } catch (err) {
          const answer = asRouteError(err);
          if (!(answer instanceof ToolRouteError)) throw answer;
          res.status(answer.status).json({ error: answer.message, code: answer.code });
        }
      },
    },
  ];
}

async function runTool(ctx: RouteContext, tool: string, body: unknown): Promise<unknown> {
  const run = ctx.engine.runResourceTool?.bind(ctx.engine);
  if (!run) throw new HttpError(503, 'this runtime cannot run resource tools');
  const resource = checkedResource(ctx, body);
  const definition = ctx.registry.resource(resource.type)?.definition;
  if (!definition?.tools || !Object.hasOwn(definition.tools, tool))
    throw new ToolRouteError(
      toolErrors.code.TOOL_UNKNOWN,
      `resource type ${resource.type} has no tool "${tool.slice(0, 100)}"`,
    );
  const given = body as { input?: unknown; timeoutMs?: unknown };
  const timeoutMs = given.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > MAX_TIMEOUT_MS)
    throw new HttpError(400, `timeoutMs must be a whole number of milliseconds from 100 to ${MAX_TIMEOUT_MS}`);
  const started = Date.now();
  const result = await run({ resource, tool, input: given.input, timeoutMs });
  ctx.logger.debug({ resourceType: resource.type, tool, ms: Date.now() - started }, 'resource tool answered');
  return result;
}

/** The body's resource as a deploy would run it: variables resolved, defaults applied, checked. */
function checkedResource(ctx: RouteContext, body: unknown): FlowResource {
  if (!isPlainObject(body)) throw new HttpError(400, 'the body must be a JSON object {resourceType, config, input}');
  const { resourceType, config, resourceId, flowId } = body;
  if (typeof resourceType !== 'string' || resourceType === '')
    throw new HttpError(400, 'resourceType is required: the type of the resource, e.g. opcua-server');
  if (config !== undefined && !isPlainObject(config)) throw new HttpError(400, 'config must be an object');
  if (resourceId !== undefined && typeof resourceId !== 'string') throw new HttpError(400, 'resourceId must be text');
  if (flowId !== undefined && typeof flowId !== 'string') throw new HttpError(400, 'flowId must be text');
  if (!ctx.registry.resource(resourceType))
    throw new ToolRouteError(
      toolErrors.code.TOOL_UNKNOWN,
      `no resource type ${resourceType.slice(0, 100)} is installed`,
    );
  const id = resourceId && /^[A-Za-z0-9_.-]{1,100}$/.test(resourceId) ? resourceId : 'resource';
  // A flow of this one resource: the same variable resolution, validation and secret-binding check
  // as a deploy, so a tool call cannot send a bound secret where a deploy could not.
  const flow = {
    schemaVersion: 1,
    id: flowId && /^[A-Za-z0-9_.-]{1,100}$/.test(flowId) ? flowId : 'resource-tool',
    resources: [{ id, type: resourceType, config: config ?? {} }],
    nodes: [],
    edges: [],
  };
  const catalog = ctx.registry.catalog();
  const resolved = resolveFlowVariables(flow, catalog, ctx.variables?.all() ?? {});
  if (resolved.errors.length > 0) throw configError(resolved.errors);
  const validated = validateFlow(resolved.flow, catalog, { migrations: ctx.registry.migrations });
  if (!validated.ok) throw configError(validated.errors);
  const leaks = secretBindingProblems(validated.flow, ctx.registry, boundSecrets(ctx.secrets));
  if (leaks.length > 0) throw configError(leaks);
  const resource = validated.flow.resources?.[0];
  if (!resource) throw new HttpError(400, 'no resource in the body');
  return resource;
}

function configError(issues: readonly FlowIssue[]): ToolRouteError {
  // Paths inside the config read better than the pointer into the one-resource flow.
  const text = issues
    .slice(0, 5)
    .map((i) => {
      const field = i.path.replace(/^\/resources\/0\/config/, '');
      return field && field !== i.path ? `${field.slice(1)}: ${i.message}` : i.message;
    })
    .join('; ');
  return new ToolRouteError(toolErrors.code.TOOL_CONFIG, `the resource config is not usable: ${text}`);
}

/** A tool's error as the route answers it: its own code and status, an ended engine as 503. */
function asRouteError(err: unknown): Error {
  if (err instanceof ToolRouteError || err instanceof HttpError) return err;
  if (err instanceof ToolError) return new ToolRouteError(err.code, err.message);
  if (err instanceof EngineCallError) {
    if (err.code !== supervisorErrors.code.ENGINE_FAILED)
      return new HttpError(503, `the tool could not be run: ${err.message}`);
    const code =
      err.remoteCode && Object.hasOwn(STATUS, err.remoteCode) ? (err.remoteCode as ToolErrorCode) : undefined;
    return new ToolRouteError(code ?? toolErrors.code.TOOL_FAILED, err.message);
  }
  return err instanceof Error ? err : new Error(String(err));
}
