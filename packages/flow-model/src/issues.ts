/**
 * Validation findings and how they are written for people. Every message names what is wrong
 * (node, edge or resource), the JSON path and what was expected, so a CLI can print it as is and
 * the editor can highlight the field from `path`.
 */

import type { FlowIssueCode } from './error-codes';

/** One problem found in a flow file, an error or a warning depending on the list holding it. */
export interface FlowIssue {
  /**
   * Stable, machine-readable code, e.g. `CONFIG_INVALID`: a `FlowIssueCode` from validation, or
   * one of the runtime's deploy codes (`deployErrors` in @tagflow/runtime).
   */
  code: string;
  /** Plain words, ready to show: names the node/edge/resource and what was expected (see `path`, `text`). */
  message: string;
  /**
   * JSON pointer from the flow's root to the offending value, e.g. `/nodes/1/config/window/count`:
   * a detail for people (the message of a config problem does not repeat it), a key for tools.
   */
  path: string;
  /** The label of the config field concerned, as the editor's form shows it (`High limit`). */
  field?: string;
  /**
   * What is wrong, without the node's name: the sentence shown beside the field
   * (`High limit must be a number, e.g. 42.5 (you typed "abc")`). Set for config problems and
   * warnings written for people; `message` is then `<subject>: <text>`.
   */
  text?: string;
  /** The node concerned, when there is one and it has an id. */
  nodeId?: string;
  /** The edge concerned (its `id`, or its generated key when it has none). */
  edgeId?: string;
  /** The resource concerned. */
  resourceId?: string;
  /** 1-based line of a JSON syntax error (only from `parseFlowJson`). */
  line?: number;
  /** 1-based column of a JSON syntax error (only from `parseFlowJson`). */
  column?: number;
}

/** An issue flow-model itself reports: its code is one of `flowErrors`. */
export type FlowModelIssue = FlowIssue & { code: FlowIssueCode };

/**
 * One issue on one line, the path in front when the words do not give it, e.g.
 * `/nodes/1/config/window/count: node "avg" (moving-average): Values must be at least 1 (you typed 0) [CONFIG_INVALID]`.
 */
export function formatIssue(issue: FlowIssue): string {
  // Issues made elsewhere (the runtime's start errors) may not spell the path; add it then.
  const located = issue.path && !issue.message.includes(issue.path) ? `${issue.path}: ${issue.message}` : issue.message;
  return `${oneLine(located)} [${issue.code}]`;
}

/** Issues one per line (no trailing newline), for a terminal or a log. */
export function formatIssues(issues: readonly FlowIssue[]): string {
  return issues.map(formatIssue).join('\n');
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ');
}

/** Escapes one JSON pointer segment (`~` and `/`), per RFC 6901. */
export function pointerSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The value as a user would recognise it in their file, shortened: `0`, `"abc"`, `an object`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

/** `a`, `b` and `c` (quoted), for lists of allowed names in messages. */
export function quoteList(items: readonly unknown[], conjunction = 'or'): string {
  const quoted = items.map((item) => JSON.stringify(item));
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} ${conjunction} ${quoted[quoted.length - 1]}`;
}

/**
 * How messages name a node: by its label when it has one (`node "Average flow" (moving-average)`),
 * else its id (`node "avg" (moving-average)`), or by position when it has neither.
 */
export function nodeSubject(id: unknown, type: unknown, index?: number, label?: unknown): string {
  const name =
    typeof label === 'string' && label.trim() !== ''
      ? `node ${JSON.stringify(label.trim())}`
      : typeof id === 'string'
        ? `node ${JSON.stringify(id)}`
        : index === undefined
          ? 'node'
          : `node #${index + 1} (no id)`;
  return typeof type === 'string' ? `${name} (${type})` : name;
}

/** How messages name a resource: `resource "plant-broker" (mqtt-broker)`. */
export function resourceSubject(id: unknown, type: unknown, index?: number, label?: unknown): string {
  const name =
    typeof label === 'string' && label.trim() !== ''
      ? `resource ${JSON.stringify(label.trim())}`
      : typeof id === 'string'
        ? `resource ${JSON.stringify(id)}`
        : index === undefined
          ? 'resource'
          : `resource #${index + 1} (no id)`;
  return typeof type === 'string' ? `${name} (${type})` : name;
}

/** How messages name an edge: `edge "a:out->b:in"`. */
export function edgeSubject(edgeId: string | undefined, index: number): string {
  return edgeId === undefined ? `edge #${index + 1}` : `edge ${JSON.stringify(edgeId)}`;
}

/** `group "pumps" ("Pump 3")`, or `group` when it has no usable id. */
export function groupSubject(id: unknown, name?: unknown): string {
  const named = typeof name === 'string' && name !== '' && name !== id ? ` (${JSON.stringify(name)})` : '';
  return typeof id === 'string' ? `group ${JSON.stringify(id)}${named}` : `group${named}`;
}
