export { Engine } from './engine/engine';
export type { EngineOptions, DeployResult, EngineEvents } from './engine/engine';
export type { NodeCounters, DebugEvent, StatusEvent, NodeErrorEvent, EngineLogger, TapListener } from './engine/types';
export { systemClock } from './engine/node-clock';
export { diffFlows, deepEqual } from './engine/flow-diff';
export type { FlowDiff } from './engine/flow-diff';
export { NodeRegistry } from './registry/node-registry';
export type { PackageRef, RegisteredNode, RegisteredResource } from './registry/node-registry';
