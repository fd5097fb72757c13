export type { Message, Quality, ErrorInfo } from './message';
export { createMessage, deriveMessage, worstQuality } from './message';
export { NodeError, isNodeError, problemsFrom, refuseConfig } from './errors';
export type { ConfigProblem } from '@tagflow/flow-model';
export type { ErrorCatalogue, ErrorCodeOf } from './error-codes';
export { defineErrorCodes, sdkErrors } from './error-codes';
export type { NodeContext, NodeInstance, NodeStatus, NodeLogger, Clock, Timer } from './context';
export type { NodeDefinition, AnyNodeDefinition, ConfigMigration, ConfigOf, SecretDestination } from './define-node';
export { defineNode, ERROR_PORT } from './define-node';
export type { ResourceDefinition, AnyResourceDefinition, ResourceContext, ResourceInstance } from './define-resource';
export { defineResource } from './define-resource';
export { outboxOverflowProperty, passwordEnvProperty, secretNameProperty, urlDestination } from './schema-pieces';
export type { ResourceHandle } from './resource-handle';
export type { Outbox, OutboxOptions } from './outbox';
export { OUTBOX_SYNC_MS } from './outbox';
export type { JSONSchema } from 'json-schema-to-ts';
/** Version of this SDK; the runtime checks node packages' peer ranges against it. */
export const SDK_VERSION = '0.1.0';
