import { LINK_PORT, linkCallsOf, linkReferences, RETURN_PORT } from '@tagflow/flow-model';
import { NodeError, sdkErrors } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import type { NodeRunner, Target } from './node-runner';

/**
 * Wires link nodes (see `LinkRole`): their virtual wires become routes like edges, from the
 * sender's hidden port `$link` to the link-in's, so hops count towards maxHops, a full link-in
 * pauses its senders (backpressure) and a hop-limit error names a loop through them. A return
 * (a link-out in return mode) has no fixed route: it goes to the link-call on top of the message's
 * call stack, checked to be a link-call of this flow, so a message cannot steer itself elsewhere.
 *
 * Links across flows (issue 17): `runners` is this flow's; a target id, or a call made in another
 * flow (`LinkCall.flow`), would be resolved through a runtime-wide directory here.
 */
export function addLinkRoutes(
  flowId: string,
  runners: ReadonlyMap<string, NodeRunner>,
  routes: Map<string, Map<string, Target[]>>,
  parents: Map<string, Set<string>>,
  fail: (runner: NodeRunner, err: Error, msg: Message) => void,
): void {
  for (const runner of runners.values()) {
    const role = runner.definition.link;
    runner.fallbackRoute =
      role === 'out' || role === 'call' ? (port, msg, hops) => returnRoute(runner, port, msg, hops) : undefined;
    for (const { target } of linkReferences(runner.node, role)) {
      const to = typeof target === 'string' ? runners.get(target) : undefined;
      if (to === undefined) continue; // a disabled link-in passes nothing on, as a disabled node does
      const byPort = routes.get(runner.id) ?? new Map<string, Target[]>();
      byPort.set(LINK_PORT, [...(byPort.get(LINK_PORT) ?? []), { runner: to, port: LINK_PORT }]);
      routes.set(runner.id, byPort);
      parents.set(to.id, (parents.get(to.id) ?? new Set<string>()).add(runner.id));
    }
  }

  function returnRoute(from: NodeRunner, port: string, msg: Message, hops: number): boolean {
    // Every link-in it names is disabled: nothing to pass on, as from an unwired port (a call
    // then times out, in words).
    if (port === LINK_PORT) return true;
    if (port !== RETURN_PORT || from.definition.link !== 'out') return false;
    const calls = linkCallsOf(msg);
    const call = calls[calls.length - 1];
    const caller = call?.flow === flowId ? runners.get(call.node) : undefined;
    if (caller === undefined || caller.definition.link !== 'call') {
      const text =
        call === undefined
          ? `link-out "${from.id}" returns to the link-call that called it, but this message came from no link-call`
          : `link-out "${from.id}" returns to link-call "${call.node}"${call.flow === flowId ? '' : ` of flow "${call.flow}"`}, which does not run in this flow (removed by a redeploy?)`;
      fail(from, new NodeError(sdkErrors.code.LINK_NO_CALLER, `${text}; the message was dropped`), msg);
      return true;
    }
    caller.receive(msg, RETURN_PORT, hops);
    return true;
  }
}
