import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { convertNodeRedFlows, renderReportMarkdown, summarizeReport } from '@tagflow/nodered-import';
import { CliError } from '../cli-error';

interface ImportOptions {
  out: string;
  json?: boolean;
}

/** `tagflow import-nodered flows.json`: converts a Node-RED export into tagflow flow files and a report. */
export function registerImportNodeRedCommand(program: Command): void {
  program
    .command('import-nodered')
    .description('convert a Node-RED flows export into tagflow flow files, with a report per node')
    .argument('<flows>', 'the Node-RED export (Menu > Export > Download, or the flows file of a Node-RED user dir)')
    .addOption(new Option('--out <dir>', 'folder to write the flow files and import-report.md into').default('.'))
    .option('--json', 'print the report as JSON instead of the summary')
    .addHelpText(
      'after',
      `
Writes one <flow id>.flow.json per Node-RED tab (the id is made from the tab's name; the
subflows a tab uses are written into its flow file), and import-report.md: for each Node-RED
node, converted exactly, converted with a difference (which), or not converted (why, and what
to use instead). A node that could not be converted stays in the flow as a placeholder
(nodered-placeholder) which validate and deploy refuse until it is replaced. Dashboard (ui_*)
nodes are left out and counted. Credentials are never copied: the flows name secrets, listed
in the report, to set with tagflow secret set NAME.

Exit codes: 0 converted (even with placeholders to replace), 1 the file cannot be read or
is not a Node-RED export.

Examples:
  $ tagflow import-nodered flows.json --out imported
  $ tagflow import-nodered ~/.node-red/flows.json --json > report.json
  $ tagflow validate imported/line-1.flow.json`,
    )
    .action((file: string, options: ImportOptions) => importNodeRed(file, options));
}

async function importNodeRed(file: string, options: ImportOptions): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a folder, not a file'
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    throw new CliError(`cannot read ${file}: ${why}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not a Node-RED export: it is not valid JSON (${(err as Error).message})`);
  }
  const result = convertNodeRedFlows(json);
  if (!result.ok) throw new CliError(`${file}: ${result.problem}`);
  const out = resolve(options.out);
  await mkdir(out, { recursive: true });
  const written: string[] = [];
  for (const flow of result.flows) {
    const path = join(out, `${flow.id}.flow.json`);
    await writeFile(path, `${JSON.stringify(flow, null, 2)}\n`);
    written.push(path);
  }
  const reportPath = join(out, 'import-report.md');
  await writeFile(reportPath, renderReportMarkdown(result.report));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ files: written, report: result.report }, null, 2)}\n`);
    return;
  }
  const lines = [
    summarizeReport(result.report) + '.',
    ...written.map((path, i) => `wrote ${path} (${result.flows[i].nodes.length} nodes)`),
    `wrote ${reportPath}`,
  ];
  const placeholders = result.report.counts['not-converted'];
  if (placeholders > 0)
    lines.push(
      `replace the ${placeholders} placeholder node${placeholders === 1 ? '' : 's'} listed in the report before deploying (tagflow validate names them)`,
    );
  for (const secret of result.report.secrets)
    lines.push(`set the secret ${secret.name}: tagflow secret set ${secret.name} (${secret.for})`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
