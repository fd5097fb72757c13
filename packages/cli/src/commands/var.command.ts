import type { Command } from 'commander';
import { AuditLog, VariableStore, variableNameProblem } from '@tagflow/runtime';
import { CliError, EXIT_USAGE } from '../cli-error';
import { AdminClient, AdminError } from '../fleet/admin-client';
import { loadFleetFile } from '../fleet/fleet-file';
import { addSelectionOptions, fleetOption } from '../fleet/fleet-options';
import { selectRuntimes, withTokens } from '../fleet/select-targets';
import type { Selection, Target } from '../fleet/select-targets';
import { dataDirOption } from '../shared-options';

interface VarOptions extends Selection {
  dataDir: string;
  fleet?: string;
}

/** What a `var set` on a data dir says about a flow that runs with the old value. */
const NEXT_DEPLOY =
  'a running flow keeps the value it was deployed with: the new value counts from the next deploy (tagflow deploy, or PUT /api/flow with the same flow)';

/**
 * `tagflow var set|get|list|unset`: the runtime's variables, `${NAME}` in flow configs. Offline in
 * a data dir (`--data-dir`), or through the admin API of runtimes of the fleet file
 * (`--to`/`--label`/`--all`), as `tagflow status` reaches them.
 */
export function registerVarCommand(program: Command): void {
  const variable = program
    .command('var')
    .description("manage the runtime's variables, ${NAME} in node and resource configs (one flow, many sites)")
    .addHelpText(
      'after',
      `
A flow config may say "host": "\${PLC_HOST}": each runtime replaces it with its own value at
deploy (and at rollback and restart). The stored flow keeps the \${...} text, so the same file
serves every site. A field that is exactly "\${PORT}" and wants a number gets the value as a
number. Write $\${ for a literal \${. A variable is not a secret: use tagflow secret for passwords.

A new value counts from the next deploy of the flow; deploying the same flow again applies it.
Deploy and validate refuse a flow whose variables are not set, naming each one.

Without --to/--label/--all the data dir is changed directly (the runtime need not run);
with them, the runtimes of the fleet file are changed through their admin API (deployer token).

Examples:
  $ tagflow var set PLC_HOST 10.0.3.7
  $ tagflow var list
  $ tagflow var set LINE 3 --to plant-a-l3
  $ tagflow var list --all
  $ tagflow var unset PLC_HOST`,
    );
  remote(
    variable
      .command('set')
      .description('set a variable')
      .argument('<name>', 'letters, digits and _, e.g. PLC_HOST')
      .argument('<value>', 'the value, e.g. 10.0.3.7'),
  ).action(async (name: string, value: string, options: VarOptions) => {
    checkName(name);
    if (remoteSelected(options)) {
      await eachRuntime(options, async (client, target) => {
        const { note } = await client.setVariable(name, value);
        process.stderr.write(`${target.name}: variable ${name} set${note ? `; ${note}` : ''}\n`);
      });
      return;
    }
    const [store, audit] = await Promise.all([VariableStore.open(options.dataDir), AuditLog.open(options.dataDir)]);
    const before = store.get(name);
    await store.set(name, value);
    await audit.append({
      type: 'variable-set',
      actor: 'cli',
      detail: `set variable ${name} to ${JSON.stringify(value)}${before === undefined ? '' : ` (was ${JSON.stringify(before)})`}`,
      data: { name },
    });
    process.stderr.write(`variable ${name} set in ${options.dataDir}; ${NEXT_DEPLOY}\n`);
  });
  remote(variable.command('get').description("print a variable's value").argument('<name>')).action(
    async (name: string, options: VarOptions) => {
      checkName(name);
      if (remoteSelected(options)) {
        await eachRuntime(options, async (client, target) => {
          const value = (await client.variables())[name];
          process.stdout.write(`${target.name}\t${value ?? '(not set)'}\n`);
        });
        return;
      }
      const value = (await VariableStore.open(options.dataDir)).get(name);
      if (value === undefined) throw new CliError(`variable ${name} is not set in ${options.dataDir}`);
      process.stdout.write(`${value}\n`);
    },
  );
  remote(
    variable
      .command('list')
      .description('list the variables: NAME, a tab, the value')
      .addHelpText('after', '\nWith --to/--label/--all, each line starts with the runtime name and a tab.'),
  ).action(async (options: VarOptions) => {
    if (remoteSelected(options)) {
      await eachRuntime(options, async (client, target) => {
        const variables = await client.variables();
        process.stdout.write(
          Object.entries(variables)
            .map(([n, v]) => `${target.name}\t${n}\t${v}\n`)
            .join(''),
        );
      });
      return;
    }
    const variables = (await VariableStore.open(options.dataDir)).all();
    process.stdout.write(
      Object.entries(variables)
        .map(([n, v]) => `${n}\t${v}\n`)
        .join(''),
    );
  });
  remote(variable.command('unset').description('remove a variable').argument('<name>')).action(
    async (name: string, options: VarOptions) => {
      checkName(name);
      if (remoteSelected(options)) {
        await eachRuntime(options, async (client, target) => {
          const removed = await client.unsetVariable(name);
          process.stderr.write(`${target.name}: variable ${name} ${removed ? 'unset' : 'was not set'}\n`);
        });
        return;
      }
      const [store, audit] = await Promise.all([VariableStore.open(options.dataDir), AuditLog.open(options.dataDir)]);
      const before = store.get(name);
      if (!(await store.delete(name))) throw new CliError(`variable ${name} is not set in ${options.dataDir}`);
      await audit.append({
        type: 'variable-deleted',
        actor: 'cli',
        detail: `unset variable ${name} (was ${JSON.stringify(before)})`,
        data: { name },
      });
      process.stderr.write(
        `variable ${name} unset; a flow that uses it is refused at its next deploy until it is set again\n`,
      );
    },
  );
}

function remote(command: Command): Command {
  return addSelectionOptions(command).addOption(fleetOption()).addOption(dataDirOption());
}

function remoteSelected(options: VarOptions): boolean {
  return options.to !== undefined || options.label !== undefined || options.all === true;
}

function checkName(name: string): void {
  const problem = variableNameProblem(name);
  if (problem) throw new CliError(problem, EXIT_USAGE);
}

/** Runs `work` on every selected runtime, all of them even when one fails; fails after if any did. */
async function eachRuntime(
  options: VarOptions,
  work: (client: AdminClient, target: Target) => Promise<void>,
): Promise<void> {
  const fleet = await loadFleetFile(options.fleet);
  const targets = withTokens(selectRuntimes(fleet, options));
  const failed: string[] = [];
  for (const target of targets) {
    try {
      await work(new AdminClient(target), target);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      process.stderr.write(`${err.message}\n`);
      failed.push(target.name);
    }
  }
  if (failed.length > 0)
    throw new CliError(`${failed.length} of ${targets.length} runtimes failed: ${failed.join(', ')}`);
}
