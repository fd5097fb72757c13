// Reads the sources of every workspace package (not their tests) with the TypeScript parser, to
// check the error-code rules: codes are declared once, in a package's `src/error-codes.ts`, and
// used from there. Parsing (not a text search) keeps comments and docs text out of it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The repository's root. */
export const REPO = path.resolve(__dirname, '..', '..', '..');

/** The file each package declares its codes in; the only place a code is written as a string. */
export const CATALOGUE_FILE = path.join('src', 'error-codes.ts');

const SOURCE = /\.(ts|tsx|js|mjs|cjs)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'test', 'e2e', 'coverage', 'vendor', 'results', '.turbo']);

/** An UPPER_SNAKE_CASE word with an underscore: how every error code here is spelt. */
const SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
/** What a code may look like in a place that takes one: one word is enough there (`REFUSED`). */
const CODE_LIKE = /^[A-Z][A-Z0-9_]{2,}$/;

/**
 * Codes Node.js, libuv and OpenSSL give to their own errors: compared with `err.code`, never
 * raised by tagflow. `E...` errno names and `ERR_...` codes are recognised by their shape.
 */
const PLATFORM_CODES = new Set([
  'EAI_AGAIN',
  'MODULE_NOT_FOUND',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);
const isPlatformCode = (text: string) => /^E[A-Z]+$/.test(text) || text.startsWith('ERR_') || PLATFORM_CODES.has(text);

/** The workspace's packages, from pnpm-workspace.yaml (`packages/*` style globs of one level). */
export function workspacePackages(): string[] {
  const text = readFileSync(path.join(REPO, 'pnpm-workspace.yaml'), 'utf8');
  const list = /^packages:\n((?:\s+- .+\n)+)/m.exec(text);
  if (!list) throw new Error('pnpm-workspace.yaml has no packages list');
  const globs = [...list[1].matchAll(/- (\S+)/g)].map((m) => m[1]);
  return globs.flatMap((glob) => {
    if (!glob.endsWith('/*')) return [glob];
    const parent = glob.slice(0, -2);
    return readdirSync(path.join(REPO, parent), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(REPO, parent, d.name, 'package.json')))
      .map((d) => `${parent}/${d.name}`);
  });
}

/** Every source file of a folder, tests, builds and dependencies left out; paths relative to the repository. */
export function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(REPO, relative), { withFileTypes: true })) {
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(child);
      } else if (SOURCE.test(entry.name) && !/\.(test|e2e)\.|\.d\.ts$/.test(entry.name)) {
        found.push(child);
      }
    }
  };
  walk(dir);
  return found.sort();
}

/** A parsed source file. */
export interface ParsedFile {
  file: string;
  source: ts.SourceFile;
}

/** Parses a file (relative to the repository), or `text` under that name. */
export function parse(file: string, text = readFileSync(path.join(REPO, file), 'utf8')): ParsedFile {
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  return { file, source: ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind) };
}

/** A place in a file, as `runtime/src/engine/engine.ts:207`. */
export function where(parsed: ParsedFile, node: ts.Node): string {
  const { line } = parsed.source.getLineAndCharacterOfPosition(node.getStart(parsed.source));
  return `${parsed.file}:${line + 1}`;
}

function visit(node: ts.Node, fn: (node: ts.Node) => void): void {
  fn(node);
  node.forEachChild((child) => visit(child, fn));
}

function isPickArgument(node: ts.Node): boolean {
  const call = node.parent;
  return (
    ts.isCallExpression(call) &&
    call.arguments.includes(node as ts.Expression) &&
    ts.isPropertyAccessExpression(call.expression) &&
    call.expression.name.text === 'pick'
  );
}

/**
 * An environment variable's name, not a code: tagflow's own (`TAGFLOW_*`, which the runtime hands to
 * flows), or the argument of an `.env('NAME')` call (commander's option-from-environment).
 */
function isEnvironmentName(node: ts.StringLiteralLike): boolean {
  if (node.text.startsWith('TAGFLOW_')) return true;
  const call = node.parent;
  return (
    ts.isCallExpression(call) &&
    call.arguments[0] === node &&
    ts.isPropertyAccessExpression(call.expression) &&
    call.expression.name.text === 'env'
  );
}

/** Where a literal sits that only an error code would: `new XError('X', ...)`, `{ code: 'X' }`, `x.code === 'X'`. */
function inCodePosition(node: ts.StringLiteralLike): boolean {
  const parent = node.parent;
  if (ts.isNewExpression(parent) && parent.arguments?.[0] === node) {
    return ts.isIdentifier(parent.expression) && parent.expression.text.endsWith('Error');
  }
  if (ts.isPropertyAssignment(parent) && parent.initializer === node) {
    return ts.isIdentifier(parent.name) && parent.name.text === 'code';
  }
  if (ts.isBinaryExpression(parent)) {
    const other = parent.left === node ? parent.right : parent.left;
    return ts.isPropertyAccessExpression(other) && other.name.text === 'code';
  }
  return false;
}

/**
 * Error codes written as strings outside a catalogue file: a code some catalogue declares (except as
 * an argument of `pick`), a code-like word where an error code goes, or any UPPER_SNAKE_CASE word
 * that is not a platform error's code. Each as `file:line: why`.
 */
export function literalCodes(parsed: ParsedFile, declared: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  visit(parsed.source, (node) => {
    if (!ts.isStringLiteral(node) && !ts.isNoSubstitutionTemplateLiteral(node)) return;
    const text = node.text;
    if (isPickArgument(node) || isEnvironmentName(node)) return;
    const owner = declared.get(text);
    if (owner !== undefined) {
      found.push(`${where(parsed, node)}: '${text}' is written as a string; use ${owner}.code.${text}`);
    } else if ((inCodePosition(node) && CODE_LIKE.test(text)) || SNAKE.test(text)) {
      if (isPlatformCode(text)) return;
      found.push(`${where(parsed, node)}: '${text}' looks like an error code but no catalogue declares it`);
    }
  });
  return found;
}

/** The codes a file uses as `<catalogue>.code.X`. */
export function usedCodes(parsed: ParsedFile): Set<string> {
  const used = new Set<string>();
  visit(parsed.source, (node) => {
    if (!ts.isPropertyAccessExpression(node)) return;
    const holder = node.expression;
    if (ts.isPropertyAccessExpression(holder) && holder.name.text === 'code') used.add(node.name.text);
  });
  return used;
}

/** A `defineNode({...})` or `defineResource({...})` call of a file, with the codes its `errors` lists. */
export interface DefinitionErrors {
  at: string;
  type: string;
  /** The codes in `errors: catalogue.pick(...)`, or undefined when it has no `errors` of that form. */
  listed: string[] | undefined;
}

/** The definitions a file declares, and what their `errors` field lists. */
export function definitions(parsed: ParsedFile): DefinitionErrors[] {
  const found: DefinitionErrors[] = [];
  visit(parsed.source, (node) => {
    if (!ts.isCallExpression(node) || !ts.isIdentifier(node.expression)) return;
    if (node.expression.text !== 'defineNode' && node.expression.text !== 'defineResource') return;
    const spec = node.arguments[0];
    if (!spec || !ts.isObjectLiteralExpression(spec)) return;
    const property = (name: string) =>
      spec.properties.find(
        (p): p is ts.PropertyAssignment =>
          ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name,
      );
    const typeValue = property('type')?.initializer;
    const errors = property('errors')?.initializer;
    let listed: string[] | undefined;
    if (
      errors &&
      ts.isCallExpression(errors) &&
      ts.isPropertyAccessExpression(errors.expression) &&
      errors.expression.name.text === 'pick' &&
      errors.arguments.every(ts.isStringLiteral)
    ) {
      listed = errors.arguments.map((a) => (a as ts.StringLiteral).text);
    }
    found.push({
      at: where(parsed, node),
      type: typeValue && ts.isStringLiteral(typeValue) ? typeValue.text : '(unknown type)',
      listed,
    });
  });
  return found;
}
