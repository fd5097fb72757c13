export { createProgram, main } from './program';
export { parseDuration } from './duration';
export { nodeSearchDirs, loadRegistry } from './load-registry';
export type { LoadedRegistry } from './load-registry';
export { CliError, EXIT_OK, EXIT_FAILURE, EXIT_USAGE } from './cli-error';
