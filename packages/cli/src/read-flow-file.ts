import { readFile } from 'node:fs/promises';
import { parseFlowJson } from '@tagflow/flow-model';
import { CliError } from './cli-error';

/** Reads and parses a flow file; a CliError says in plain words why it could not. */
export async function readFlowFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read flow file ${file}: ${fileErrorReason(err)}`);
  }
  const parsed = parseFlowJson(text);
  if (!parsed.ok) throw new CliError(`${file} is not valid JSON: ${parsed.error.message}`);
  return parsed.value;
}

function fileErrorReason(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
