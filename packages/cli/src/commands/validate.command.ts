import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { formatIssues, resolveFlowVariables, validateFlow } from '@tagflow/flow-model';
import type { FlowIssue } from '@tagflow/flow-model';
import { boundSecrets, SecretStore, secretBindingProblems, VariableStore, variableNameProblem } from '@tagflow/runtime';
import type { BoundSecrets } from '@tagflow/runtime';
import { CliError } from '../cli-error';
import { count, prefixLines } from '../format-text';
import { discoveryWarnings, loadRegistry } from '../load-registry';
import { nodesDirOption } from '../shared-options';
import { readFlowFile } from '../read-flow-file';
import { workingFolderHints } from '../working-folder-hint';

interface ValidateOptions {
  nodesDir: string[];
  /** A runtime's data dir whose secret bindings the flow is checked against; none: not checked. */
  dataDir?: string;
  /** `--var NAME=VALUE` values, over those of the data dir. */
  var?: Record<string, string>;
}

/** `tagflow validate <flow>`: checks a flow against the installed node types without running it. */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check a flow file against the installed node types, without running it')
    .argument('<flow>', 'the flow file (JSON)')
    .addOption(nodesDirOption())
    .addOption(
      new Option(
        '--data-dir <dir>',
        'also check the flow with the variables and against the secret bindings of the runtime keeping its state in <dir> (tagflow var set, tagflow secret set --allow); without it, bindings are checked at deploy',
      ).argParser((value: string) => resolve(value)),
    )
    .addOption(
      new Option('--var <NAME=VALUE>', "a value for ${NAME} in the flow (over the data dir's); repeatable").argParser(
        (value: string, previous: Record<string, string> | undefined) => {
          const at = value.indexOf('=');
          const name = at < 0 ? value : value.slice(0, at);
          const problem = at < 0 ? 'write it as NAME=VALUE, e.g. --var PLC_HOST=10.0.3.7' : variableNameProblem(name);
          if (problem) throw new InvalidArgumentError(problem);
          return { ...(previous ?? {}), [name]: value.slice(at + 1) };
        },
      ),
    )
    .addHelpText(
      'after',
      `
Prints every problem, one per line, with the node and the place in the file, and exits
with code 1; prints a one-line summary and exits with 0 when the flow can run. Warnings
are printed but do not fail the check.

Secrets bound to hosts (tagflow secret set NAME --allow host:port) live in a runtime's data
dir: give --data-dir to check that the flow sends them only there, as a deploy to that
runtime will. Without --data-dir the bindings are not checked here, only at deploy.

A flow that uses variables (\${PLC_HOST} in a config) is checked with the values a runtime
would use: those of --data-dir and of --var NAME=VALUE (which wins). A variable with no value
is an error, as it is at deploy: what validate accepts, a runtime with those values accepts.

Examples:
  $ tagflow validate pump-monitor.json
  $ for f in flows/*.json; do tagflow validate "$f"; done
  $ tagflow validate flow.json --nodes-dir ../my-nodes
  $ tagflow validate flow.json --nodes-dir .      with this folder's node packages
  $ tagflow validate flow.json --data-dir /var/lib/tagflow
  $ tagflow validate flow.json --var PLC_HOST=10.0.3.7 --var PLC_PORT=502`,
    )
    .action((file: string, options: ValidateOptions) => validate(file, options));
}

async function validate(file: string, options: ValidateOptions): Promise<void> {
  const input = await readFlowFile(file);
  const { registry, report, searchDirs } = await loadRegistry(options.nodesDir);
  for (const line of discoveryWarnings(report)) process.stderr.write(`${line}\n`);

  const bound = options.dataDir === undefined ? undefined : await secretsOf(options.dataDir);
  const variables = { ...(options.dataDir === undefined ? {} : await variablesOf(options.dataDir)), ...options.var };
  const catalog = registry.catalog();
  // The deploy's first step, in the same words: a variable no value is given for is an error.
  const resolved = resolveFlowVariables(input, catalog, variables);
  const refuse = (errors: readonly FlowIssue[]): never => {
    process.stdout.write(`${formatIssues(errors)}\n`);
    const loaded = new Set(report.packages.map((p) => p.name));
    for (const hint of workingFolderHints(errors, input, searchDirs, loaded)) process.stderr.write(`hint: ${hint}\n`);
    throw new CliError(`${file} is not a valid flow: ${count(errors.length, 'error')}`);
  };
  if (resolved.errors.length > 0) {
    if (options.dataDir === undefined)
      process.stderr.write(
        'hint: give the values a runtime would use: --var NAME=VALUE, or --data-dir <its data dir>\n',
      );
    return refuse(resolved.errors);
  }
  const result = validateFlow(resolved.flow, catalog, { migrations: registry.migrations });
  if (result.warnings.length > 0) {
    for (const line of prefixLines(formatIssues(result.warnings), 'warning: ')) process.stdout.write(`${line}\n`);
  }
  if (!result.ok) return refuse(result.errors);
  // The deploy's own check, in the same words, when we can see the box's secrets.
  const broken = bound ? secretBindingProblems(result.flow, registry, bound) : [];
  if (broken.length > 0) refuse(broken);
  const { flow } = result;
  const warnings = result.warnings.length > 0 ? ` (${count(result.warnings.length, 'warning')})` : '';
  process.stdout.write(
    `flow "${flow.id}" is valid: ${count(flow.nodes.length, 'node')}, ${count(flow.edges.length, 'edge')}${warnings}\n`,
  );
}

/** The variables of a data dir; none when it has no variables file. */
async function variablesOf(dataDir: string): Promise<Record<string, string>> {
  if (!existsSync(join(dataDir, 'variables.json'))) return {};
  return (await VariableStore.open(dataDir)).all();
}

/** The bound secrets of a data dir; none when it holds no secrets (opening it would make a key). */
async function secretsOf(dataDir: string): Promise<BoundSecrets> {
  if (!existsSync(dataDir)) throw new CliError(`--data-dir ${dataDir} does not exist`);
  if (!existsSync(join(dataDir, 'secrets.json'))) return new Map();
  return boundSecrets(await SecretStore.open(dataDir));
}
