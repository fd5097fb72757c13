export * from './flow';
export type * from './catalog';
export type { JSONSchema } from './json-schema';
export { flowSchema, ID_PATTERN } from './flow-schema';
export { validateFlow } from './validate-flow';
export type { FlowValidation, NormalizedFlow, ValidateFlowOptions } from './validate-flow';
export type { MigratedNode } from './check-nodes';
export { migrateNode } from './migrate';
export type { ConfigMigration, MigrateNodeResult, NodeMigrations } from './migrate';
export { formatIssue, formatIssues } from './issues';
export type { FlowIssue, FlowIssueCode } from './issues';
export { edgeKey, normalizeEdge } from './edges';
export type { NormalizedEdge } from './edges';
export {
  KNOWN_NODE_PACKAGES,
  KNOWN_RESOURCE_PACKAGES,
  knownNodePackage,
  knownResourcePackage,
  TAGFLOW_RELEASE,
} from './known-packages';
export { catalogNodeTypes, findNodeType, findResourceType } from './catalog-lookup';
export { parseFlowJson } from './parse-flow-json';
export type { ParseFlowJsonResult } from './parse-flow-json';
export { deepEqual } from './deep-equal';
export { isPlainObject, isRecord } from './object-guards';
export { diffFlows, resourceIdsOf } from './flow-diff';
export type { FlowDiff } from './flow-diff';
