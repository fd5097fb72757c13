// Monaco with only what the editor uses, instead of the full `monaco-editor` entry (80 languages,
// CSS and HTML services, an LSP client): the editor core and its features (find, completion,
// hover...), JavaScript for function code (served by the TypeScript worker) and JSON for flows.
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/javascript/register';
import 'monaco-editor/languages/definitions/typescript/register';
import * as json from 'monaco-editor/languages/features/json/register';
import * as typescript from 'monaco-editor/languages/features/typescript/register';

export * from 'monaco-editor/editor/editor.api';
export { json, typescript };
