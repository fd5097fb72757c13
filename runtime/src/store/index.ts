export type {
  AuditEvent,
  AuditFilter,
  AuditLogApi,
  AuditPage,
  FlowStoreApi,
  FlowsStoreApi,
  FlowVersion,
  Role,
  SecretInfo,
  SecretStoreApi,
  TokenInfo,
  TokenStoreApi,
  VariableStoreApi,
} from './types';
export { FlowStore, hashFlow, canonicalJson } from './flow-store';
export { FlowsStore, FLOWS_DELETED_DIR } from './flows-store';
export { FLOWS_INDEX_FILE, flowIdProblem } from './flows-index';
export type { FlowsIndexEntry } from './flows-index';
export type { SingleFlowUpgrade } from './single-flow-upgrade';
export { TokenStore, TOKEN_PREFIX } from './token-store';
export { SecretStore, SECRET_NAME } from './secret-store';
export {
  MAX_VARIABLE_NAME,
  MAX_VARIABLE_VALUE,
  variableNameProblem,
  variableValueProblem,
  VariableStore,
} from './variable-store';
export {
  destinationAllowed,
  formatDestination,
  parseAllowList,
  parseDestination,
  unboundWarning,
} from './secret-destinations';
export type { AllowedDestination } from './secret-destinations';
export {
  AuditCursorError,
  AuditLog,
  DEFAULT_AUDIT_FILES,
  DEFAULT_AUDIT_LIMIT,
  DEFAULT_AUDIT_MAX_BYTES,
} from './audit-log';
export type { AuditLogOptions } from './audit-log';
export {
  describeFailures,
  describeTightening,
  makePrivateDir,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  PRIVATE_UMASK,
  tightenDataDir,
} from './data-dir-permissions';
export type { TightenedEntry, TightenReport } from './data-dir-permissions';
