// The engine and the node registry alone, as `@tagflow/runtime/engine`: what running a flow needs,
// without the admin server, stores and package manager (express, ws and prom-client would slow a
// plain `tagflow run`'s start and hold memory it never uses).
export { Engine } from './engine/engine';
export { FlowSet, ACTIVITY_SLOT_SIZE } from './engine/flow-set';
export { ResourcePool, resourceKey } from './engine/resource-pool';
export type { ResourceLease } from './engine/resource-pool';
export type { EngineOptions, DeployOptions, DeployResult, EngineEvents } from './engine/engine';
export type { NodeCounters, DebugEvent, StatusEvent, NodeErrorEvent, EngineLogger, TapListener } from './engine/types';
export { SAMPLE_WINDOW_MS } from './engine/output-sampler';
export type { PayloadKind, PortSample, SamplesEvent } from './engine/output-sampler';
export { systemClock } from './engine/node-clock';
export { SETTLE_MEMORY_AFTER_MS, settleMemory, settleMemoryAfter } from './engine/settle-memory';
export { FilesFolder, filesDirProblem } from './engine/files-folder';
export { ACTIVITY_NODE, ACTIVITY_PROGRESS, NO_NODE } from './engine/activity';
export { deployErrors, engineErrors, packageErrors, toolErrors } from './error-codes';
export type { DeployErrorCode, ToolErrorCode } from './error-codes';
export { DEFAULT_TOOL_TIMEOUT_MS, runResourceTool, ToolError } from './engine/resource-tools';
export type { ResourceToolCall, ToolCallOptions } from './engine/resource-tools';
export { NodeRegistry } from './registry/node-registry';
export type { PackageRef, PaletteJson, RegisteredNode, RegisteredResource } from './registry/node-registry';
export { discoverNodePackages } from './registry/discover-packages';
export type {
  DiscoveryOptions,
  DiscoveredPackage,
  DiscoveryProblem,
  DiscoveryReport,
} from './registry/discover-packages';
export { loadNodePackage, PackageLoadError } from './registry/load-node-package';
export type { NodePackageManifest, LoadedNodePackage } from './registry/load-node-package';
export * from './log';
export { usePrivateUmask } from './store/data-dir-permissions';
export { VariableStore } from './store/variable-store';
export { CONTEXT_WRITE_INTERVAL_MS, DEFAULT_CONTEXT_LIMITS } from './engine/flow-state-stores';
export type {
  ContextLimits,
  ContextScopeInfo,
  ContextScopeRef,
  ContextScopeView,
  ContextSummary,
  ContextWriteResult,
} from './engine/flow-state-stores';
