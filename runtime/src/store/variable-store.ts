import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { VARIABLE_NAME } from '@tagflow/flow-model';
import { fileStamp, readJsonFile, readJsonFileSync, UpdateQueue, writeFileAtomic } from './atomic-file';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './data-dir-permissions';
import type { VariableStoreApi } from './types';

/** Longest variable name and value the store accepts. */
export const MAX_VARIABLE_NAME = 128;
export const MAX_VARIABLE_VALUE = 64 * 1024;

/**
 * The runtime's variables (`${NAME}` in flow configs) in `<data dir>/variables.json`, in clear:
 * a variable is site configuration (a PLC's address, a line number), not a secret, so anyone who
 * may read flows may read them. The file is 0600 like everything in the data dir. Another process
 * (`tagflow var set --data-dir` beside a running runtime) may change it: each read looks again.
 */
export class VariableStore implements VariableStoreApi {
  private readonly updates = new UpdateQueue();
  private stamp: string | undefined;

  private constructor(
    private readonly path: string,
    private values: Record<string, string>,
  ) {
    this.stamp = fileStamp(path);
  }

  /** Opens the variables of `dataDir`; a damaged file is an error naming it. */
  static async open(dataDir: string): Promise<VariableStore> {
    await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE }).catch((err: Error) => {
      throw new Error(`cannot create the data folder ${dataDir}: ${err.message}`);
    });
    const path = join(dataDir, 'variables.json');
    const content = await readJsonFile(path);
    return new VariableStore(path, content === undefined ? {} : checkVariablesFile(content, path));
  }

  set(name: string, value: string): Promise<void> {
    const invalid = variableNameProblem(name) ?? variableValueProblem(name, value);
    if (invalid) return Promise.reject(new Error(invalid));
    return this.updates.run(async () => {
      this.refresh();
      await this.replace({ ...this.values, [name]: value });
    });
  }

  delete(name: string): Promise<boolean> {
    return this.updates.run(async () => {
      this.refresh();
      if (!Object.hasOwn(this.values, name)) return false;
      const rest = { ...this.values };
      delete rest[name];
      await this.replace(rest);
      return true;
    });
  }

  get(name: string): string | undefined {
    this.refresh();
    return Object.hasOwn(this.values, name) ? this.values[name] : undefined;
  }

  all(): Record<string, string> {
    this.refresh();
    return Object.fromEntries(Object.entries(this.values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private async replace(values: Record<string, string>): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(values, null, 2)}\n`, PRIVATE_FILE_MODE);
    this.values = values;
    this.stamp = fileStamp(this.path);
  }

  private refresh(): void {
    const stamp = fileStamp(this.path);
    if (stamp === this.stamp) return;
    const content = readJsonFileSync(this.path);
    this.values = content === undefined ? {} : checkVariablesFile(content, this.path);
    this.stamp = stamp;
  }
}

/** Why `name` cannot be a variable's name, or undefined when it can. */
export function variableNameProblem(name: unknown): string | undefined {
  if (typeof name === 'string' && VARIABLE_NAME.test(name) && name.length <= MAX_VARIABLE_NAME) return undefined;
  return `invalid variable name ${JSON.stringify(name)}: use letters, digits and _, starting with a letter or _ (at most ${MAX_VARIABLE_NAME}), as in \${PLC_HOST}`;
}

/** Why `value` cannot be the value of variable `name`, or undefined when it can. */
export function variableValueProblem(name: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return `the value of variable ${name} is not a string`;
  if (value.length > MAX_VARIABLE_VALUE)
    return `the value of variable ${name} is longer than ${MAX_VARIABLE_VALUE} characters`;
  return undefined;
}

function checkVariablesFile(content: unknown, path: string): Record<string, string> {
  const damaged = (what: string) => new Error(`${path} is damaged: ${what}; fix it or restore it from a backup`);
  if (typeof content !== 'object' || content === null || Array.isArray(content)) throw damaged('expected an object');
  for (const [name, value] of Object.entries(content as Record<string, unknown>)) {
    if (variableNameProblem(name)) throw damaged(`${JSON.stringify(name)} is not a valid variable name`);
    if (typeof value !== 'string') throw damaged(`the value of variable ${name} is not a string`);
  }
  return content as Record<string, string>;
}
