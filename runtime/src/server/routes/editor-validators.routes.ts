import type { RouteDef } from '../route-types';
import { sendError } from '../http-error';
import { EDITOR_VALIDATORS_PATH } from '../editor-validators';
import type { EditorValidators } from '../editor-validators';

const FILE = /^([0-9a-f]{64})\.js$/;

/**
 * The editor's precompiled config validators, as a JavaScript module at a content-addressed URL.
 * Public, as the editor's own files are: the module holds the installed types' config schemas as
 * code and nothing else, and only a signed-in user learns its URL (from `GET /api/nodes`).
 */
export function editorValidatorsRoutes(validators: EditorValidators): RouteDef[] {
  return [
    {
      method: 'GET',
      path: `${EDITOR_VALIDATORS_PATH}/:file`,
      role: 'public',
      summary:
        "The installed types' config validators compiled ahead of time (ajv standalone code), as the module the editor imports; named by the sha256 of its code, so it is cached for good. `GET /api/nodes` gives the current URL.",
      produces: 'text/javascript',
      responses: { '200': 'the module (JavaScript)', '404': 'no such module (the catalog changed: reload the editor)' },
      handler(req, res) {
        const match = FILE.exec(String(req.params.file));
        const found = match ? validators.find(match[1]) : undefined;
        if (!found)
          return sendError(
            res,
            404,
            "these form checks are not (or no longer) the runtime's: node packages were installed or removed; reload the editor",
          );
        res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
        // Named by its content: it never changes, whoever asks.
        res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        res.setHeader('Vary', 'Accept-Encoding');
        // Mostly schemas as code: compressed it is a fifteenth of its size.
        const encoding = req.acceptsEncodings('br', 'gzip');
        if (encoding === 'br' || encoding === 'gzip') {
          res.setHeader('Content-Encoding', encoding);
          res.send(found.encoded(encoding));
        } else {
          res.send(found.code);
        }
      },
    },
  ];
}
