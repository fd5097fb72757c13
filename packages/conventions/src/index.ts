export {
  nodeConventionProblems,
  NODE_KEY_ORDER,
  resourceConventionProblems,
  RESOURCE_KEY_ORDER,
  schemaKeyRank,
} from './definition-conventions';
export type { ConventionOptions, ConventionProblem } from './definition-conventions';
export { DOCS_COMMAND, repoDocsPages, templateDocsPage } from './repo-docs';
export { repoNodePackageDirs, REPO_ROOT, workspaceNodePackageDirs } from './repo-packages';
export { loadTemplateDefinition, TEMPLATE_DIR, TEMPLATE_SOURCE } from './scaffold-template';
