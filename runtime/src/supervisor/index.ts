export type {
  EngineApi,
  EngineEnd,
  EngineStateInfo,
  HistoryQuery,
  ResourceInfo,
  TriggerOutcome,
  UnreachableResource,
} from './engine-contract';
export { isHistoryReader } from './engine-contract';
export { EngineSupervisor, DEFAULT_ENGINE_MEMORY_MB, DEFAULT_WATCHDOG_MS } from './engine-supervisor';
export type { EngineSupervisorOptions, RunChange } from './engine-supervisor';
export { FlowEngineView } from './flow-engine-view';
export { EngineRecovery, HEALTHY_AFTER_MS, MAX_YOUNG_ENDS, SAFE_START_REASON, describeEnd } from './engine-recovery';
export type { EngineRecoveryDeps, RecoveryFrame } from './engine-recovery';
export { BootRecord, BOOT_RECORD_FILE, LEGACY_RUN } from './boot-record';
export type { BootRecordData, RunRecord } from './boot-record';
export { EngineCallError, RpcClient, serveRpc } from './engine-rpc';
export type { RpcReply, RpcRequest } from './engine-rpc';
export { Watchdog } from './watchdog';
export type { WatchdogOptions, WatchdogVerdict } from './watchdog';
export { resolveSecret, ENV_SECRET_PREFIX } from './secret-resolver';
