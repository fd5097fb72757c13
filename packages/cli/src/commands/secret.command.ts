import { Option } from 'commander';
import type { Command } from 'commander';
import { AuditLog, parseAllowList, SecretStore, unboundWarning } from '@tagflow/runtime';
import { CliError } from '../cli-error';
import { dataDirOption } from '../shared-options';

/** `tagflow secret set|delete|list`: secrets flows name (passwords, API tokens), encrypted in the data dir. */
export function registerSecretCommand(program: Command): void {
  const secret = program
    .command('secret')
    .description('manage the secrets flows refer to by name, kept encrypted in the data dir')
    .addHelpText(
      'after',
      `
A flow names a secret (e.g. "passwordEnv": "PLANT_MQTT_PASSWORD"); the runtime looks for it
here first, then in the environment. Values are read from stdin, never from the command
line (which other users of the machine can see), and are never shown again.

Bind a secret to the hosts it may be sent to with --allow host[:port] (no port: any port):
a deploy (and tagflow validate --data-dir) refuses a flow that would send it anywhere else.
Unbound, anyone allowed to deploy can make a flow send it to a host of their choosing.

Examples:
  $ printf '%s' "$PASSWORD" | tagflow secret set PLANT_MQTT_PASSWORD --allow broker.plant:1883
  $ printf '%s' "$TOKEN" | tagflow secret set INFLUX_TOKEN --allow influx.plant:8086,10.0.0.9:8086
  $ tagflow secret list`,
    );
  secret
    .command('set')
    .description('store a secret; the value is read from stdin')
    .argument('<name>', 'the name flows use, e.g. PLANT_MQTT_PASSWORD')
    .addOption(allowOption())
    .addOption(dataDirOption())
    .action(async (name: string, options: { dataDir: string; allow?: string[] }) => {
      const allow = options.allow;
      if (allow) checkAllowList(allow);
      const value = (await readStdin()).replace(/\r?\n$/, '');
      if (value === '')
        throw new CliError(
          'no value on stdin: pipe the secret in, e.g. printf %s "$PASSWORD" | tagflow secret set NAME',
        );
      const [secrets, audit] = await Promise.all([SecretStore.open(options.dataDir), AuditLog.open(options.dataDir)]);
      await secrets.set(name, value, allow);
      const bound = secrets.list().find((s) => s.name === name)?.allow;
      await audit.append({
        type: 'secret-set',
        actor: 'cli',
        detail: bound ? `secret ${name} set, allowed to ${bound.join(', ')}` : `secret ${name} set, unbound`,
      });
      process.stderr.write(
        `secret ${name} stored (encrypted) in ${options.dataDir}${bound ? `, may be sent only to ${bound.join(', ')}` : ''}\n`,
      );
      if (!bound) process.stderr.write(`warning: ${unboundWarning(name)}\n`);
    });
  secret
    .command('delete')
    .description('delete a secret')
    .argument('<name>')
    .addOption(dataDirOption())
    .action(async (name: string, options: { dataDir: string }) => {
      const [secrets, audit] = await Promise.all([SecretStore.open(options.dataDir), AuditLog.open(options.dataDir)]);
      if (!(await secrets.delete(name))) throw new CliError(`there is no secret ${name} in ${options.dataDir}`);
      await audit.append({ type: 'secret-deleted', actor: 'cli', detail: `secret ${name} deleted` });
      process.stderr.write(`secret ${name} deleted\n`);
    });
  secret
    .command('list')
    .description('list the secrets, each with the hosts it may be sent to (never their values)')
    .addOption(dataDirOption())
    .addHelpText(
      'after',
      `
One line per secret: its name, a tab, then its allowed hosts (comma-separated) or
"any host (unbound)".`,
    )
    .action(async (options: { dataDir: string }) => {
      const secrets = await SecretStore.open(options.dataDir);
      process.stdout.write(
        secrets
          .list()
          .map((s) => `${s.name}\t${s.allow ? s.allow.join(',') : 'any host (unbound)'}\n`)
          .join(''),
      );
    });
}

/** `--allow host[:port],...`, repeatable: the destinations a secret is bound to. */
function allowOption(): Option {
  return new Option(
    '--allow <host[:port],...>',
    'bind the secret: the only hosts (and ports) flows may send it to; repeatable or comma-separated',
  ).argParser((value: string, previous: string[] | undefined) => [
    ...(previous ?? []),
    ...value.split(',').map((entry) => entry.trim()),
  ]);
}

/** Refuses a bad entry before the value is read, in the store's own words. */
function checkAllowList(allow: string[]): void {
  try {
    parseAllowList(allow);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('type the secret, then Enter and Ctrl-D:\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
