import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { formatIssues, validateFlow } from '@tagflow/flow-model';
import type { FlowIssue } from '@tagflow/flow-model';
import { boundSecrets, SecretStore, secretBindingProblems } from '@tagflow/runtime';
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
        'also check the flow against the secret bindings of the runtime keeping its state in <dir> (tagflow secret set --allow); without it, bindings are checked at deploy',
      ).argParser((value: string) => resolve(value)),
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

Examples:
  $ tagflow validate pump-monitor.json
  $ for f in flows/*.json; do tagflow validate "$f"; done
  $ tagflow validate flow.json --nodes-dir ../my-nodes
  $ tagflow validate flow.json --nodes-dir .      with this folder's node packages
  $ tagflow validate flow.json --data-dir /var/lib/tagflow`,
    )
    .action((file: string, options: ValidateOptions) => validate(file, options));
}

async function validate(file: string, options: ValidateOptions): Promise<void> {
  const input = await readFlowFile(file);
  const { registry, report, searchDirs } = await loadRegistry(options.nodesDir);
  for (const line of discoveryWarnings(report)) process.stderr.write(`${line}\n`);

  const bound = options.dataDir === undefined ? undefined : await secretsOf(options.dataDir);
  const result = validateFlow(input, registry.catalog(), { migrations: registry.migrations });
  if (result.warnings.length > 0) {
    for (const line of prefixLines(formatIssues(result.warnings), 'warning: ')) process.stdout.write(`${line}\n`);
  }
  const refuse = (errors: readonly FlowIssue[]): never => {
    process.stdout.write(`${formatIssues(errors)}\n`);
    const loaded = new Set(report.packages.map((p) => p.name));
    for (const hint of workingFolderHints(errors, input, searchDirs, loaded)) process.stderr.write(`hint: ${hint}\n`);
    throw new CliError(`${file} is not a valid flow: ${count(errors.length, 'error')}`);
  };
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

/** The bound secrets of a data dir; none when it holds no secrets (opening it would make a key). */
async function secretsOf(dataDir: string): Promise<BoundSecrets> {
  if (!existsSync(dataDir)) throw new CliError(`--data-dir ${dataDir} does not exist`);
  if (!existsSync(join(dataDir, 'secrets.json'))) return new Map();
  return boundSecrets(await SecretStore.open(dataDir));
}
