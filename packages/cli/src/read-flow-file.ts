import { readFile, stat } from 'node:fs/promises';
import { flowErrors, flowSizeIssue, formatIssue, parseFlowJson } from '@tagflow/flow-model';
import { CliError } from './cli-error';

/**
 * Reads and parses a flow file; a CliError says in plain words why it could not. A file over the
 * flow size limit is refused before it is read, with the limit's words (`FLOW_TOO_LARGE`).
 */
export async function readFlowFile(file: string): Promise<unknown> {
  let text: string;
  try {
    const tooLarge = flowSizeIssue((await stat(file)).size);
    if (tooLarge) throw new CliError(`${file} is not a valid flow: ${formatIssue(tooLarge)}`);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read flow file ${file}: ${fileErrorReason(err)}`);
  }
  const parsed = parseFlowJson(text);
  if (!parsed.ok) {
    const invalidJson = parsed.error.code === flowErrors.code.INVALID_JSON;
    throw new CliError(
      invalidJson
        ? `${file} is not valid JSON: ${parsed.error.message}`
        : `${file} is not a valid flow: ${formatIssue(parsed.error)}`,
    );
  }
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
