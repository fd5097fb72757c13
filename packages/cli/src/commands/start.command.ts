import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { editorDist } from '@tagflow/editor';
import { isIP } from 'node:net';
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
import type { EngineLogger } from '@tagflow/runtime';
import { formatIssues } from '@tagflow/flow-model';
import { CliError } from '../cli-error';
import { createConsoleLogger } from '../console-logger';
import { discoveryWarnings, loadRegistry } from '../load-registry';
import { readFlowFile } from '../read-flow-file';
import { cliVersion } from '../cli-version';
import { statusPrinter, writeErr } from '../run-output';
import { dataDirOption, nodesDirOption } from '../shared-options';
import { waitForStop } from '../wait-for-stop';

/** Environment variables a flow may read as secrets under `tagflow start`. */
export const ENV_SECRET_PREFIX = 'TAGFLOW_';

/** The admin API's default port: not Node-RED's 1880, so both can run on one box during a migration. */
export const DEFAULT_PORT = 1990;

interface StartOptions {
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
    .addHelpText(
      'after',
      `
On the first start, an admin token is created and printed once (stored only as a hash in
<data dir>/tokens.json): keep it, or create others with "tagflow token create". Every API
call needs a token; only GET /healthz does not. SIGTERM or Ctrl-C stop it cleanly.

Examples:
  $ tagflow start --flow pump-monitor.json
  $ tagflow start --data-dir /var/lib/tagflow --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem`,
    )
    .action((options: StartOptions) => start(options));
}

async function start(options: StartOptions): Promise<void> {
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

  const logListeners = new Set<(record: { level: string; message: string; data?: Record<string, unknown> }) => void>();
  const logger = teeLogger(createConsoleLogger(writeErr), (record) => logListeners.forEach((l) => l(record)));
  const { registry, report } = await loadRegistry(options.nodesDir);
  for (const line of discoveryWarnings(report)) writeErr(line);
  const engine = new Engine({ registry, logger, dataDir, secret: (name) => resolveSecret(name, secrets, logger) });
  // Packages installed into the data dir (tagflow nodes install, /api/packages) come after the
  // built-in ones; the engine reads the registry at each deploy, so they count from the first one.
  const packages = await PackageManager.open({
    dataDir,
    registry,
    audit,
    logger,
    removeLeftovers: true,
    runningFlow: () => engine.currentFlow,
  });
  for (const line of discoveryWarnings(packages.report)) writeErr(line);
  engine.on('status', statusPrinter());
  const deployer = new Deployer({ engine, flows, audit, logger });

  const stop = waitForStop({ onForce: () => writeErr('stopping now, without waiting for nodes to close') });
  await bootFlow({ engine, flows, deployer, file: options.flow });

  if (tokens.isEmpty()) {
    const { token } = await tokens.create('admin', 'first-admin');
    await audit.append({ type: 'token-created', actor: 'start', detail: 'first admin token created on first start' });
    process.stdout.write(`admin token: ${token}\n`);
    writeErr('This admin token is shown once; keep it safe. More: tagflow token create --role viewer|deployer|admin');
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
          logger,
          version: cliVersion(),
          onLog: (listener) => (logListeners.add(listener), () => logListeners.delete(listener)),
        },
        { host: options.host, port: options.port, tls },
        { editorDir: builtEditor() },
      ),
    () => engine.stop(),
  );
  if (!tls && !isLoopback(options.host)) {
    writeErr(
      `warning: the admin API listens on ${options.host} without TLS: tokens and flows cross the network in clear. Use --tls-cert and --tls-key.`,
    );
  }
  await audit.append({ type: 'start', actor: 'cli', detail: `runtime started, admin API on ${server.url}` });
  writeErr(`tagflow runtime ${cliVersion()} started; admin API on ${server.url}; data dir ${dataDir}`);
  if (builtEditor()) writeErr(`editor: ${server.url}/ (sign in with an admin, deployer or viewer token)`);

  const reason = await stop.reason;
  writeErr(`stopping (${reason})`);
  await server.close();
  await engine.stop();
  await audit.append({ type: 'stop', actor: 'cli', detail: `runtime stopped (${reason})` });
  writeErr('stopped');
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
async function bootFlow(ctx: { engine: Engine; flows: FlowStore; deployer: Deployer; file?: string }): Promise<void> {
  const current = ctx.flows.current();
  if (current) {
    const result = await ctx.engine.deploy(current.flow);
    if (result.ok) writeErr(`running flow "${result.flowId}" version ${current.version.version} from the data dir`);
    else
      writeErr(
        `error: the stored flow version ${current.version.version} cannot start here:\n${formatIssues(result.errors)}\nDeploy a flow through the admin API.`,
      );
    if (ctx.file)
      writeErr(
        `note: --flow ${ctx.file} ignored: the data dir already has a flow (deploy it through the admin API to replace it)`,
      );
    return;
  }
  if (!ctx.file) {
    writeErr('no flow yet: deploy one through the admin API (tagflow deploy), or start with --flow FILE');
    return;
  }
  const outcome = await ctx.deployer.deploy(await readFlowFile(ctx.file), { by: 'cli', expectedVersion: 0 });
  if (outcome.status === 'rejected') throw new CliError(`${ctx.file} cannot start:\n${formatIssues(outcome.errors)}`);
  if (outcome.status === 'deployed')
    writeErr(`running flow "${outcome.version.flowId}" from ${ctx.file} as version ${outcome.version.version}`);
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

/** Sends every record to the console logger and to the admin API's log listeners. */
function teeLogger(
  base: EngineLogger,
  forward: (record: { level: string; message: string; data?: Record<string, unknown> }) => void,
): EngineLogger {
  const level = (name: keyof EngineLogger) => (obj: object, msg?: string) => {
    base[name](obj, msg);
    forward({ level: name, message: msg ?? '', data: safeData(obj) });
  };
  return { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') };
}

// Log fields may hold Error objects and other things JSON cannot carry.
function safeData(obj: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj))
    out[k] = v instanceof Error ? v.message : typeof v === 'bigint' ? String(v) : v;
  return out;
}

/** The built editor's folder, when the editor package is installed and built. */
function builtEditor(): string | undefined {
  return existsSync(join(editorDist, 'index.html')) ? editorDist : undefined;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
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
