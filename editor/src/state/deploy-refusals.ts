import { deepEqual } from '@tagflow/flow-model';
import type { Flow, FlowNode } from '@tagflow/flow-model';

/** What the runtime said about one node when it refused a deploy (a `FlowIssue` as sent over HTTP). */
export interface RefusalIssue {
  code?: string;
  nodeId?: string;
  path?: string;
  message: string;
  text?: string;
  field?: string;
}

/** A refused deploy: the runtime's errors by node, and each node's settings as they were sent. */
export interface DeployRefusal<T extends RefusalIssue = RefusalIssue> {
  byNode: ReadonlyMap<string, T[]>;
  /** The settings of each refused node in the refused flow, to see when the user changed them. */
  sent: ReadonlyMap<string, NodeSettings>;
}

/** The parts of a node whose change may answer a refusal (its position and label cannot). */
interface NodeSettings {
  type: string;
  typeVersion: number;
  config: unknown;
  disabled: boolean;
}

/** No refusal standing (before any deploy, or after one that went through). */
export const NO_REFUSAL: DeployRefusal<never> = { byNode: new Map(), sent: new Map() };

/**
 * Records a refused deploy of `flow`: the errors naming a node, grouped by node, with that node's
 * settings as sent, e.g. `deployRefusal(result.errors, flowSent)`.
 */
export function deployRefusal<T extends RefusalIssue>(errors: readonly T[], flow: Flow): DeployRefusal<T> {
  const byNode = new Map<string, T[]>();
  for (const e of errors) if (e.nodeId) byNode.set(e.nodeId, [...(byNode.get(e.nodeId) ?? []), e]);
  const sent = new Map<string, NodeSettings>();
  for (const node of flow.nodes) if (byNode.has(node.id)) sent.set(node.id, settingsOf(node));
  return { byNode, sent };
}

/**
 * The refusals that still stand for the flow as edited now: a node's refusal goes as soon as its
 * settings differ from the refused ones (the user changed what was refused, so the red must not
 * linger until the next deploy; the live check says whether the new value is right) or the node
 * is gone. A refusal of a node not in the refused flow (not expected) stands until the next deploy.
 */
export function standingRefusals<T extends RefusalIssue>(refusal: DeployRefusal<T>, edited: Flow): Map<string, T[]> {
  const now = new Map(edited.nodes.map((n) => [n.id, n]));
  const out = new Map<string, T[]>();
  for (const [id, errors] of refusal.byNode) {
    const node = now.get(id);
    if (!node) continue;
    const sent = refusal.sent.get(id);
    if (sent && !deepEqual(sent, settingsOf(node))) continue;
    out.set(id, errors);
  }
  return out;
}

function settingsOf(node: FlowNode): NodeSettings {
  return {
    type: node.type,
    typeVersion: node.typeVersion,
    config: node.config ?? {},
    disabled: node.disabled === true,
  };
}
