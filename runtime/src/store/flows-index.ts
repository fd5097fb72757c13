import { ID_PATTERN } from '@tagflow/flow-model';
import { readJsonFile, writeFileAtomic } from './atomic-file';

/** The list of flows a runtime holds, in `<data dir>/flows/flows.json`. */
export const FLOWS_INDEX_FILE = 'flows.json';

/** One flow of the index. */
export interface FlowsIndexEntry {
  id: string;
  /** ISO 8601: when its first version was saved. */
  createdAt: string;
  /** Present (true) only for a disabled flow: it is not started at boot. */
  disabled?: true;
}

const idPattern = new RegExp(ID_PATTERN);
/** Names in `flows/` that are not flow folders: the index and its temporary file. */
const reservedNames = new Set([FLOWS_INDEX_FILE, `${FLOWS_INDEX_FILE}.tmp`]);

/** Why `id` cannot name a flow (and its folder), in plain words; undefined when it can. */
export function flowIdProblem(id: string): string | undefined {
  if (typeof id !== 'string' || !idPattern.test(id))
    return (
      `${JSON.stringify(id)} is not a valid flow id: use letters, digits, ".", "_" and "-", ` +
      'starting with a letter or a digit'
    );
  if (reservedNames.has(id))
    return `"${id}" cannot be a flow id: the runtime keeps its list of flows in a file of that name`;
  return undefined;
}

/** The flows listed in the index at `path`, or undefined when there is none; a damaged index is an error naming it. */
export async function readFlowsIndex(path: string): Promise<FlowsIndexEntry[] | undefined> {
  const content = await readJsonFile(path);
  return content === undefined ? undefined : checkFlowsIndex(content, path);
}

/** Replaces the index at `path` atomically. */
export async function writeFlowsIndex(path: string, flows: FlowsIndexEntry[]): Promise<void> {
  const content = {
    flows: flows.map(({ id, createdAt, disabled }) => ({ id, createdAt, ...(disabled && { disabled }) })),
  };
  await writeFileAtomic(path, `${JSON.stringify(content, null, 2)}\n`);
}

/** The content of flows.json, checked field by field so that a hand edit gone wrong is named, never reset. */
function checkFlowsIndex(content: unknown, path: string): FlowsIndexEntry[] {
  const damaged = (what: string) => new Error(`${path} is damaged: ${what}; restore it from a backup`);
  if (typeof content !== 'object' || content === null || Array.isArray(content)) throw damaged('expected an object');
  const { flows } = content as { flows?: unknown };
  if (!Array.isArray(flows)) throw damaged('"flows" is not a list');
  const seen = new Set<string>();
  return flows.map((entry: unknown, i): FlowsIndexEntry => {
    const at = `flows[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw damaged(`${at} is not an object`);
    const { id, createdAt, disabled } = entry as Record<string, unknown>;
    if (typeof id !== 'string') throw damaged(`${at}.id is not a string`);
    const problem = flowIdProblem(id);
    if (problem) throw damaged(`${at}.id: ${problem}`);
    if (seen.has(id)) throw damaged(`${at}.id "${id}" is listed twice`);
    seen.add(id);
    if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)))
      throw damaged(`${at}.createdAt is not a date`);
    if (disabled !== undefined && typeof disabled !== 'boolean') throw damaged(`${at}.disabled is not true or false`);
    return { id, createdAt, ...(disabled === true && { disabled: true as const }) };
  });
}
