import type { NodeTypeInfo, ResourceTypeInfo } from './catalog';
import { configFields } from './config-fields';
import type { ConfigField } from './config-fields';
import type { JSONSchema } from './json-schema';
import type { NumberedPorts } from './numbered-ports';
import { isPlainObject } from './object-guards';

/** What a part of a docs page holds. */
export type DocsSectionKind = 'title' | 'description' | 'docs' | 'ports' | 'config' | 'errors' | 'example';

/** One part of a node's or resource's docs page, in Markdown; the page is its sections in order. */
export interface DocsSection {
  kind: DocsSectionKind;
  markdown: string;
}

/** A heading that starts the example part of a definition's `docs`: `## Example` or `## Examples`. */
const EXAMPLE_HEADING = /^##\s+Examples?\b/;

/**
 * A node type's docs page, in Markdown, from its plain data alone: title, description, the prose
 * of `docs`, ports, a config table drawn from the schema, the error codes and, last, the example
 * (the `## Example` part of `docs`). Pure: the same info always gives the same text.
 *
 * @example renderNodeDocs(catalog.nodes.get('moving-average')) // '# moving-average\n\nMean of ...'
 */
export function renderNodeDocs(info: NodeTypeInfo): string {
  return joinSections(nodeDocsSections(info));
}

/** A resource type's docs page: as `renderNodeDocs`, without ports. */
export function renderResourceDocs(info: ResourceTypeInfo): string {
  return joinSections(resourceDocsSections(info));
}

/** The sections of `renderNodeDocs`, for a view that shows some of them (the editor's help). */
export function nodeDocsSections(info: NodeTypeInfo): DocsSection[] {
  const { prose, example } = splitDocsExample(info.docs ?? '');
  const sections: DocsSection[] = [{ kind: 'title', markdown: `# ${info.type}` }];
  const intro = [info.description, `Category: \`${info.category}\`.`].filter(Boolean).join('\n\n');
  sections.push({ kind: 'description', markdown: intro });
  if (prose !== '') sections.push({ kind: 'docs', markdown: prose });
  sections.push({ kind: 'ports', markdown: portsMarkdown(info) });
  sections.push({ kind: 'config', markdown: configMarkdown(info.configSchema) });
  if (info.errors && Object.keys(info.errors).length > 0) sections.push(errorsSection(info.errors));
  if (example !== undefined) sections.push({ kind: 'example', markdown: example });
  return sections;
}

/** The sections of `renderResourceDocs`. */
export function resourceDocsSections(info: ResourceTypeInfo): DocsSection[] {
  const { prose, example } = splitDocsExample(info.docs ?? '');
  const sections: DocsSection[] = [{ kind: 'title', markdown: `# ${info.type}` }];
  const kind =
    "A resource: declared once in the flow's `resources`, named by id in the config of the nodes that use it.";
  sections.push({ kind: 'description', markdown: [info.description, kind].filter(Boolean).join('\n\n') });
  if (prose !== '') sections.push({ kind: 'docs', markdown: prose });
  sections.push({ kind: 'config', markdown: configMarkdown(info.configSchema) });
  if (info.errors && Object.keys(info.errors).length > 0) sections.push(errorsSection(info.errors));
  if (example !== undefined) sections.push({ kind: 'example', markdown: example });
  return sections;
}

/**
 * Splits a definition's `docs` into its prose and its example: the example is the part from a
 * `## Example` (or `## Examples`) heading to the next `##` heading or the end. Headings inside
 * fenced code blocks do not count.
 */
export function splitDocsExample(docs: string): { prose: string; example?: string } {
  const lines = docs.replace(/\r\n/g, '\n').split('\n');
  let fence: string | undefined;
  let start = -1;
  let end = lines.length;
  lines.forEach((line, i) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) fence = marker;
      else if (marker.startsWith(fence)) fence = undefined;
      return;
    }
    if (fence !== undefined || !line.startsWith('## ')) return;
    if (start < 0 && EXAMPLE_HEADING.test(line)) start = i;
    else if (start >= 0 && end === lines.length && i > start) end = i;
  });
  if (start < 0) return { prose: docs.trim() };
  const prose = [...lines.slice(0, start), ...lines.slice(end)].join('\n').trim();
  return { prose, example: lines.slice(start, end).join('\n').trim() };
}

function portsMarkdown(info: NodeTypeInfo): string {
  const list = (ports: readonly string[]) => ports.map((p) => `\`${p}\``).join(', ');
  const lines = ['## Ports', ''];
  lines.push(info.inputs.length > 0 ? `- Input${plural(info.inputs)}: ${list(info.inputs)}.` : '- No input: a source.');
  const outputs = info.outputs.filter((p) => p !== 'error');
  const numbered = info.numberedOutputs;
  if (outputs.length > 0) lines.push(`- Output${plural(outputs)}: ${list(outputs)}.`);
  if (numbered) lines.push(numberedMarkdown(numbered, info.configSchema));
  if (outputs.length === 0 && !numbered) lines.push('- No output.');
  if (info.outputs.includes('error')) {
    lines.push("- `error`: receives this node's errors as messages, when wired (`msg.error` says what failed).");
  }
  for (const [field, type] of Object.entries(info.resources ?? {})) {
    lines.push(`- Resource: \`${field}\` names a \`${type}\` resource, shared with the other nodes that name it.`);
  }
  return lines.join('\n');
}

/** `- Outputs \`out1\` to \`outN\`: N is config field \`outputs\` (1 to 32, default 6).` */
function numberedMarkdown(numbered: NumberedPorts, schema: JSONSchema): string {
  const field = isPlainObject(schema) && isPlainObject(schema.properties) ? schema.properties[numbered.countField] : {};
  const bound = (key: string) => (isPlainObject(field) ? JSON.stringify(field[key]) : 'undefined');
  const p = numbered.prefix;
  return `- Outputs \`${p}1\` to \`${p}N\`: N is config field \`${numbered.countField}\` (${bound('minimum')} to ${bound('maximum')}, default ${bound('default')}).`;
}

function configMarkdown(schema: JSONSchema): string {
  const fields = configFields(schema);
  if (fields.length === 0) return '## Config\n\nNo settings.';
  const header = ['field', 'label', 'type', 'default', 'unit', 'description'];
  const rows = fields.map((f) => [
    fieldCell(f),
    f.label ?? '',
    f.type,
    f.hasDefault ? `\`${JSON.stringify(f.default)}\`` : f.required ? 'required' : '',
    f.unit ?? '',
    f.description ?? '',
  ]);
  return `## Config\n\n${table(header, rows)}`;
}

function fieldCell(field: ConfigField): string {
  const path = `\`${field.path}\``;
  return field.branches.length > 0 ? `${path} (${field.branches.join(' › ')})` : path;
}

function errorsSection(errors: Readonly<Record<string, string>>): DocsSection {
  const rows = Object.entries(errors).map(([code, meaning]) => [`\`${code}\``, meaning]);
  return { kind: 'errors', markdown: `## Errors\n\n${table(['code', 'meaning'], rows)}` };
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A table cell: one line, with pipes escaped (GitHub Markdown needs that inside code spans too). */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

function plural(list: readonly unknown[]): string {
  return list.length === 1 ? '' : 's';
}

function joinSections(sections: DocsSection[]): string {
  return `${sections.map((s) => s.markdown).join('\n\n')}\n`;
}
