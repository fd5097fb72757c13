import type { FlowNode } from '@tagflow/flow-model';
import { PLACEHOLDER_TYPE } from '@tagflow/flow-model';
import type { NodeConversion } from './conversion';
import { tagflowNode } from './conversion';
import type { NodeRedObject } from './nodered-export';

/**
 * A Node-RED node with no tagflow equivalent, kept in the flow as a `nodered-placeholder` node:
 * its wires and original config stay, so nothing is lost, and validation refuses to deploy the
 * flow until it is replaced (flow-model's placeholder check), saying what to use instead.
 */
export function placeholderFor(node: NodeRedObject, reason: string, useInstead: string): NodeConversion {
  const { id: _id, type, z: _z, wires, x: _x, y: _y, g: _g, ...original } = node;
  const outputs = Array.isArray(wires) ? wires.length : 0;
  const ports = outputs === 1 ? ['out'] : Array.from({ length: outputs }, (_, i) => `out${i + 1}`);
  const placeholder: FlowNode = tagflowNode(
    node.id,
    PLACEHOLDER_TYPE,
    { nodeRedType: type, reason, useInstead, original },
    node,
  );
  return {
    nodes: [placeholder],
    input: { node: node.id, port: 'in' },
    outputs: ports.map((port) => ({ node: node.id, port })),
    differences: [],
  };
}
