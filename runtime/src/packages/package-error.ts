import type { PackageErrorCode } from '../error-codes';

export type { PackageErrorCode } from '../error-codes';

/** A node or resource of a running flow that uses a package (an IN_USE refusal names each one). */
export interface PackageUser {
  kind: 'node' | 'resource';
  id: string;
  /** The node's label, when it has one. */
  label?: string;
  type: string;
  flowId: string;
  /** The flow's name, when it has one. */
  flowName?: string;
}

/**
 * A package install, removal or bundle that was refused; the message says why in plain words and
 * what to do. Nothing changed when it is thrown: no files, no registry types.
 */
export class PackageError extends Error {
  constructor(
    readonly code: PackageErrorCode,
    message: string,
    /** For IN_USE: the ids of the running flow's nodes and resources that use the package. */
    readonly usedBy: string[] = [],
    /** For IN_USE: who uses it, with labels and flows, for a person (the editor names them). */
    readonly users: PackageUser[] = [],
  ) {
    super(message);
    this.name = 'PackageError';
  }
}
