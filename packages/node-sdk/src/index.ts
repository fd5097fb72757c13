export type { Message, Quality, ErrorInfo } from './message';
export { createMessage, deriveMessage, qualityOf, worstQuality } from './message';
export { NodeError, isNodeError, problemsFrom, refuseConfig } from './errors';
export type { ConfigProblem, NumberedPorts } from '@tagflow/flow-model';
export { MAX_NUMBERED_PORTS } from '@tagflow/flow-model';
export type { ErrorCatalogue, ErrorCodeOf } from './error-codes';
export { defineErrorCodes, sdkErrors } from './error-codes';
export type { ContextStore, FlowState } from './flow-state';
export type {
  NodeContext,
  NodeInstance,
  NodeStatus,
  NodeLogger,
  Clock,
  Timer,
  HandledOutcome,
  SendOptions,
} from './context';
export type { NodeDefinition, AnyNodeDefinition, ConfigMigration, ConfigOf, SecretDestination } from './define-node';
export { defineNode, ERROR_PORT, STATUS_PORT } from './define-node';
export { LINK_CALLS, LINK_PORT, RETURN_PORT, linkCallsOf } from '@tagflow/flow-model';
export type { LinkCall, LinkRole } from '@tagflow/flow-model';
export type {
  ResourceDefinition,
  AnyResourceDefinition,
  ResourceContext,
  ResourceInstance,
  ResourceTool,
  ResourceToolContext,
} from './define-resource';
export { defineResource } from './define-resource';
export { outboxOverflowProperty, passwordEnvProperty, secretNameProperty, urlDestination } from './schema-pieces';
export type { ResourceHandle } from './resource-handle';
export type { FilesRoot, FileOpenFlags, FileOpenOptions } from './files-root';
export { filesPathProblem, filesPathProblems } from './files-root';
export type { Outbox, OutboxOptions } from './outbox';
export { ackSent, OUTBOX_SYNC_MS } from './outbox';
export { publishBody, publishFormatProperty } from './publish-format';
export type { PublishFormat } from './publish-format';
export type { JSONSchema } from 'json-schema-to-ts';
/** Version of this SDK; the runtime checks node packages' peer ranges against it. */
export const SDK_VERSION = '0.1.0';
