import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import type { AnyNodeDefinition } from '@tagflow/node-sdk';
import ts from 'typescript';
import { REPO_ROOT } from './repo-packages';

/** The package `tagflow new-node` writes, with `__NODE_TYPE__` where the new type's name goes. */
export const TEMPLATE_DIR = path.join(REPO_ROOT, 'packages', 'cli', 'templates', 'node-package');

/** The template's node definition, relative to the template (and to the package it becomes). */
export const TEMPLATE_SOURCE = 'src/__NODE_TYPE__.node.ts';

/**
 * The scaffold template's node definition, as is (its type is `__NODE_TYPE__`): the TypeScript
 * source compiled in memory and run with this package's `@tagflow/node-sdk`, since the template is
 * not built and has no dependencies of its own.
 */
export function loadTemplateDefinition(): AnyNodeDefinition {
  return loadTemplateModule(path.join(TEMPLATE_DIR, TEMPLATE_SOURCE)).default as AnyNodeDefinition;
}

/** Compiles and runs one template source file; its relative imports (`./error-codes`) load the same way. */
function loadTemplateModule(
  file: string,
  loaded = new Map<string, Record<string, unknown>>(),
): Record<string, unknown> {
  const cached = loaded.get(file);
  if (cached) return cached;
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const wrapper = vm.runInThisContext(`(function (exports, require, module) {\n${outputText}\n})`, {
    filename: file,
  }) as (exports: unknown, require: (id: string) => unknown, module: { exports: Record<string, unknown> }) => void;
  const module = { exports: {} as Record<string, unknown> };
  loaded.set(file, module.exports);
  const templateRequire = (id: string): unknown =>
    id.startsWith('.') ? loadTemplateModule(path.resolve(path.dirname(file), `${id}.ts`), loaded) : require(id);
  wrapper(module.exports, templateRequire, module);
  loaded.set(file, module.exports);
  return module.exports;
}
