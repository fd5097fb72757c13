import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`, done by scripts/system-deps.sh); never a downloaded one. */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags known to work headless on these machines (playwright-core refuses `--user-data-dir` here). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails with what to do when Chromium is not installed: never a silent skip. */
export function ensureChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run bash scripts/system-deps.sh (it installs Debian's chromium)`);
}

/** Launches headless Chromium with the known-good flags, in a fresh profile. */
export function launchChromium(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS], headless: true, timeout: 30_000 });
}
