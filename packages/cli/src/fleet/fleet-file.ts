import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { isRecord, parseFlowJson } from '@tagflow/flow-model';
import { CliError } from '../cli-error';
import { count } from '../format-text';

/** One runtime of the fleet, as the fleet file describes it. */
export interface FleetRuntime {
  /** Unique in the file; what `--to` names and what results are listed by. */
  name: string;
  /** Base URL of the runtime's admin API, e.g. `http://10.0.0.5:1990` (no trailing slash). */
  url: string;
  /** Name of the environment variable holding this runtime's token: tokens never go in the file. */
  tokenEnv: string;
  /** Free-form key/value pairs selected with `--label key=value`, e.g. `{ site: 'plant-a' }`. */
  labels: Record<string, string>;
  /**
   * The variables (`${NAME}` in flows) `tagflow deploy` sets on this runtime before deploying:
   * the fleet's `variables`, then those of each matching `labelVariables` entry (later entries
   * win), then the runtime's own `variables`, which win over all. Parsed runtimes always have it.
   */
  variables?: Record<string, string>;
  /**
   * The flow files `tagflow deploy` with no flow argument deploys to this runtime, as absolute
   * paths: the fleet's `flows`, then the runtime's own (a file named in both is deployed once).
   * Written relative to the fleet file's folder. Parsed runtimes always have it (maybe empty).
   */
  flows?: string[];
}

/** A parsed fleet file. */
export interface Fleet {
  /** The file it came from, as given (for messages). */
  file: string;
  /** In file order: canary deploys take the first ones. */
  runtimes: FleetRuntime[];
}

/** Looked for in the working directory, in this order, when there is no `--fleet`. */
export const DEFAULT_FLEET_FILES = ['fleet.yaml', 'fleet.json'];

const RUNTIME_KEYS = ['name', 'url', 'tokenEnv', 'labels', 'variables', 'flows'];
const TOP_KEYS = ['runtimes', 'variables', 'labelVariables', 'flows'];
const VARIABLE_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const ENV_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Keys a user might reach for to put a token in the file; refused with a pointer to tokenEnv. */
const TOKEN_KEYS = new Set(['token', 'adminToken', 'apiToken', 'password', 'secret', 'auth', 'authorization']);

/** Finds and parses the fleet file: `file` when given, else the first default one in `cwd`. */
export async function loadFleetFile(file: string | undefined, cwd: string = process.cwd()): Promise<Fleet> {
  const chosen = file ?? DEFAULT_FLEET_FILES.find((name) => existsSync(path.resolve(cwd, name)));
  if (chosen === undefined) {
    throw new CliError(
      `no fleet file: there is no ${DEFAULT_FLEET_FILES.join(' or ')} here; pass one with --fleet FILE`,
    );
  }
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, chosen), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder, not a file' : (err as Error).message;
    throw new CliError(`cannot read fleet file ${chosen}: ${reason}`);
  }
  return parseFleet(text, chosen, path.dirname(path.resolve(cwd, chosen)));
}

/**
 * Parses and checks a fleet file's text (YAML, or JSON when the name ends in `.json`). Every
 * problem is reported at once, in one CliError, each naming the runtime and the key.
 */
export function parseFleet(text: string, file: string, baseDir: string = path.dirname(path.resolve(file))): Fleet {
  const data = parseText(text, file);
  const problems: string[] = [];
  const runtimes = checkFleet(data, problems, baseDir);
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p}`).join('\n');
    throw new CliError(`${file} is not a valid fleet file (${count(problems.length, 'problem')}):\n${lines}`);
  }
  return { file, runtimes };
}

function parseText(text: string, file: string): unknown {
  if (file.endsWith('.json')) {
    const parsed = parseFlowJson(text);
    if (!parsed.ok) throw new CliError(`${file} is not valid JSON: ${parsed.error.message}`);
    return parsed.value;
  }
  try {
    const doc = parseDocument(text, { prettyErrors: true });
    const first = doc.errors[0];
    if (first?.message.includes('Maximum call stack')) throw new RangeError(first.message);
    if (first) throw new CliError(`${file} is not valid YAML: ${first.message.split('\n')[0]}`);
    return doc.toJS();
  } catch (err) {
    // The YAML parser recurses per level: a file nested thousands deep overflows the stack.
    if (err instanceof RangeError)
      throw new CliError(`${file} is nested too deeply to read: a fleet file needs a few levels, not thousands`);
    throw err;
  }
}

function checkFleet(data: unknown, problems: string[], baseDir: string): FleetRuntime[] {
  const example = 'runtimes: [{ name: plant-a-l1, url: "http://10.0.0.5:1990", tokenEnv: TAGFLOW_TOKEN_PLANT_A_L1 }]';
  if (!isRecord(data)) {
    problems.push(`the file must hold an object with a "runtimes" list, like ${example}`);
    return [];
  }
  for (const key of Object.keys(data)) {
    if (!TOP_KEYS.includes(key)) problems.push(`unknown key "${key}" at the top (allowed: ${TOP_KEYS.join(', ')})`);
  }
  const shared = checkVariables(data.variables, 'variables', problems);
  const byLabel = checkLabelVariables(data.labelVariables, problems);
  const sharedFlows = checkFlows(data.flows, '"flows"', problems, baseDir);
  const list = data.runtimes;
  if (!Array.isArray(list) || list.length === 0) {
    problems.push(
      list === undefined
        ? `"runtimes" is missing: list the runtimes, like ${example}`
        : '"runtimes" must be a non-empty list',
    );
    return [];
  }
  const runtimes: FleetRuntime[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry: unknown, index) => {
    const name = isRecord(entry) && typeof entry.name === 'string' ? entry.name.trim() : undefined;
    const earlier = name === undefined ? undefined : seen.get(name);
    if (name !== undefined && earlier !== undefined) {
      problems.push(
        `runtimes[${index}]: the name "${name}" is already used by runtimes[${earlier}]; names must be unique`,
      );
      return;
    }
    if (name !== undefined) seen.set(name, index);
    const runtime = checkRuntime(entry, index, problems, baseDir);
    if (!runtime) return;
    runtime.flows = [...new Set([...sharedFlows, ...(runtime.flows ?? [])])];
    const matching = byLabel.filter((g) => Object.entries(g.labels).every(([k, v]) => runtime.labels[k] === v));
    const variables: Record<string, string> = { ...shared };
    for (const group of matching) Object.assign(variables, group.variables);
    runtime.variables = Object.assign(variables, runtime.variables);
    runtimes.push(runtime);
  });
  return runtimes;
}

function checkRuntime(entry: unknown, index: number, problems: string[], baseDir: string): FleetRuntime | undefined {
  if (!isRecord(entry)) {
    problems.push(`runtimes[${index}] must be an object with name, url and tokenEnv`);
    return undefined;
  }
  const where =
    typeof entry.name === 'string' && entry.name !== '' ? `runtimes[${index}] (${entry.name})` : `runtimes[${index}]`;
  const before = problems.length;
  for (const key of Object.keys(entry)) {
    if (RUNTIME_KEYS.includes(key)) continue;
    if (TOKEN_KEYS.has(key)) {
      problems.push(
        `${where}: "${key}" is not allowed: tokens never go in the fleet file; put it in an environment variable and name that variable with tokenEnv`,
      );
    } else {
      const near = closest(key, RUNTIME_KEYS);
      problems.push(
        `${where}: unknown key "${key}" (${near ? `did you mean "${near}"?` : `allowed: ${RUNTIME_KEYS.join(', ')}`})`,
      );
    }
  }
  const name = requiredString(entry, 'name', where, problems);
  if (name !== undefined && !NAME_PATTERN.test(name)) {
    problems.push(
      `${where}: name "${name}" may hold only letters, digits, ".", "_" and "-" (and must start with a letter or digit)`,
    );
  }
  const url = requiredString(entry, 'url', where, problems);
  const checkedUrl = url === undefined ? undefined : checkUrl(url, where, problems);
  const tokenEnv = requiredString(entry, 'tokenEnv', where, problems);
  if (tokenEnv !== undefined && !ENV_PATTERN.test(tokenEnv)) {
    problems.push(
      `${where}: tokenEnv "${tokenEnv}" is not an environment variable name (letters, digits and "_", e.g. TAGFLOW_TOKEN_PLANT_A)`,
    );
  }
  const labels = checkLabels(entry.labels, where, problems);
  const variables = checkVariables(entry.variables, `${where}: "variables"`, problems);
  const flows = checkFlows(entry.flows, `${where}: "flows"`, problems, baseDir);
  if (problems.length > before || name === undefined || checkedUrl === undefined || tokenEnv === undefined)
    return undefined;
  return { name, url: checkedUrl, tokenEnv, labels, variables, flows };
}

function requiredString(
  entry: Record<string, unknown>,
  key: string,
  where: string,
  problems: string[],
): string | undefined {
  const value = entry[key];
  if (value === undefined || value === null) {
    problems.push(`${where}: "${key}" is missing`);
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push(`${where}: "${key}" must be a non-empty text`);
    return undefined;
  }
  return value.trim();
}

/** The URL without a trailing slash, when it is an http(s) URL without credentials, query or fragment. */
function checkUrl(text: string, where: string, problems: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(`${where}: url "${text}" is not a URL; write it like http://10.0.0.5:1990`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`${where}: url "${text}" must start with http:// or https://`);
    return undefined;
  }
  if (url.username !== '' || url.password !== '') {
    problems.push(`${where}: url must not hold a user or password: tokens never go in the fleet file; use tokenEnv`);
    return undefined;
  }
  if (url.search !== '' || url.hash !== '') {
    problems.push(`${where}: url "${text}" must not have a query (?...) or fragment (#...)`);
    return undefined;
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function checkLabels(value: unknown, where: string, problems: string[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    problems.push(`${where}: "labels" must be key/value pairs, like { site: plant-a, line: l1 }`);
    return {};
  }
  const labels: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    // YAML reads `line: 1` as a number; a label is compared as text, so accept plain scalars.
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') labels[key] = String(v);
    else problems.push(`${where}: label "${key}" must be a text or a number`);
  }
  return labels;
}

/** Variables as text (YAML reads `PORT: 502` as a number: a variable is text, as on the runtime). */
function checkVariables(value: unknown, where: string, problems: string[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    problems.push(`${where} must be NAME: value pairs, like { PLC_HOST: 10.0.3.7 }`);
    return {};
  }
  const variables: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!VARIABLE_PATTERN.test(key))
      problems.push(
        `${where}: "${key}" is not a variable name (letters, digits and "_", starting with a letter or "_")`,
      );
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') variables[key] = String(v);
    else problems.push(`${where}: variable ${key} must be a text or a number`);
  }
  return variables;
}

/**
 * `flows: [pump-monitor.flow.json, alarms.flow.json]`: flow files (JSON, or bundles made by
 * tagflow pack), relative to the fleet file's folder; returned as absolute paths. Whether each
 * exists is checked by the deploy that reads it, so `tagflow status` works without them.
 */
function checkFlows(value: unknown, where: string, problems: string[], baseDir: string): string[] {
  if (value === undefined || value === null) return [];
  const usage = 'like [pump-monitor.flow.json, alarms.flow.json] (paths relative to the fleet file)';
  if (!Array.isArray(value)) {
    problems.push(`${where} must be a list of flow files, ${usage}`);
    return [];
  }
  const files: string[] = [];
  value.forEach((entry: unknown, index) => {
    if (typeof entry !== 'string' || entry.trim() === '') {
      problems.push(`${where}[${index}] must be the path of a flow file, ${usage}`);
      return;
    }
    const file = path.resolve(baseDir, entry.trim());
    if (files.includes(file)) problems.push(`${where}[${index}]: "${entry}" is listed twice`);
    else files.push(file);
  });
  return files;
}

/** `labelVariables: [{ labels: {site: plant-a}, variables: {...} }]`: variables of the runtimes with all those labels. */
function checkLabelVariables(
  value: unknown,
  problems: string[],
): Array<{ labels: Record<string, string>; variables: Record<string, string> }> {
  if (value === undefined || value === null) return [];
  const usage = 'like [{ labels: { site: plant-a }, variables: { BROKER_HOST: 10.0.1.2 } }]';
  if (!Array.isArray(value)) {
    problems.push(`"labelVariables" must be a list, ${usage}`);
    return [];
  }
  return value.flatMap((entry: unknown, index) => {
    const where = `labelVariables[${index}]`;
    if (!isRecord(entry) || !isRecord(entry.labels) || Object.keys(entry.labels).length === 0) {
      problems.push(`${where} must have "labels" (at least one) and "variables", ${usage}`);
      return [];
    }
    for (const key of Object.keys(entry))
      if (key !== 'labels' && key !== 'variables')
        problems.push(`${where}: unknown key "${key}" (allowed: labels, variables)`);
    const labels = checkLabels(entry.labels, where, problems);
    return [{ labels, variables: checkVariables(entry.variables, `${where}: "variables"`, problems) }];
  });
}

/** The allowed key a misspelt one most likely meant (case, or up to two letters off). */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}
