export { connectorConformance } from './connector-conformance';
export type { ConformanceNode, ConformanceTimeouts, ConnectorConformanceOptions } from './connector-conformance';
