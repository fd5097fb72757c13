import { builtinModules } from 'node:module';

/**
 * Why `name` cannot be an npm package name, in plain words; undefined when it can. The rules are
 * npm's for new packages: at most 214 characters, lowercase, URL-safe, an optional `@scope/`.
 */
export function packageNameProblem(name: string): string | undefined {
  const why = (reason: string) => `"${name}" is not a valid npm package name: ${reason}`;
  if (name.trim() === '') return 'the package name is empty';
  if (name.length > 214) return why('it is longer than 214 characters');
  if (name !== name.trim()) return why('it starts or ends with a space');
  if (name !== name.toLowerCase()) return why('npm package names are lowercase');
  const match = /^(?:@([^/]+)\/)?([^/]+)$/.exec(name);
  if (!match) return why('use a plain name (nodes-foo) or a scoped one (@acme/nodes-foo), with at most one "/"');
  const scope = match[1];
  const bare = match[2];
  for (const part of scope === undefined ? [bare] : [scope, bare]) {
    if (/^[._]/.test(part)) return why(`"${part}" starts with "${part[0]}"`);
    if (!/^[a-z0-9._-]+$/.test(part)) return why('use only lowercase letters, digits, "-", "." and "_"');
  }
  if (scope === undefined && (builtinModules.includes(bare) || ['node_modules', 'favicon.ico'].includes(bare))) {
    return why(`"${bare}" is reserved (a Node.js core module or an npm special name)`);
  }
  return undefined;
}

/** The name without its scope: `@acme/nodes-foo` gives `nodes-foo`. */
export function unscopedName(name: string): string {
  return name.replace(/^@[^/]+\//, '');
}

/** Node type names: kebab-case, starting with a letter, e.g. `unit-convert`. */
const NODE_TYPE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Why `type` cannot name a node type, or undefined. */
export function nodeTypeProblem(type: string): string | undefined {
  if (NODE_TYPE.test(type)) return undefined;
  return `"${type}" is not a valid node type name: use kebab-case, lowercase letters and digits starting with a letter (e.g. unit-convert)`;
}

/**
 * The example node's type, from the package name: `@acme/nodes-unit-convert` and
 * `tagflow-nodes-unit-convert` give `unit-convert`; a name with nothing else (`@acme/nodes`) gives `unit-convert`.
 */
export function nodeTypeFromPackage(name: string): string {
  const type = unscopedName(name)
    .replace(/[._]+/g, '-')
    .replace(/^(tagflow-)?(nodes?-)?/, '')
    .replace(/-nodes?$/, '')
    .replace(/^(tagflow|nodes?)$/, '')
    .replace(/^[^a-z]+/, '')
    .replace(/-+/g, '-')
    .replace(/-$/, '');
  return nodeTypeProblem(type) === undefined ? type : 'unit-convert';
}

const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await'.split(
    ' ',
  ),
);

/** A JavaScript identifier for a node type, for imports: `unit-convert` gives `unitConvert`. */
export function nodeIdentifier(type: string): string {
  const camel = type.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return RESERVED.has(camel) ? `${camel}Node` : camel;
}
