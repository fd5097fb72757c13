export { createAdminApp, BODY_LIMIT } from './admin-app';
export type { AdminApp, AdminAppOptions } from './admin-app';
export { startAdminServer } from './start-admin-server';
export type { AdminServerOptions, RunningAdminServer } from './start-admin-server';
export { EventHub, EVENTS_PATH, BEARER_PROTOCOL } from './event-hub';
export type { EventHubOptions, EventClientStats } from './event-hub';
export { roleAllows, ROLES, FailedLoginLimiter } from './auth';
export type { AdminServerDeps, RouteInfo } from './route-types';
