import type { FlowIssue } from '@tagflow/flow-model';
import type { FlowVersion } from '../store/types';

/** What a deploy (or rollback) request came to. */
export type DeployOutcome =
  | { status: 'deployed'; version: FlowVersion; warnings: FlowIssue[] }
  | { status: 'unchanged'; version: FlowVersion }
  /** Refused before anything changed: the old flow keeps running. `errors` name node ids and JSON paths. */
  | { status: 'rejected'; errors: FlowIssue[] }
  /** The revision given with If-Match is not the current one. */
  | { status: 'conflict'; current: number }
  /** Deployed, failed in its health window, and the previous version restored by itself. */
  | { status: 'rolled-back'; failedVersion: FlowVersion; restored: FlowVersion | undefined; reason: string };

/** Deploys flows with versions, revision checks and health-gated rollback. The HTTP layer calls it. */
export interface DeployerApi {
  /**
   * Validates and deploys `flow` atomically. `expectedVersion` (from If-Match; 0 = no flow yet)
   * must be the current version, else `conflict`. With `healthMs`, waits that long: any node
   * error or node failing to start in the window restores the previous version.
   */
  deploy(flow: unknown, options: { by: string; expectedVersion?: number; healthMs?: number }): Promise<DeployOutcome>;
  /** Redeploys an earlier version (default: the one before the current) as a new version. */
  rollback(options: { by: string; toVersion?: number; expectedVersion?: number }): Promise<DeployOutcome>;
}
