import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The tagflow version, from the CLI's package.json. */
export function cliVersion(): string {
  // dist/cli-version.js -> ../package.json; read at run time because package.json is outside `src`.
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
