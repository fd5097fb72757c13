import path from 'node:path';
import type { NodeTypeInfo } from '@tagflow/flow-model';
import { NodeRegistry } from '@tagflow/runtime/engine';
import { DEFAULT_DOCS_COMMAND, nodeDocsPage, packageDocsPages } from 'tagflow';
import type { DocsPage } from 'tagflow';
import { repoNodePackageDirs, REPO_ROOT } from './repo-packages';
import { loadTemplateDefinition, TEMPLATE_DIR, TEMPLATE_SOURCE } from './scaffold-template';

/** The command that writes the repo's generated docs pages; each page names it. */
export const DOCS_COMMAND = 'pnpm run docs';

/**
 * Every generated docs page of the repo: those of each node package (from its built definitions)
 * and the scaffold template's, which names `tagflow docs` since that is how the package it becomes
 * regenerates it.
 */
export function repoDocsPages(): DocsPage[] {
  const pages = repoNodePackageDirs().flatMap((dir) =>
    packageDocsPages(dir, { command: DOCS_COMMAND, relativeTo: REPO_ROOT }),
  );
  return [...pages, templateDocsPage()];
}

/** The scaffold template's page, `docs/__NODE_TYPE__.md`; `tagflow new-node` renames it with the type. */
export function templateDocsPage(): DocsPage {
  const registry = new NodeRegistry();
  const definition = loadTemplateDefinition();
  registry.registerNode(definition);
  const info = (registry.catalog().nodes as ReadonlyMap<string, NodeTypeInfo>).get(definition.type) as NodeTypeInfo;
  return {
    file: path.join(TEMPLATE_DIR, 'docs', `${definition.type}.md`),
    type: definition.type,
    kind: 'node',
    content: nodeDocsPage(info, TEMPLATE_SOURCE, DEFAULT_DOCS_COMMAND),
  };
}
