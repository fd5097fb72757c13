import type { Command } from 'commander';
import { formatIssues, validateFlow } from '@tagflow/flow-model';
import { CliError } from '../cli-error';
import { count, prefixLines } from '../format-text';
import { discoveryWarnings, loadRegistry } from '../load-registry';
import { nodesDirOption } from '../shared-options';
import { readFlowFile } from '../read-flow-file';
import { workingFolderHints } from '../working-folder-hint';

interface ValidateOptions {
  nodesDir: string[];
}

/** `tagflow validate <flow>`: checks a flow against the installed node types without running it. */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check a flow file against the installed node types, without running it')
    .argument('<flow>', 'the flow file (JSON)')
    .addOption(nodesDirOption())
    .addHelpText(
      'after',
      `
Prints every problem, one per line, with the node and the place in the file, and exits
with code 1; prints a one-line summary and exits with 0 when the flow can run. Warnings
are printed but do not fail the check.

Examples:
  $ tagflow validate pump-monitor.json
  $ for f in flows/*.json; do tagflow validate "$f"; done
  $ tagflow validate flow.json --nodes-dir ../my-nodes
  $ tagflow validate flow.json --nodes-dir .      with this folder's node packages`,
    )
    .action((file: string, options: ValidateOptions) => validate(file, options));
}

async function validate(file: string, options: ValidateOptions): Promise<void> {
  const input = await readFlowFile(file);
  const { registry, report, searchDirs } = await loadRegistry(options.nodesDir);
  for (const line of discoveryWarnings(report)) process.stderr.write(`${line}\n`);

  const result = validateFlow(input, registry.catalog(), { migrations: registry.migrations });
  if (result.warnings.length > 0) {
    for (const line of prefixLines(formatIssues(result.warnings), 'warning: ')) process.stdout.write(`${line}\n`);
  }
  if (!result.ok) {
    process.stdout.write(`${formatIssues(result.errors)}\n`);
    const loaded = new Set(report.packages.map((p) => p.name));
    for (const hint of workingFolderHints(result.errors, input, searchDirs, loaded))
      process.stderr.write(`hint: ${hint}\n`);
    throw new CliError(`${file} is not a valid flow: ${count(result.errors.length, 'error')}`);
  }
  const { flow } = result;
  const warnings = result.warnings.length > 0 ? ` (${count(result.warnings.length, 'warning')})` : '';
  process.stdout.write(
    `flow "${flow.id}" is valid: ${count(flow.nodes.length, 'node')}, ${count(flow.edges.length, 'edge')}${warnings}\n`,
  );
}
