export * from './engine-api';
export * from './store';
export { Deployer } from './admin/deployer';
export type { DeployerDeps } from './admin/deployer';
export type { DeployerApi, DeployOutcome } from './admin/deployer-types';
export * from './server';
export * from './packages';
export * from './supervisor';
export { supervisorErrors } from './error-codes';
