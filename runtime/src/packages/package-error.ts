import type { PackageErrorCode } from '../error-codes';

export type { PackageErrorCode } from '../error-codes';

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
  ) {
    super(message);
    this.name = 'PackageError';
  }
}
