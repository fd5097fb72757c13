import { findVariableRefs } from '@tagflow/flow-model';
import { MAX_VARIABLE_VALUE, variableNameProblem } from '../../store/variable-store';
import { HttpError, sendError } from '../http-error';
import type { RouteContext, RouteDef } from '../route-types';
import { recordAudit } from './record-audit';

/**
 * The runtime's variables (`${NAME}` in flow configs): anyone who may read flows may read them (a
 * variable is site configuration, not a secret); deployers, who may deploy any value in a flow
 * anyway, set and unset them. A change counts from the next deploy of the flow.
 */
export function variablesRoutes(ctx: RouteContext): RouteDef[] {
  const store = () => {
    if (!ctx.variables) throw new HttpError(503, 'this runtime keeps no variables (it was started without a data dir)');
    return ctx.variables;
  };
  const nameOf = (raw: unknown): string => {
    const name = String(raw);
    const problem = variableNameProblem(name);
    if (problem) throw new HttpError(400, problem);
    return name;
  };
  return [
    {
      method: 'GET',
      path: '/api/variables',
      role: 'viewer',
      summary: "The runtime's variables with their values (a variable is not a secret), sorted by name.",
      responses: { '200': '{variables: {NAME: value}}' },
      handler(_req, res) {
        res.json({ variables: ctx.variables?.all() ?? {} });
      },
    },
    {
      method: 'GET',
      path: '/api/variables/:name',
      role: 'viewer',
      summary: 'One variable and its value.',
      responses: { '200': '{name, value}', '400': 'the name is malformed', '404': 'no such variable' },
      handler(req, res) {
        const name = nameOf(req.params.name);
        const value = ctx.variables?.get(name);
        if (value === undefined) return sendError(res, 404, `variable ${name} is not set on this runtime`);
        res.json({ name, value });
      },
    },
    {
      method: 'PUT',
      path: '/api/variables/:name',
      role: 'deployer',
      summary:
        'Sets a variable. It counts from the next deploy: a running flow that uses it keeps its value until then (note says so).',
      jsonBody: {
        description: '{value}',
        schema: {
          type: 'object',
          required: ['value'],
          properties: { value: { type: 'string', maxLength: MAX_VARIABLE_VALUE } },
        },
      },
      responses: {
        '200':
          '{name, value, note?}: stored; note when the running flow uses it and keeps its old value until a deploy',
        '400': 'the name or value is malformed',
      },
      async handler(req, res, caller) {
        const name = nameOf(req.params.name);
        const { value } = (req.body ?? {}) as { value?: unknown };
        if (typeof value !== 'string' || value.length > MAX_VARIABLE_VALUE)
          throw new HttpError(400, `value must be a string of at most ${MAX_VARIABLE_VALUE} characters`);
        const before = store().get(name);
        await store().set(name, value);
        await recordAudit(ctx, {
          type: 'variable-set',
          actor: caller?.name ?? 'unknown',
          detail: `set variable ${name} to ${JSON.stringify(value)}${before === undefined ? '' : ` (was ${JSON.stringify(before)})`}`,
          data: { name },
        });
        const note = before === value ? undefined : runningFlowNote(ctx, name);
        res.json({ name, value, ...(note ? { note } : {}) });
      },
    },
    {
      method: 'DELETE',
      path: '/api/variables/:name',
      role: 'deployer',
      summary: 'Unsets a variable; a flow that uses it is refused at its next deploy (VARIABLE_UNRESOLVED).',
      responses: { '204': 'unset', '400': 'the name is malformed', '404': 'no such variable' },
      async handler(req, res, caller) {
        const name = nameOf(req.params.name);
        const before = store().get(name);
        if (!(await store().delete(name))) return sendError(res, 404, `variable ${name} is not set on this runtime`);
        await recordAudit(ctx, {
          type: 'variable-deleted',
          actor: caller?.name ?? 'unknown',
          detail: `unset variable ${name} (was ${JSON.stringify(before)})`,
          data: { name },
        });
        const note = runningFlowNote(ctx, name);
        if (note) res.setHeader('X-Tagflow-Note', note.replace(/[^\x20-\x7e]/g, '?'));
        res.status(204).end();
      },
    },
  ];
}

/** When running flows use `name`: they keep the value they were deployed with until their next deploy. */
export function runningFlowNote(ctx: Pick<RouteContext, 'runtime' | 'registry'>, name: string): string | undefined {
  const notes: string[] = [];
  const several = ctx.runtime.ids().length > 1;
  for (const id of ctx.runtime.ids()) {
    const current = ctx.runtime.get(id)?.history.current();
    if (!current) continue;
    const uses = findVariableRefs(current.flow, ctx.registry.catalog()).filter((r) => r.name === name);
    if (uses.length === 0) continue;
    const where = [...new Set(uses.map((r) => r.nodeId ?? r.resourceId ?? r.path))].map((n) => `"${n}"`).join(', ');
    const flow = several ? `flow "${id}"` : 'the running flow';
    notes.push(`${flow} (version ${current.version.version}) uses ${name} in ${where}`);
  }
  if (notes.length === 0) return undefined;
  return `${notes.join('; ')} and keeps its old value until the next deploy (deploy the flow again to apply it)`;
}
