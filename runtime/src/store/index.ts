export type {
  AuditEvent,
  AuditLogApi,
  FlowStoreApi,
  FlowVersion,
  Role,
  SecretInfo,
  SecretStoreApi,
  TokenInfo,
  TokenStoreApi,
} from './types';
export { FlowStore, hashFlow, canonicalJson } from './flow-store';
export { TokenStore, TOKEN_PREFIX } from './token-store';
export { SecretStore, SECRET_NAME } from './secret-store';
export {
  destinationAllowed,
  formatDestination,
  parseAllowList,
  parseDestination,
  unboundWarning,
} from './secret-destinations';
export type { AllowedDestination } from './secret-destinations';
export { AuditLog, DEFAULT_AUDIT_LIMIT } from './audit-log';
