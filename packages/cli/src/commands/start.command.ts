import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { editorDist } from '@tagflow/editor';
import { isRecord } from '@tagflow/flow-model';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import {
  AuditLog,
  BootRecord,
  DEFAULT_AUDIT_FILES,
  DEFAULT_AUDIT_MAX_BYTES,
  DEFAULT_ENGINE_MEMORY_MB,
  DEFAULT_WATCHDOG_MS,
  EngineSupervisor,
  ENV_SECRET_PREFIX,
  FlowsStore,
  RuntimeFlows,
  PackageManager,
  SAFE_START_REASON,
  SecretStore,
  VariableStore,
  startAdminServer,
  TokenStore,
  usePrivateUmask,
} from '@tagflow/runtime';
import type { ContextLimits, EngineLogger, RuntimeLogger } from '@tagflow/runtime';
import { SETTLE_MEMORY_AFTER_MS, settleMemoryAfter } from '@tagflow/runtime/engine';
import { contextLimitsOption } from '../context-limits-option';
import { CliError } from '../cli-error';
import { logIssues, withLog } from '../cli-logger';
import type { LogOptions } from '../cli-logger';
import { loadRegistry, logDiscoveryProblems } from '../load-registry';
import { readFlowFile } from '../read-flow-file';
import { cliVersion } from '../cli-version';
import { count } from '../format-text';
import {
  dataDirOption,
  filesDirOption,
  filesFolder,
  logFormatOption,
  logLevelOption,
  nodesDirOption,
} from '../shared-options';
import { waitForStop } from '../wait-for-stop';
import { makeDataDirPrivate } from '../private-data-dir';

/** Environment variables a flow may read as secrets under `tagflow start`. */
export { ENV_SECRET_PREFIX };

/** The admin API's default port: not Node-RED's 1880, so both can run on one box during a migration. */
export const DEFAULT_PORT = 1990;

interface StartOptions extends LogOptions {
  dataDir: string;
  filesDir?: string;
  host: string;
  port: number;
  flow?: string;
  nodesDir: string[];
  tlsCert?: string;
  tlsKey?: string;
  safe?: boolean;
  watchdogMs: number;
  engineMemoryMb: number;
  stopTimeoutMs: number;
  auditMaxMb: number;
  auditFiles: number;
  contextLimits?: Partial<ContextLimits>;
}

/** The longest a stop may take: the flow closes gracefully within it, else its engine process is killed. */
export const DEFAULT_STOP_TIMEOUT_MS = 8000;

/** `tagflow start`: the runtime as a long-lived service with its admin API. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the runtime as a service: the last deployed flow, and the admin API for deploys')
    .addOption(dataDirOption())
    .addOption(filesDirOption())
    .option('--host <address>', 'address the admin API listens on (loopback only by default)', '127.0.0.1')
    .addOption(new Option('--port <number>', 'port of the admin API').argParser(port).default(DEFAULT_PORT))
    .option('--flow <file>', 'flow to run when the data dir has none yet (first start)')
    .addOption(nodesDirOption())
    .option('--tls-cert <file>', 'serve the admin API over HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .option('--safe', 'safe mode: start the admin API and no flow, until a deploy or rollback')
    .addOption(
      new Option('--watchdog-ms <ms>', 'end the engine when it sends no heartbeat for this long (it is stuck)')
        .argParser(atLeast('--watchdog-ms', 500))
        .default(DEFAULT_WATCHDOG_MS),
    )
    .addOption(
      new Option('--engine-memory-mb <mb>', 'end the engine when its memory passes this (also its V8 heap cap)')
        .argParser(atLeast('--engine-memory-mb', 64))
        .default(DEFAULT_ENGINE_MEMORY_MB),
    )
    .addOption(
      new Option('--stop-timeout-ms <ms>', 'on SIGTERM, time the flow gets to close before its engine is killed')
        .argParser(atLeast('--stop-timeout-ms', 100))
        .default(DEFAULT_STOP_TIMEOUT_MS),
    )
    .addOption(
      new Option('--audit-max-mb <mb>', 'start a new audit log file before audit.log passes this size')
        .argParser(auditMaxMb)
        .default(DEFAULT_AUDIT_MAX_BYTES / 1024 / 1024),
    )
    .addOption(
      new Option('--audit-files <n>', 'audit log files kept (audit.log, audit.log.1 ...); the oldest is dropped')
        .argParser(atLeast('--audit-files', 1))
        .default(DEFAULT_AUDIT_FILES),
    )
    .addOption(contextLimitsOption())
    .addOption(logLevelOption())
    .addOption(logFormatOption())
    .addHelpText(
      'after',
      `
On the first start, an admin token is created and printed once (stored only as a hash in
<data dir>/tokens.json): keep it, or create others with "tagflow token create". Every API
call needs a token; only GET /healthz does not. SIGTERM or Ctrl-C stop it cleanly: the flow
gets --stop-timeout-ms to close, then its engine process is killed.

The admin API starts first; the flow runs in a separate engine process, watched: an engine that
sends no heartbeat for --watchdog-ms (a loop, a blocking node) or passes --engine-memory-mb is
ended and started again with the last version that ran healthily (a minute, or a deploy's health
window), saved as a new version with the reason in its note and in the audit log. A version that
ends within its first minute more than twice in a row is not started again; with no healthy
version to go back to, no flow runs ("safe mode", in GET /api/status and tagflow status) until a
deploy or rollback. --safe starts in safe mode.

The log on stderr holds start, deploys, rollbacks, stop, connections made and lost, warnings and
errors (at most 10 lines a minute per node or resource, then a count of the rest): readable lines
on a terminal, JSON lines otherwise. Node statuses and debug values are in the admin API and the
editor, not in the log.

Flow state (context: node, flow, global) is kept in <data dir>/context, written within a second
of a change; it survives restarts and redeploys. GET /api/context shows it.

Examples:
  $ tagflow start --flow pump-monitor.json
  $ tagflow start --data-dir /var/lib/tagflow --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem
  $ tagflow start --safe
  $ tagflow start --watchdog-ms 10000 --engine-memory-mb 512
  $ tagflow start --log-level warn`,
    )
    .action((options: StartOptions) => withLog(options, (log) => start(options, log)));
}

async function start(options: StartOptions, log: RuntimeLogger): Promise<void> {
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined))
    throw new CliError('--tls-cert and --tls-key go together: give both, or neither');
  const tls =
    options.tlsCert && options.tlsKey ? { cert: readPem(options.tlsCert), key: readPem(options.tlsKey) } : undefined;
  const { dataDir } = options;
  // The data dir is for this user only: what the runtime, its engine and npm create in it from
  // now on, and what an older version or a hand left open to others (before anything opens it).
  usePrivateUmask();
  await makeDataDirPrivate(dataDir, log);
  const filesDir = filesFolder(options);
  const [store, tokens, secrets, variables, audit, record] = await Promise.all([
    FlowsStore.open(dataDir),
    TokenStore.open(dataDir),
    SecretStore.open(dataDir),
    VariableStore.open(dataDir),
    AuditLog.open(dataDir, { maxBytes: Math.round(options.auditMaxMb * 1024 * 1024), files: options.auditFiles }),
    BootRecord.open(dataDir),
  ]);

  for (const note of store.notes) log.info({}, note);
  const { registry, report, searchDirs } = await loadRegistry(options.nodesDir);
  logDiscoveryProblems(log, report);
  // The flow runs in its own process, built from the same node folders; the registry here serves
  // the palette and package checks. Node statuses are not logged: /api/status and the editor show them.
  const engine = new EngineSupervisor({
    searchDirs,
    dataDir,
    filesDir,
    logger: log,
    engineLogger: log.unlimited,
    logLevel: options.logLevel,
    watchdogMs: options.watchdogMs,
    memoryMb: options.engineMemoryMb,
    // Restarts and recovery resolve a stored flow's ${NAME} with the values of that moment.
    variables: () => variables.all(),
    contextLimits: options.contextLimits,
  });
  // It loads its node packages while the admin API starts here (the boot waits for it).
  engine.start().catch((err: unknown) => log.debug({ err }, 'the engine process is started again'));
  // Packages installed into the data dir (tagflow nodes install, /api/packages) come after the
  // built-in ones; the engine process loads them too, so they count from the next deploy.
  const packages = await PackageManager.open({
    dataDir,
    registry,
    audit,
    logger: log,
    removeLeftovers: true,
    runningFlows: () => engine.flowIds().flatMap((id) => engine.runningFlow(id) ?? []),
    onChange: (change) =>
      change.kind === 'installed' ? engine.loadPackage(change.dir) : engine.unloadPackage(change.name),
  });
  logDiscoveryProblems(log, packages.report);
  // Each flow has its own history, deployer (health gate) and recovery over the one engine process.
  const flows = await RuntimeFlows.open({
    store,
    supervisor: engine,
    audit,
    logger: log,
    record,
    secretBindings: { registry, secrets },
    variables,
  });

  const stop = waitForStop({ onForce: () => log.warn({}, 'stopping now, without waiting for nodes to close') });
  // Before the API listens: whoever sees /healthz answer can use the API with it.
  if (tokens.isEmpty()) {
    const { token } = await tokens.create('admin', 'first-admin');
    await audit.append({ type: 'token-created', actor: 'start', detail: 'first admin token created on first start' });
    process.stdout.write(`admin token: ${token}\n`);
    log.info(
      {},
      'the admin token on stdout is shown this once: keep it safe. More: tagflow token create --role viewer|deployer|admin',
    );
  }
  // The admin API listens first; the flow starts after it, in its engine process: whatever the
  // flow does, /healthz, deploys and rollbacks answer.
  const server = await listenOrExplain(
    options,
    () =>
      startAdminServer(
        {
          engine,
          registry,
          runtime: flows,
          tokens,
          secrets,
          variables,
          audit,
          packages,
          logger: log,
          version: cliVersion(),
          onLog: (listener) => log.onLog(listener),
        },
        { host: options.host, port: options.port, tls },
        { editorDir: builtEditor() },
      ),
    () => engine.shutdown(options.stopTimeoutMs),
  );
  flows.broadcast = (frame) => server.hub.broadcast(frame);
  // Bounded even for a flow that hangs its engine at once: the watchdog ends it, recovery decides.
  const booted = await Promise.race([
    bootFlow({ engine, flows, log, file: options.flow, safe: options.safe === true }).then(
      () => 'booted' as const,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    ),
    stop.reason,
  ]);
  if (booted instanceof Error) {
    await server.close();
    await engine.shutdown(options.stopTimeoutMs);
    throw booted;
  }
  if (booted === 'booted') {
    await audit.append({ type: 'start', actor: 'cli', detail: `runtime started, admin API on ${server.url}` });
    log.info(
      { version: cliVersion(), url: server.url, dataDir },
      `tagflow runtime ${cliVersion()} started; admin API on ${server.url}; data dir ${dataDir}`,
    );
    if (builtEditor()) log.info({}, `editor: ${server.url}/ (sign in with an admin, deployer or viewer token)`);
    // The supervisor's own start-up garbage (the admin server, the registry); the engine process
    // settles its own after each deploy.
    settleMemoryAfter(SETTLE_MEMORY_AFTER_MS);
  }

  const reason = await stop.reason;
  log.info({ reason }, `stopping (${reason})`);
  await server.close();
  await engine.shutdown(options.stopTimeoutMs);
  await flows.stopped();
  await audit.append({ type: 'stop', actor: 'cli', detail: `runtime stopped (${reason})` });
  log.flush();
  log.info({}, 'stopped');
}

/**
 * Starts the admin API; a port that is taken or not allowed is the user's to fix, so it becomes a
 * plain error (after the running flow is stopped) instead of an unexpected failure with a stack.
 */
async function listenOrExplain<T>(
  where: { host: string; port: number },
  listen: () => Promise<T>,
  stopFlow: () => Promise<unknown>,
): Promise<T> {
  try {
    return await listen();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw err;
    await stopFlow();
    const address = `${where.host}:${where.port}`;
    if (code === 'EADDRINUSE')
      throw new CliError(
        `the admin API cannot listen on ${address}: another program uses that port. Stop it, or choose another with --port.`,
      );
    if (code === 'EACCES')
      throw new CliError(
        `the admin API cannot listen on ${address}: this user may not open that port. Choose one above 1023 with --port.`,
      );
    throw new CliError(`the admin API cannot listen on ${address}: this machine has no such address. Check --host.`);
  }
}

/** Runs what safe boot chooses from the data dir, or on a first start the --flow file as version 1. */
async function bootFlow(ctx: {
  engine: EngineSupervisor;
  flows: RuntimeFlows;
  log: EngineLogger;
  file?: string;
  safe: boolean;
}): Promise<void> {
  const { log } = ctx;
  // Shown from the first moment: the engine process may take a while to load its packages.
  if (ctx.safe) ctx.engine.enterSafeMode(SAFE_START_REASON);
  const hadFlow = await ctx.flows.boot({ safe: ctx.safe });
  if (hadFlow) {
    if (ctx.file)
      log.warn(
        {},
        `--flow ${ctx.file} ignored: ${ctx.safe ? 'started with --safe' : 'the data dir already has a flow (deploy it through the admin API to replace it)'}`,
      );
    return;
  }
  if (!ctx.file) {
    log.warn({}, 'no flow yet: deploy one through the admin API (tagflow deploy), or start with --flow FILE');
    return;
  }
  // The deployer logs the deploy, with its version.
  const flow = await readFlowFile(ctx.file);
  const id = isRecord(flow) && typeof flow.id === 'string' ? flow.id : '';
  let deployer;
  try {
    deployer = (await ctx.flows.open(id)).deployer;
  } catch (err) {
    throw new CliError(`${ctx.file} cannot start: ${(err as Error).message}`);
  }
  const outcome = await deployer.deploy(flow, { by: 'cli', expectedVersion: 0 });
  if (outcome.status === 'rejected') {
    logIssues(log, 'error', outcome.errors);
    throw new CliError(`${ctx.file} cannot start: ${count(outcome.errors.length, 'error')}`);
  }
}

/** The built editor's folder, when the editor package is installed and built. */
function builtEditor(): string | undefined {
  return existsSync(join(editorDist, 'index.html')) ? editorDist : undefined;
}

function readPem(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('Use a port number from 0 to 65535 (0: any free port).');
  return n;
}

function auditMaxMb(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.001)
    throw new InvalidArgumentError('--audit-max-mb takes a size in MB, e.g. 10 or 0.5.');
  return n;
}

function atLeast(flag: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} takes a whole number from ${min} up.`);
    return n;
  };
}
