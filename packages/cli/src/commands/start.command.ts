import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { editorDist } from '@tagflow/editor';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import {
  AuditLog,
  Deployer,
  Engine,
  FlowStore,
  PackageManager,
  SecretStore,
  startAdminServer,
  TokenStore,
} from '@tagflow/runtime';
import type { EngineLogger, RuntimeLogger } from '@tagflow/runtime';
import { CliError } from '../cli-error';
import { logIssues, withLog } from '../cli-logger';
import type { LogOptions } from '../cli-logger';
import { loadRegistry, logDiscoveryProblems } from '../load-registry';
import { readFlowFile } from '../read-flow-file';
import { cliVersion } from '../cli-version';
import { count } from '../format-text';
import { dataDirOption, logFormatOption, logLevelOption, nodesDirOption } from '../shared-options';
import { waitForStop } from '../wait-for-stop';

/** Environment variables a flow may read as secrets under `tagflow start`. */
export const ENV_SECRET_PREFIX = 'TAGFLOW_';

/** The admin API's default port: not Node-RED's 1880, so both can run on one box during a migration. */
export const DEFAULT_PORT = 1990;

interface StartOptions extends LogOptions {
  dataDir: string;
  host: string;
  port: number;
  flow?: string;
  nodesDir: string[];
  tlsCert?: string;
  tlsKey?: string;
}

/** `tagflow start`: the runtime as a long-lived service with its admin API. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the runtime as a service: the last deployed flow, and the admin API for deploys')
    .addOption(dataDirOption())
    .option('--host <address>', 'address the admin API listens on (loopback only by default)', '127.0.0.1')
    .addOption(new Option('--port <number>', 'port of the admin API').argParser(port).default(DEFAULT_PORT))
    .option('--flow <file>', 'flow to run when the data dir has none yet (first start)')
    .addOption(nodesDirOption())
    .option('--tls-cert <file>', 'serve the admin API over HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .addOption(logLevelOption())
    .addOption(logFormatOption())
    .addHelpText(
      'after',
      `
On the first start, an admin token is created and printed once (stored only as a hash in
<data dir>/tokens.json): keep it, or create others with "tagflow token create". Every API
call needs a token; only GET /healthz does not. SIGTERM or Ctrl-C stop it cleanly.

The log on stderr holds start, deploys, rollbacks, stop, connections made and lost, warnings and
errors (at most 10 lines a minute per node or resource, then a count of the rest): readable lines
on a terminal, JSON lines otherwise. Node statuses and debug values are in the admin API and the
editor, not in the log.

Examples:
  $ tagflow start --flow pump-monitor.json
  $ tagflow start --data-dir /var/lib/tagflow --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem
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
  const [flows, tokens, secrets, audit] = await Promise.all([
    FlowStore.open(dataDir),
    TokenStore.open(dataDir),
    SecretStore.open(dataDir),
    AuditLog.open(dataDir),
  ]);

  const { registry, report } = await loadRegistry(options.nodesDir);
  logDiscoveryProblems(log, report);
  // Node statuses are not logged: they change at message rate; /api/status and the editor show them.
  const engine = new Engine({ registry, logger: log, dataDir, secret: (name) => resolveSecret(name, secrets, log) });
  // Packages installed into the data dir (tagflow nodes install, /api/packages) come after the
  // built-in ones; the engine reads the registry at each deploy, so they count from the first one.
  const packages = await PackageManager.open({
    dataDir,
    registry,
    audit,
    logger: log,
    removeLeftovers: true,
    runningFlow: () => engine.currentFlow,
  });
  logDiscoveryProblems(log, packages.report);
  const deployer = new Deployer({ engine, flows, audit, logger: log });

  const stop = waitForStop({ onForce: () => log.warn({}, 'stopping now, without waiting for nodes to close') });
  await bootFlow({ engine, flows, deployer, log, file: options.flow });

  if (tokens.isEmpty()) {
    const { token } = await tokens.create('admin', 'first-admin');
    await audit.append({ type: 'token-created', actor: 'start', detail: 'first admin token created on first start' });
    process.stdout.write(`admin token: ${token}\n`);
    log.info(
      {},
      'the admin token on stdout is shown this once: keep it safe. More: tagflow token create --role viewer|deployer|admin',
    );
  }
  const server = await listenOrExplain(
    options,
    () =>
      startAdminServer(
        {
          engine,
          registry,
          flows,
          tokens,
          secrets,
          audit,
          deployer,
          packages,
          logger: log,
          version: cliVersion(),
          onLog: (listener) => log.onLog(listener),
        },
        { host: options.host, port: options.port, tls },
        { editorDir: builtEditor() },
      ),
    () => engine.stop(),
  );
  await audit.append({ type: 'start', actor: 'cli', detail: `runtime started, admin API on ${server.url}` });
  log.info(
    { version: cliVersion(), url: server.url, dataDir },
    `tagflow runtime ${cliVersion()} started; admin API on ${server.url}; data dir ${dataDir}`,
  );
  if (builtEditor()) log.info({}, `editor: ${server.url}/ (sign in with an admin, deployer or viewer token)`);

  const reason = await stop.reason;
  log.info({ reason }, `stopping (${reason})`);
  await server.close();
  await engine.stop();
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

/** Runs the data dir's current flow, or on a first start the --flow file as version 1. */
async function bootFlow(ctx: {
  engine: Engine;
  flows: FlowStore;
  deployer: Deployer;
  log: EngineLogger;
  file?: string;
}): Promise<void> {
  const { log } = ctx;
  const current = ctx.flows.current();
  if (current) {
    const { version } = current.version;
    const result = await ctx.engine.deploy(current.flow);
    if (result.ok)
      log.info(
        { flowId: result.flowId, version },
        `running flow "${result.flowId}" version ${version} from the data dir`,
      );
    else {
      logIssues(log, 'error', result.errors);
      log.error(
        { version },
        `the stored flow version ${version} cannot start here (${count(result.errors.length, 'error')}); deploy a flow through the admin API`,
      );
    }
    if (ctx.file)
      log.warn(
        {},
        `--flow ${ctx.file} ignored: the data dir already has a flow (deploy it through the admin API to replace it)`,
      );
    return;
  }
  if (!ctx.file) {
    log.warn({}, 'no flow yet: deploy one through the admin API (tagflow deploy), or start with --flow FILE');
    return;
  }
  // The deployer logs the deploy, with its version.
  const outcome = await ctx.deployer.deploy(await readFlowFile(ctx.file), { by: 'cli', expectedVersion: 0 });
  if (outcome.status === 'rejected') {
    logIssues(log, 'error', outcome.errors);
    throw new CliError(`${ctx.file} cannot start: ${count(outcome.errors.length, 'error')}`);
  }
}

/**
 * A secret a flow names: from the secret store, else from an environment variable named TAGFLOW_*.
 * Other environment variables stay out of reach: a flow deployed through the API must not be able
 * to send, say, AWS_SECRET_ACCESS_KEY to a server of its author's choosing.
 */
function resolveSecret(name: string, secrets: SecretStore, logger: EngineLogger): string | undefined {
  const stored = secrets.get(name);
  if (stored !== undefined) return stored;
  if (name.startsWith(ENV_SECRET_PREFIX)) return process.env[name];
  if (process.env[name] !== undefined) {
    logger.warn(
      { secret: name },
      `secret "${name}" is not in the secret store, and environment variables not named ${ENV_SECRET_PREFIX}* are not given to flows: run "tagflow secret set ${name}"`,
    );
  }
  return undefined;
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
