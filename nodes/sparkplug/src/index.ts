export { default as sparkplugEdgeNode } from './sparkplug-edge-node.resource';
export { default as sparkplugOut } from './sparkplug-out.node';
export { default as sparkplugCommand } from './sparkplug-command.node';
export { default as sparkplugIn } from './sparkplug-in.node';
export { sparkplugErrors } from './error-codes';
export { DataType, decodePayload, encodePayload, QUALITY_CODES } from './payload-codec';
export type { SparkplugMetric, SparkplugPayload } from './payload-codec';
export { parseTopic, sparkplugTopic, stateTopic } from './topics';
