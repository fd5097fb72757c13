import { rawEdgeId } from './edges';
import { flowErrors } from './error-codes';
import {
  formatBytes,
  MAX_EDGES,
  MAX_FLOW_BYTES,
  MAX_ID_LENGTH,
  MAX_JSON_DEPTH,
  MAX_NODES,
  MAX_RESOURCES,
  MAX_STRING_LENGTH,
} from './flow-limits';
import { edgeSubject, nodeSubject, pointerSegment, resourceSubject } from './issues';
import type { FlowModelIssue } from './issues';
import { isRecord } from './object-guards';

/**
 * At most this many limit issues are reported: a flow of 100,000 bad numbers needs the first few,
 * not a 10 MB answer.
 */
const MAX_LIMIT_ISSUES = 20;

/** Paths longer than this are cut in issues (64 levels of long field names would make megabytes). */
const MAX_PATH_LENGTH = 1_000;

/**
 * Checks a parsed flow against the size limits (`flow-limits.ts`): nesting depth, node, edge and
 * resource counts, id and text lengths, and numbers JSON cannot hold (1e400 parses as Infinity,
 * which would be saved as `null`). Iterative and O(size of the input), so it is safe and fast on
 * any input: run it before anything recursive (the schema validator, copies, comparisons) sees
 * the flow. Returns no issue for a flow within the limits, whatever else is wrong with it.
 */
export function checkFlowLimits(input: unknown): FlowModelIssue[] {
  const issues = new LimitIssues(input);
  if (isRecord(input)) {
    checkCount(input, 'nodes', MAX_NODES, flowErrors.code.TOO_MANY_NODES, issues);
    checkCount(input, 'edges', MAX_EDGES, flowErrors.code.TOO_MANY_EDGES, issues);
    checkCount(input, 'resources', MAX_RESOURCES, flowErrors.code.TOO_MANY_RESOURCES, issues);
    // Too many items is reason enough, and answers at once: 100,000 nodes are not walked.
    if (issues.list.length > 0) return issues.list;
    checkIds(input, issues);
  }
  walk(input, issues);
  return issues.list;
}

/** The issue for a flow file or request body of `bytes` bytes, when that is over `MAX_FLOW_BYTES`. */
export function flowSizeIssue(bytes: number): FlowModelIssue | undefined {
  if (bytes <= MAX_FLOW_BYTES) return undefined;
  return {
    code: flowErrors.code.FLOW_TOO_LARGE,
    path: '',
    message: `the flow is ${formatBytes(bytes)}; a flow may be at most ${formatBytes(MAX_FLOW_BYTES)}`,
  };
}

/** UTF-8 length of a text, counted without encoding it (flow-model runs in browsers too). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

function checkCount(
  flow: Record<string, unknown>,
  field: 'nodes' | 'edges' | 'resources',
  max: number,
  code: FlowModelIssue['code'],
  issues: LimitIssues,
): void {
  const items = flow[field];
  if (!Array.isArray(items) || items.length <= max) return;
  issues.add({
    code,
    path: `/${field}`,
    message: `/${field} has ${items.length.toLocaleString('en-US')} ${field}; a flow may have at most ${max.toLocaleString('en-US')}`,
  });
}

/** The fields that name things, by where they are. */
const ID_FIELDS = {
  nodes: ['id', 'type'],
  resources: ['id', 'type'],
  edges: ['id', 'source', 'sourcePort', 'target', 'targetPort'],
} as const;

function checkIds(flow: Record<string, unknown>, issues: LimitIssues): void {
  checkId(flow.id, '/id', issues);
  for (const section of ['resources', 'nodes', 'edges'] as const) {
    const items = flow[section];
    if (!Array.isArray(items)) continue;
    for (let index = 0; index < items.length && !issues.full(); index++) {
      const item: unknown = items[index];
      if (!isRecord(item)) continue;
      for (const field of ID_FIELDS[section]) checkId(item[field], `/${section}/${index}/${field}`, issues);
    }
  }
}

function checkId(value: unknown, path: string, issues: LimitIssues): void {
  if (typeof value !== 'string' || value.length <= MAX_ID_LENGTH) return;
  const field = path.slice(path.lastIndexOf('/') + 1);
  const what = field === 'type' ? 'type names' : field.endsWith('Port') ? 'port names' : 'ids';
  issues.add({
    code: flowErrors.code.ID_TOO_LONG,
    path,
    message: `${path} is ${value.length.toLocaleString('en-US')} characters long; ${what} may be at most ${MAX_ID_LENGTH} characters`,
  });
}

/** One object or list being walked: `keys` is undefined for a list. */
interface Frame {
  value: Record<string, unknown> | unknown[];
  keys: string[] | undefined;
  next: number;
  /** The key or index this value was reached by (empty for the root); escaped only for a report. */
  segment: string;
}

/** Depth-first walk with an explicit stack, so no input can exhaust the call stack. */
function walk(root: unknown, issues: LimitIssues): void {
  const stack: Frame[] = [];
  const pathOf = (leaf?: string): string =>
    stack
      .slice(1)
      .map((f) => `/${pointerSegment(f.segment)}`)
      .join('') + (leaf === undefined ? '' : `/${pointerSegment(leaf)}`);

  const visit = (value: unknown, segment: string): void => {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) issues.add(nonFiniteIssue(value, pathOf(segment)));
      return;
    }
    if (typeof value === 'string') {
      if (value.length > MAX_STRING_LENGTH) {
        const path = pathOf(segment);
        issues.add({
          code: flowErrors.code.TEXT_TOO_LONG,
          path,
          message: `${where(path)} is a text of ${value.length.toLocaleString('en-US')} characters; texts may be at most ${MAX_STRING_LENGTH.toLocaleString('en-US')} characters`,
        });
      }
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    // The root is level 1, so the stack holds `depth - 1` frames before this one is pushed.
    if (stack.length >= MAX_JSON_DEPTH) {
      const path = pathOf(segment);
      issues.add({
        code: flowErrors.code.NESTED_TOO_DEEP,
        path,
        message: `${where(path)} is nested more than ${MAX_JSON_DEPTH} levels deep (objects and lists inside each other); a flow may nest at most ${MAX_JSON_DEPTH} levels`,
      });
      return;
    }
    const keys = Array.isArray(value) ? undefined : Object.keys(value);
    if (keys) {
      for (const key of keys) {
        if (key.length <= MAX_STRING_LENGTH) continue;
        const path = pathOf(segment);
        issues.add({
          code: flowErrors.code.TEXT_TOO_LONG,
          path,
          message: `${where(path)} has a field name of ${key.length.toLocaleString('en-US')} characters; texts may be at most ${MAX_STRING_LENGTH.toLocaleString('en-US')} characters`,
        });
      }
    }
    stack.push({ value: value as Frame['value'], keys, next: 0, segment });
  };

  visit(root, '');
  while (stack.length > 0 && !issues.full()) {
    const frame = stack[stack.length - 1];
    const size = frame.keys ? frame.keys.length : (frame.value as unknown[]).length;
    if (frame.next >= size) {
      stack.pop();
      continue;
    }
    const index = frame.next++;
    if (frame.keys) {
      const key = frame.keys[index];
      visit((frame.value as Record<string, unknown>)[key], key);
    } else {
      visit((frame.value as unknown[])[index], String(index));
    }
  }
}

function nonFiniteIssue(value: number, path: string): FlowModelIssue {
  const what = Number.isNaN(value)
    ? 'is NaN (not a number), which a flow file cannot hold'
    : value > 0
      ? 'is too large for a number (a value like 1e400 reads as Infinity); numbers may be at most about 1.8e308'
      : 'is too far below zero for a number (a value like -1e400 reads as -Infinity); numbers may be at least about -1.8e308';
  return { code: flowErrors.code.NUMBER_NOT_FINITE, path, message: `${where(path)} ${what}` };
}

const SINGULAR: Record<string, string> = { nodes: 'node', resources: 'resource', edges: 'edge' };

/** The issues found so far, each message prefixed with the node, edge or resource it is in. */
class LimitIssues {
  readonly list: FlowModelIssue[] = [];
  private readonly paths = new Set<string>();

  constructor(private readonly flow: unknown) {}

  full(): boolean {
    return this.list.length >= MAX_LIMIT_ISSUES;
  }

  /** Adds an issue unless the list is full or an issue already points at the same path (an id too long is also a text too long). */
  add(issue: FlowModelIssue): void {
    if (this.full() || this.paths.has(issue.path)) return;
    this.paths.add(issue.path);
    const path = shortPath(issue.path);
    const message = path === issue.path ? issue.message : issue.message.split(issue.path).join(path);
    this.list.push({ ...issue, path, message: `${this.subjectOf(path)}: ${message}`, ...this.idsOf(path) });
  }

  flowSubject(): string {
    const id = isRecord(this.flow) ? this.flow.id : undefined;
    return typeof id === 'string' && id.length <= MAX_ID_LENGTH ? `flow ${JSON.stringify(id)}` : 'flow';
  }

  private item(path: string): { section: string; index: number; item: Record<string, unknown> } | undefined {
    const match = /^\/(nodes|edges|resources)\/(\d+)(?:\/|$)/.exec(path);
    if (!match || !isRecord(this.flow)) return undefined;
    const items = this.flow[match[1]];
    const item: unknown = Array.isArray(items) ? items[Number(match[2])] : undefined;
    return isRecord(item) ? { section: match[1], index: Number(match[2]), item } : undefined;
  }

  private subjectOf(path: string): string {
    const found = this.item(path);
    if (!found) return this.flowSubject();
    const { section, index, item } = found;
    if (typeof item.id === 'string' && item.id.length > MAX_ID_LENGTH) {
      // Named by position: the id is what is wrong, and quoting it would make the message as long.
      const name = `${SINGULAR[section]} #${index + 1}`;
      const type = shortId(item.type);
      return type === undefined || section === 'edges' ? name : `${name} (${type})`;
    }
    const id = shortId(item.id);
    if (section === 'nodes') return nodeSubject(id, shortId(item.type), index);
    if (section === 'resources') return resourceSubject(id, shortId(item.type), index);
    return edgeSubject(safeEdgeId(item), index);
  }

  private idsOf(path: string): Pick<FlowModelIssue, 'nodeId' | 'edgeId' | 'resourceId'> {
    const found = this.item(path);
    if (!found) return {};
    const id = shortId(found.item.id);
    if (found.section === 'nodes') return id === undefined ? {} : { nodeId: id };
    if (found.section === 'resources') return id === undefined ? {} : { resourceId: id };
    const edgeId = safeEdgeId(found.item);
    return edgeId === undefined ? {} : { edgeId };
  }
}

/** An edge's id or key, unless a part of it is over the limit (the message would be as long). */
function safeEdgeId(edge: Record<string, unknown>): string | undefined {
  const parts = [edge.id, edge.source, edge.sourcePort, edge.target, edge.targetPort];
  return parts.some((p) => typeof p === 'string' && p.length > MAX_ID_LENGTH) ? undefined : rawEdgeId(edge);
}

/** An id fit to name something in a message: a string within the id limit. */
function shortId(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_ID_LENGTH ? value : undefined;
}

/** A path as messages write it: the root is "the flow". */
function where(path: string): string {
  return path === '' ? 'the flow' : path;
}

function shortPath(path: string): string {
  if (path.length <= MAX_PATH_LENGTH) return path;
  const cut = path.lastIndexOf('/', MAX_PATH_LENGTH);
  return `${path.slice(0, cut > 0 ? cut : MAX_PATH_LENGTH)}/...`;
}
