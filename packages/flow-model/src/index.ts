export * from './flow';
export type * from './catalog';
export type { JSONSchema } from './json-schema';
export { flowSchema, ID_PATTERN, SEMVER_PATTERN } from './flow-schema';
export {
  EXPANDED_ID_PATTERN,
  expandSubflows,
  isSubflowType,
  MAX_SUBFLOW_DEPTH,
  SUBFLOW_ID_SEPARATOR,
  SUBFLOW_TYPE_PREFIX,
} from './expand-subflows';
export type { ExpandedOrigin, SubflowExpansion } from './expand-subflows';
export { subflowStatusNodes } from './subflow-status';
export { subflowPackage, subflowPackProblem } from './subflow-package';
export type { SubflowPackage } from './subflow-package';
export { validateFlow } from './validate-flow';
export type { FlowValidation, NormalizedFlow, ValidateFlowOptions } from './validate-flow';
export type { MigratedNode } from './check-nodes';
export { migrateNode } from './migrate';
export type { ConfigMigration, MigrateNodeResult, NodeMigrations } from './migrate';
export { formatIssue, formatIssues, pointerSegment } from './issues';
export type { FlowIssue } from './issues';
export { defineErrorCodes } from './define-error-codes';
export type { ErrorCatalogue, ErrorCodeOf } from './define-error-codes';
export { flowErrors } from './error-codes';
export type { FlowIssueCode } from './error-codes';
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
export { checkFlowLimits, flowSizeIssue, utf8Length } from './check-limits';
export {
  FLOW_LIMITS,
  formatBytes,
  MAX_EDGES,
  MAX_FLOW_BYTES,
  MAX_ID_LENGTH,
  MAX_JSON_DEPTH,
  MAX_NODES,
  MAX_RESOURCES,
  MAX_STRING_LENGTH,
} from './flow-limits';
export type { ParseFlowJsonResult } from './parse-flow-json';
export {
  nodeDocsSections,
  renderNodeDocs,
  renderResourceDocs,
  resourceDocsSections,
  splitDocsExample,
} from './node-docs';
export type { DocsSection, DocsSectionKind } from './node-docs';
export { branchNames, configFields, describeSchemaType } from './config-fields';
export { fieldLabel } from './field-labels';
export type { ConfigField } from './config-fields';
export { deepEqual } from './deep-equal';
export { isPlainObject, isRecord } from './object-guards';
export { diffFlows, resourceIdsOf } from './flow-diff';
export { loopingGroups, shortestCycle } from './check-cycles';
export { selfLoopReason } from './check-edges';
export { groupSubject } from './issues';
export type { FlowDiff } from './flow-diff';
export { findVariableRefs, resolveFlowVariables, VARIABLE_NAME } from './flow-variables';
export type { VariableRef, VariableResolution } from './flow-variables';
export { LINK_CALLS, LINK_PORT, RETURN_PORT, linkCallsOf, linkReferences, linkWires } from './links';
export type { LinkCall, LinkReference, LinkRole } from './links';
export {
  MAX_NUMBERED_PORTS,
  numberedOutputCount,
  numberedPortIndex,
  numberedPortsProblems,
  outputPorts,
} from './numbered-ports';
export type { NumberedPorts } from './numbered-ports';
export { PLACEHOLDER_TYPE } from './check-placeholders';
export { schemaKey } from './schema-key';
export { MAX_SCHEMA_BRANCHES, narrowBranch, schemaBranches } from './schema-branches';
export { buildValidatorModule, loadValidatorModule } from './validator-module';
export type { PrecompiledValidators, ValidatorModule } from './validator-module';
