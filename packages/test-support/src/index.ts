export { buildWhenStale, newestMtime } from './build-when-stale';
export type { StaleBuild } from './build-when-stale';
export { cliBin, cliRoot, editorRoot, ensureCliBuilt, ensureEditorBuilt, repoRoot } from './repo-builds';
export { finished, runTagflow, spawnTagflow, startTagflow, stopAllTagflow } from './tagflow-process';
export type { StartTagflowOptions, TagflowProcess, TagflowResult, TagflowSpawnOptions } from './tagflow-process';
export { CHROMIUM, CHROMIUM_ARGS, ensureChromium, launchChromium } from './chromium';
export type { Browser } from 'playwright-core';
export { sleep, until } from './until';
