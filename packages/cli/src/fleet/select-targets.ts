import { CliError, EXIT_USAGE } from '../cli-error';
import type { Fleet, FleetRuntime } from './fleet-file';

/** Which runtimes a command acts on: exactly one of `--to`, `--label`, `--all`. */
export interface Selection {
  /** Runtime names (`--to a,b`, repeatable). */
  to?: string[];
  /** `key=value` pairs that must all match (`--label`, repeatable). */
  label?: string[];
  all?: boolean;
}

/** A selected runtime with its token, read from the environment. */
export interface Target extends FleetRuntime {
  token: string;
}

/**
 * The runtimes selected, in fleet-file order (canary deploys take the first ones), whatever order
 * `--to` names them in. A CliError says which name is unknown or that no runtime matches.
 */
export function selectRuntimes(fleet: Fleet, selection: Selection): FleetRuntime[] {
  const modes = [selection.to !== undefined, selection.label !== undefined, selection.all === true].filter(
    Boolean,
  ).length;
  if (modes !== 1) {
    const what = modes === 0 ? 'say which runtimes' : 'use only one of them';
    throw new CliError(`${what}: --to NAME[,NAME], --label key=value or --all`, EXIT_USAGE);
  }
  if (selection.all) return [...fleet.runtimes];
  if (selection.to !== undefined) {
    const names = new Set(selection.to);
    const unknown = [...names].filter((n) => !fleet.runtimes.some((r) => r.name === n));
    if (unknown.length > 0) {
      const known = fleet.runtimes.map((r) => r.name).join(', ');
      const noun = unknown.length === 1 ? 'runtime' : 'runtimes';
      throw new CliError(
        `${fleet.file} has no ${noun} named ${unknown.map((n) => `"${n}"`).join(', ')} (it has: ${known})`,
      );
    }
    return fleet.runtimes.filter((r) => names.has(r.name));
  }
  const wanted = (selection.label ?? []).map(parseLabel);
  const matching = fleet.runtimes.filter((r) => wanted.every(([key, value]) => r.labels[key] === value));
  if (matching.length === 0) {
    const text = wanted.map(([k, v]) => `${k}=${v}`).join(' and ');
    throw new CliError(`no runtime in ${fleet.file} has the label${wanted.length === 1 ? '' : 's'} ${text}`);
  }
  return matching;
}

/** `site=plant-a` -> `['site', 'plant-a']`; a usage error for anything without `=`. */
export function parseLabel(text: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new CliError(`--label "${text}" must be key=value, e.g. --label site=plant-a`, EXIT_USAGE);
  return [text.slice(0, at).trim(), text.slice(at + 1).trim()];
}

/**
 * Reads each runtime's token from the environment variable its `tokenEnv` names. Checked for all
 * of them before anything is sent, so a deploy never stops half-way for a missing variable.
 */
export function withTokens(runtimes: readonly FleetRuntime[], env: NodeJS.ProcessEnv = process.env): Target[] {
  const missing = runtimes.filter((r) => !env[r.tokenEnv]?.trim());
  if (missing.length === 1) {
    const [r] = missing as [FleetRuntime];
    throw new CliError(
      `no token for ${r.name}: the environment variable ${r.tokenEnv} is not set (its tokenEnv in the fleet file)`,
    );
  }
  if (missing.length > 1) {
    const lines = missing.map((r) => `  ${r.name}: ${r.tokenEnv}`);
    throw new CliError(
      `no token for ${missing.length} runtimes: these environment variables (their tokenEnv) are not set:\n${lines.join('\n')}`,
    );
  }
  return runtimes.map((r) => ({ ...r, token: (env[r.tokenEnv] as string).trim() }));
}
