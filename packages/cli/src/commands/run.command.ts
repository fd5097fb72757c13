import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, SETTLE_MEMORY_AFTER_MS, usePrivateUmask, VariableStore } from '@tagflow/runtime/engine';
import type { ContextLimits, RuntimeLogger } from '@tagflow/runtime/engine';
import { contextLimitsOption } from '../context-limits-option';
import { CliError } from '../cli-error';
import { logIssues, withLog } from '../cli-logger';
import type { LogOptions } from '../cli-logger';
import { loadRegistry, logDiscoveryProblems } from '../load-registry';
import { workingFolderHints } from '../working-folder-hint';
import {
  dataDirOption,
  filesDirOption,
  filesFolder,
  forOption,
  logFormatOption,
  logLevelOption,
  nodesDirOption,
} from '../shared-options';
import { readFlowFile } from '../read-flow-file';
import { flowNeedsNoSnapshot, restartWithoutSnapshot, snapshotOn } from '../snapshot-flag';
import { count, formatMs } from '../format-text';
import { debugOutput, statusLogger } from '../run-output';
import { waitForStop } from '../wait-for-stop';
import type { StopReason } from '../wait-for-stop';

interface RunOptions extends LogOptions {
  for?: number;
  nodesDir: string[];
  dataDir: string;
  filesDir?: string;
  contextLimits?: Partial<ContextLimits>;
}

/** `tagflow run <flow>`: runs a flow in the foreground until Ctrl-C or `--for`. */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run a flow here, in the foreground, until Ctrl-C (or for a set time)')
    .argument('<flow>', 'the flow file (JSON)')
    .addOption(forOption())
    .addOption(nodesDirOption())
    .addOption(dataDirOption())
    .addOption(filesDirOption())
    .addOption(contextLimitsOption())
    .addOption(logLevelOption())
    .addOption(logFormatOption())
    .addHelpText(
      'after',
      `
Debug values are printed on stdout, one JSON object per line:
  {"time":"2026-01-01T08:00:00.000Z","node":"show","data":12.5}
File paths in the flow (file-out, replay files) are relative to the files folder:
<data dir>/files, or --files-dir. Variables (\${NAME} in configs) take the values set in
the data dir (tagflow var set NAME VALUE --data-dir ...). The log (start, stop, warnings, node errors) goes to stderr, so stdout can be piped: readable
lines on a terminal, JSON lines otherwise. Node statuses are logged at --log-level debug.

Examples:
  $ tagflow run pump-monitor.json
  $ tagflow run pump-monitor.json --for 30s > values.jsonl
  $ tagflow run flow.json --nodes-dir ../my-nodes --log-level debug
  $ tagflow run flow.json --nodes-dir .      with this folder's node packages (a project, or one being written)
  $ tagflow run mqtt-bridge.json --data-dir /var/lib/tagflow
  $ tagflow run replay.json --files-dir ./recordings`,
    )
    .action((file: string, options: RunOptions) => withLog(options, (log) => runFlow(file, options, log)));
}

async function runFlow(file: string, options: RunOptions, log: RuntimeLogger): Promise<void> {
  // What the flow writes into the data dir (buffers, history) is for this user only. Unlike
  // `tagflow start`, run does not change files it did not make: it may be given any folder.
  usePrivateUmask();
  const filesDir = filesFolder(options);
  const flow = await readFlowFile(file);
  const { registry, report, searchDirs } = await loadRegistry(options.nodesDir);
  // Started with the snapshot (bin/tagflow.js), faster; again without it when the flow needs that.
  if (snapshotOn() && flowNeedsNoSnapshot(flow, registry)) process.exit(await restartWithoutSnapshot());
  logDiscoveryProblems(log, report);

  const engine = new Engine({
    registry,
    logger: log,
    dataDir: options.dataDir,
    filesDir,
    context: { limits: options.contextLimits },
    settleMemoryAfterMs: SETTLE_MEMORY_AFTER_MS,
  });
  const output = debugOutput();
  engine.on('debug', output.write);
  engine.on('status', statusLogger(log));

  // Listening before the deploy: sources start inside it, and Ctrl-C then must close them too.
  const stop = waitForStop({
    durationMs: options.for,
    signal: output.closed,
    onForce: () => log.warn({}, 'stopping now, without waiting for nodes to close'),
  });
  // The data dir's variables (tagflow var set --data-dir), as tagflow start would resolve them.
  const variables = existsSync(join(options.dataDir, 'variables.json'))
    ? (await VariableStore.open(options.dataDir)).all()
    : {};
  const result = await engine.deploy(flow, { variables });
  logIssues(log, 'warn', result.warnings);
  if (!result.ok) {
    stop.cancel();
    logIssues(log, 'error', result.errors);
    const loaded = new Set(report.packages.map((p) => p.name));
    for (const hint of workingFolderHints(result.errors, flow, searchDirs, loaded)) log.warn({}, hint);
    throw new CliError(`the flow was not started: ${count(result.errors.length, 'error')}`);
  }
  const nodeCount = engine.currentFlow?.nodes.length ?? 0;
  const until = options.for === undefined ? 'press Ctrl-C to stop' : `stopping in ${formatMs(options.for)}`;
  log.info(
    { flowId: result.flowId, nodes: nodeCount },
    `flow "${result.flowId}" running: ${count(nodeCount, 'node')}; ${until}`,
  );

  const reason = await stop.reason;
  log.info({ reason }, stopMessage(reason, output.closed.reason));
  await engine.stop();
  log.flush();
  log.info({}, 'stopped');
  const failure = output.closed.reason as NodeJS.ErrnoException | undefined;
  // A reader that goes away (`| head`) is a normal way to end; a full disk is not.
  if (failure && failure.code !== 'EPIPE')
    throw new CliError(`cannot write the debug values to stdout: ${failure.message}`);
}

function stopMessage(reason: StopReason, closedBy: unknown): string {
  if (reason === 'timeout') return 'time is up; stopping the flow';
  if (reason === 'aborted') {
    return (closedBy as NodeJS.ErrnoException | undefined)?.code === 'EPIPE'
      ? 'stdout was closed; stopping the flow'
      : 'cannot write to stdout; stopping the flow';
  }
  return `${reason} received; stopping the flow`;
}
