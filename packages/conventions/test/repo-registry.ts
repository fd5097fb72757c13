import path from 'node:path';
import { readFileSync } from 'node:fs';
import { SDK_VERSION } from '@tagflow/node-sdk';
import { loadNodePackage, NodeRegistry } from '@tagflow/runtime/engine';
import { loadTemplateDefinition, repoNodePackageDirs } from '../src';

/** Every node package of the repo, loaded as the runtime loads them, into one registry. */
export function loadRepoRegistry(options: { template?: boolean } = {}): NodeRegistry {
  const registry = new NodeRegistry();
  for (const dir of repoNodePackageDirs()) loadNodePackage(registry, readPackageJson(dir), dir, SDK_VERSION);
  // The example node `tagflow new-node` writes: what a new package starts from follows them too.
  if (options.template !== false)
    registry.registerNode(loadTemplateDefinition(), { name: 'tagflow new-node template', version: '0.0.0' });
  return registry;
}

/** A package.json, parsed. */
export function readPackageJson(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
}
