import { Option } from 'commander';
import type { Command } from 'commander';
import { AuditLog, TokenStore } from '@tagflow/runtime';
import type { Role } from '@tagflow/runtime';
import { CliError } from '../cli-error';
import { formatTable } from '../format-text';
import { dataDirOption } from '../shared-options';

/** `tagflow token create|revoke|list`: admin API tokens of the runtime whose data dir this is. */
export function registerTokenCommand(program: Command): void {
  const token = program
    .command('token')
    .description("manage the admin API's tokens (in the data dir; a running runtime picks changes up at once)")
    .addHelpText(
      'after',
      `
Roles: viewer (read flow, status, metrics, events), deployer (also deploy and roll back),
admin (also tokens, secrets, audit log). A token is shown once, when created; only its hash
is stored.

Examples:
  $ tagflow token create --role deployer --name ci-pipeline
  $ tagflow token list
  $ tagflow token revoke 3f9c2a`,
    );
  token
    .command('create')
    .description('create a token and print it (once)')
    .addOption(
      new Option('--role <role>', 'what the token may do')
        .choices(['viewer', 'deployer', 'admin'])
        .makeOptionMandatory(),
    )
    .requiredOption('--name <name>', 'who or what uses it, e.g. ci-pipeline (shown in the audit log)')
    .addOption(dataDirOption())
    .action(async (options: { role: Role; name: string; dataDir: string }) => {
      const [tokens, audit] = await Promise.all([TokenStore.open(options.dataDir), AuditLog.open(options.dataDir)]);
      const { info, token: value } = await tokens.create(options.role, options.name);
      await audit.append({
        type: 'token-created',
        actor: 'cli',
        detail: `token "${info.name}" (${info.role}) created`,
        data: { id: info.id },
      });
      process.stdout.write(`${value}\n`);
      process.stderr.write(`token ${info.id} "${info.name}" (${info.role}) created; it is shown only this once\n`);
    });
  token
    .command('revoke')
    .description('revoke a token by id (see tagflow token list)')
    .argument('<id>', 'the token id')
    .addOption(dataDirOption())
    .action(async (id: string, options: { dataDir: string }) => {
      const [tokens, audit] = await Promise.all([TokenStore.open(options.dataDir), AuditLog.open(options.dataDir)]);
      if (!(await tokens.revoke(id)))
        throw new CliError(`there is no token ${id} in ${options.dataDir} (tagflow token list shows them)`);
      await audit.append({ type: 'token-revoked', actor: 'cli', detail: `token ${id} revoked`, data: { id } });
      process.stderr.write(`token ${id} revoked\n`);
    });
  token
    .command('list')
    .description('list the tokens (ids, names, roles; never their values)')
    .addOption(dataDirOption())
    .action(async (options: { dataDir: string }) => {
      const tokens = await TokenStore.open(options.dataDir);
      const rows = tokens.list().map((t) => [t.id, t.name, t.role, t.createdAt]);
      process.stdout.write(
        formatTable([['id', 'name', 'role', 'created'], ...rows])
          .map((l) => `${l}\n`)
          .join(''),
      );
    });
}
