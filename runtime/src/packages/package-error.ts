/** Why a package operation was refused; each maps to one HTTP status in the admin API. */
export type PackageErrorCode =
  /** The package cannot be used here: no `tagflow` field, SDK range, a module that throws, a type clash. */
  | 'REFUSED'
  /** The running flow uses the package's types. */
  | 'IN_USE'
  /** No package of that name is installed in the data dir. */
  | 'NOT_INSTALLED'
  /** The package comes with the runtime (or a --nodes-dir), not from the data dir. */
  | 'BUILT_IN'
  /** npm could not fetch or install it (registry unreachable, unknown name or version). */
  | 'FETCH_FAILED'
  /** A bundle that is damaged or was altered: nothing of it was installed. */
  | 'BUNDLE_INVALID';

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
