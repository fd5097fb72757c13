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
  const file = path.join(TEMPLATE_DIR, TEMPLATE_SOURCE);
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const wrapper = vm.runInThisContext(`(function (exports, require, module) {\n${outputText}\n})`, {
    filename: file,
  }) as (exports: unknown, require: NodeJS.Require, module: { exports: Record<string, unknown> }) => void;
  const module = { exports: {} as Record<string, unknown> };
  wrapper(module.exports, require, module);
  return module.exports.default as AnyNodeDefinition;
}
