export { createProgram, main } from './program';
export { parseDuration } from './duration';
export { nodeSearchDirs, loadRegistry } from './load-registry';
export type { LoadedRegistry } from './load-registry';
export { CliError, EXIT_OK, EXIT_FAILURE, EXIT_USAGE } from './cli-error';
export {
  DEFAULT_DOCS_COMMAND,
  generatedHeader,
  nodeDocsPage,
  packageDocsPages,
  resourceDocsPage,
  stalePages,
  writeDocsPages,
} from './docs/package-docs';
export type { DocsPage, DocsPageOptions, StalePage } from './docs/package-docs';
