import { validRange } from 'semver';
import validatePackageName from 'validate-npm-package-name';
import { packageErrors } from '../error-codes';
import { PackageError } from './package-error';

/**
 * Checks a registry install's name and version with npm's own rules before npm runs, so that a
 * typo is a plain 400, never a registry error: the name as `validate-npm-package-name` judges
 * names npm installs (old packages' capital letters allowed), the version as a semver version or
 * range, or a dist-tag (npm's rule: a tag is left unchanged by URI encoding, and is not a range).
 */

/** The longest version spec accepted: no real range comes near it. */
const MAX_SPEC_LENGTH = 256;

/** Throws an INVALID_SPEC PackageError unless `name` is an npm package name. */
export function checkPackageName(name: string): void {
  const verdict = validatePackageName(name);
  if (verdict.validForOldPackages) return;
  const why = [...(verdict.errors ?? []), ...(verdict.warnings ?? [])].join('; ');
  throw new PackageError(packageErrors.code.INVALID_SPEC, `"${name}" is not an npm package name: ${why}`);
}

/** Throws an INVALID_SPEC PackageError unless `version` is a version, a range or a dist-tag. */
export function checkVersionSpec(name: string, version: string): void {
  const tag = version !== '' && encodeURIComponent(version) === version && !/^v?\d/.test(version);
  if (version.length <= MAX_SPEC_LENGTH && (validRange(version) !== null || tag)) return;
  throw new PackageError(
    packageErrors.code.INVALID_SPEC,
    `"${version}" is not a version of ${name} npm understands: give a version ("1.2.0"), a range ("^1.2") or a dist-tag ("latest")`,
  );
}

/** Splits `name[@version]` (a scoped name starts with `@`) and checks both parts. */
export function checkInstallSpec(spec: string): { name: string; version?: string } {
  const at = spec.indexOf('@', 1);
  const name = at === -1 ? spec : spec.slice(0, at);
  const version = at === -1 ? undefined : spec.slice(at + 1);
  checkPackageName(name);
  if (version !== undefined) checkVersionSpec(name, version);
  return version === undefined ? { name } : { name, version };
}
