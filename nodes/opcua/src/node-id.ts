import { NodeError, problemsFrom } from '@tagflow/node-sdk';
import type { ConfigProblem } from '@tagflow/node-sdk';
import { opcuaErrors } from './error-codes';
import { errorText } from './error-text';
import type { NodeId } from 'node-opcua';

/**
 * Parses a NodeId as users write it (`ns=1;s=Pump.Flow`, `ns=2;i=1001`, `i=2258`), refusing
 * anything else with a NodeError that shows the text, so a typo is caught before a request is sent.
 */
export function parseNodeId(text: unknown, field = 'node id'): NodeId {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new NodeError(
      opcuaErrors.code.OPCUA_NODE_ID,
      `the ${field} must be a text such as "ns=1;s=Pump.Flow", not ${JSON.stringify(text) ?? String(text)}`,
    );
  }
  // Only node-opcua's NodeId parser, and only when there is one to parse: checking a flow's config
  // (validate, the editor) must not load the whole client.
  const { coerceNodeId } = require('node-opcua-nodeid') as typeof import('node-opcua-nodeid');
  try {
    return coerceNodeId(text.trim());
  } catch (err) {
    throw new NodeError(
      opcuaErrors.code.OPCUA_NODE_ID,
      `"${text}" is not a valid OPC UA node id (expected e.g. "ns=1;s=Pump.Flow" or "ns=2;i=1001"): ${errorText(err)}`,
    );
  }
}

/** The node ids of a config's `items` that do not parse, each at its `/items/<n>/nodeId`. */
export function itemNodeIdProblems(items: ReadonlyArray<{ nodeId: string }>): ConfigProblem[] {
  return items.flatMap((item, index) => problemsFrom(`/items/${index}/nodeId`, () => parseNodeId(item.nodeId)));
}
