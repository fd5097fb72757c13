import type { RouteContext, RouteDef } from '../route-types';
import { EditorValidators } from '../editor-validators';
import { editorValidatorsRoutes } from './editor-validators.routes';

/**
 * The editor palette: every installed node and resource type, with the schema its form is drawn
 * from, and the URL of their config validators compiled ahead of time (served by
 * `editorValidatorsRoutes`, so the editor runs without `eval`).
 */
export function nodesRoutes(ctx: RouteContext): RouteDef[] {
  const validators = new EditorValidators(() => ctx.registry.paletteJson(), ctx.logger);
  return [
    {
      method: 'GET',
      path: '/api/nodes',
      role: 'viewer',
      summary:
        'Installed node and resource types with their config schemas, docs, error codes and packages, and `validators`: the URL of their config validators compiled for the editor.',
      responses: { '200': '{nodes: [...], resources: [...], validators: "editor-validators/<sha256>.js"}' },
      handler(_req, res) {
        const palette = ctx.registry.paletteJson();
        res.json({ ...palette, validators: validators.current(palette).url });
      },
    },
    ...editorValidatorsRoutes(validators),
  ];
}
