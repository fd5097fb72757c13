import type { Command } from 'commander';
import { AuditLog, SecretStore } from '@tagflow/runtime';
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

Examples:
  $ printf '%s' "$PASSWORD" | tagflow secret set PLANT_MQTT_PASSWORD
  $ tagflow secret list`,
    );
  secret
    .command('set')
    .description('store a secret; the value is read from stdin')
    .argument('<name>', 'the name flows use, e.g. PLANT_MQTT_PASSWORD')
    .addOption(dataDirOption())
    .action(async (name: string, options: { dataDir: string }) => {
      const value = (await readStdin()).replace(/\r?\n$/, '');
      if (value === '')
        throw new CliError(
          'no value on stdin: pipe the secret in, e.g. printf %s "$PASSWORD" | tagflow secret set NAME',
        );
      const [secrets, audit] = await Promise.all([SecretStore.open(options.dataDir), AuditLog.open(options.dataDir)]);
      await secrets.set(name, value);
      await audit.append({ type: 'secret-set', actor: 'cli', detail: `secret ${name} set` });
      process.stderr.write(`secret ${name} stored (encrypted) in ${options.dataDir}\n`);
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
    .description('list the secret names (never their values)')
    .addOption(dataDirOption())
    .action(async (options: { dataDir: string }) => {
      const secrets = await SecretStore.open(options.dataDir);
      process.stdout.write(
        secrets
          .names()
          .map((n) => `${n}\n`)
          .join(''),
      );
    });
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('type the secret, then Enter and Ctrl-D:\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
