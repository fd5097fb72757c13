import path from 'node:path';
import { ID_PATTERN } from '@tagflow/flow-model';
import { CliError, EXIT_USAGE } from '../cli-error';
import type { FlowToDeploy } from './deploy-plan';
import type { Fleet, FleetRuntime } from './fleet-file';

/** A file `tagflow deploy` read: a flow file holds one flow, a bundle (tagflow pack) one or more. */
export interface LoadedFile {
  /** The file as the user wrote it (argument, or relative to the working folder for a fleet file's). */
  label: string;
  flows: FlowToDeploy[];
  /** The bundle's bytes, sent to each runtime before its flows; absent for a flow file. */
  bundle?: Buffer;
}

/**
 * The files each runtime gets, as absolute paths: those given on the command line (every runtime
 * the same), else the fleet file's `flows` for each runtime. A CliError (usage) names the
 * runtimes that would get nothing.
 */
export function flowFilesFor(
  runtimes: readonly FleetRuntime[],
  files: readonly string[],
  fleet: Pick<Fleet, 'file'>,
  cwd: string = process.cwd(),
): Map<string, string[]> {
  if (files.length > 0) {
    const given = [...new Set(files.map((f) => path.resolve(cwd, f)))];
    return new Map(runtimes.map((r) => [r.name, given]));
  }
  const without = runtimes.filter((r) => (r.flows ?? []).length === 0).map((r) => r.name);
  if (without.length > 0) {
    const who =
      without.length === runtimes.length
        ? 'it lists none'
        : `${without.join(', ')} ${without.length === 1 ? 'has' : 'have'} none`;
    throw new CliError(
      `no flow to deploy: name flow files (tagflow deploy a.json b.json ...), or list them under "flows" in ${fleet.file}, for every runtime or per runtime; ${who}`,
      EXIT_USAGE,
    );
  }
  return new Map(runtimes.map((r) => [r.name, [...(r.flows ?? [])]]));
}

/** The id a flow is deployed by; a CliError when the flow has none a runtime can use. */
export function flowIdOf(flow: unknown, label: string): string {
  const id = (flow as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || !new RegExp(ID_PATTERN).test(id))
    throw new CliError(
      `${label} has no valid "id": a runtime knows each flow by its id (letters, digits, ".", "_" and "-", starting with a letter or digit)`,
    );
  return id;
}

/**
 * The flows of a runtime, in file order, and the bundles to send it first. Two files holding the
 * same flow id cannot both be deployed to one runtime (one would replace the other): a CliError
 * names them.
 */
export function flowsOfRuntime(
  runtime: string,
  files: readonly string[],
  loaded: ReadonlyMap<string, LoadedFile>,
): { flows: FlowToDeploy[]; bundles: Buffer[] } {
  const flows: FlowToDeploy[] = [];
  const bundles: Buffer[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const entry = loaded.get(file);
    if (!entry) throw new Error(`${file} was not loaded`);
    if (entry.bundle) bundles.push(entry.bundle);
    for (const flow of entry.flows) {
      const earlier = seen.get(flow.id);
      if (earlier !== undefined)
        throw new CliError(
          `${earlier} and ${entry.label} both hold the flow "${flow.id}" for ${runtime}: a runtime knows each flow by its id, so only one of them can be deployed there`,
        );
      seen.set(flow.id, entry.label);
      flows.push(flow);
    }
  }
  return { flows, bundles };
}
