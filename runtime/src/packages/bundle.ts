import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packageErrors } from '../error-codes';
import { checkArchive, DEFAULT_ARCHIVE_LIMITS } from './archive-check';
import type { ArchiveLimits } from './archive-check';
import { folderSafeName } from './installed-file';
import { PackageError } from './package-error';
import { currentPlatform, readPlatformId } from './platform-id';
import type { PlatformId } from './platform-id';
import { createTarball, extractTarball, fileIntegrity } from './tarball';

/**
 * A bundle: one .tgz holding one or more flows and the exact tarballs of the node packages they
 * need, so a runtime without registry access can run them.
 *
 * ```
 * bundle.json                 the manifest: each tarball's name, version, file and sha512, and
 *                             the platform it was packed on
 * flow.json                   the (first) flow
 * flows/<flow id>.json        the other flows, when there are several (format version 2)
 * packages/<name>-<version>.tgz
 * ```
 *
 * A bundle of one flow is format version 1, as before; one of several flows is version 2, which
 * readers of version 1 refuse rather than deploy only its first flow.
 */

/** The `format` of every bundle manifest. */
export const BUNDLE_FORMAT = 'tagflow-bundle';

/** One node package in a bundle. */
export interface BundlePackage {
  name: string;
  version: string;
  /** sha512 of the tarball, npm's form (`sha512-<base64>`): checked before anything is installed. */
  integrity: string;
  /** The tarball's path inside the bundle. */
  file: string;
}

/** `bundle.json`. */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  formatVersion: 1 | 2;
  /** ISO 8601. */
  createdAt: string;
  /** The (first) flow's path inside the bundle. */
  flow: string;
  /** Every flow's path inside the bundle, `flow` first; only in version 2 (several flows). */
  flows?: string[];
  packages: BundlePackage[];
  /**
   * The platform `tagflow pack` ran on. A package needing a build step (build-steps.ts) installs
   * from the bundle only on this platform; pure JavaScript ones anywhere. Absent in bundles made
   * before it was recorded: those install pure JavaScript packages only.
   */
  platform?: PlatformId;
}

/** A bundle unpacked into a work folder and verified whole. */
export interface OpenedBundle {
  manifest: BundleManifest;
  /** The first flow (the only one of a version 1 bundle). */
  flow: unknown;
  /** Every flow, in the manifest's order (`flow` first). */
  flows: unknown[];
  /** The unpacked tarball of a package of the manifest. */
  tarball(pkg: BundlePackage): string;
  /** Deletes the work folder. */
  close(): Promise<void>;
}

/** Writes a bundle of `flow` and the given package tarballs to `out`; returns its manifest. */
export function writeBundle(
  out: string,
  flow: unknown,
  packages: ReadonlyArray<{ name: string; version: string; tarball: string }>,
): Promise<BundleManifest> {
  return writeFlowsBundle(out, [flow], packages);
}

/**
 * Writes a bundle of `flows` (at least one; valid flows, each with its own id) and the given
 * package tarballs to `out`; returns its manifest.
 */
export async function writeFlowsBundle(
  out: string,
  flows: readonly unknown[],
  packages: ReadonlyArray<{ name: string; version: string; tarball: string }>,
): Promise<BundleManifest> {
  if (flows.length === 0) throw new Error('a bundle needs at least one flow');
  const work = await mkdtemp(path.join(tmpdir(), 'tagflow-bundle-'));
  try {
    await mkdir(path.join(work, 'packages'));
    const flowFiles = flows.map((flow, i) => (i === 0 ? 'flow.json' : `flows/${flowFileName(flow, i)}.json`));
    if (new Set(flowFiles).size !== flowFiles.length) throw new Error('two flows of a bundle have the same id');
    if (flows.length > 1) await mkdir(path.join(work, 'flows'));
    for (const [i, flow] of flows.entries())
      await writeFile(path.join(work, flowFiles[i]), `${JSON.stringify(flow, null, 2)}\n`);
    const entries: BundlePackage[] = [];
    for (const pkg of packages) {
      const file = `packages/${folderSafeName(pkg.name)}-${pkg.version}.tgz`;
      await copyFile(pkg.tarball, path.join(work, file));
      entries.push({
        name: pkg.name,
        version: pkg.version,
        integrity: await fileIntegrity(path.join(work, file)),
        file,
      });
    }
    const several = flows.length > 1;
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      formatVersion: several ? 2 : 1,
      createdAt: new Date().toISOString(),
      flow: 'flow.json',
      ...(several ? { flows: flowFiles } : {}),
      packages: entries,
      platform: currentPlatform(),
    };
    await writeFile(path.join(work, 'bundle.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await createTarball(path.resolve(out), work, [
      'bundle.json',
      'flow.json',
      ...(several ? ['flows'] : []),
      'packages',
    ]);
    return manifest;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Unpacks a bundle into a new folder under `workRoot` and checks all of it before anyone installs
 * anything: a gzip tarball within `limits` (else ARCHIVE_INVALID) of plain files, a manifest of
 * the right shape, every tarball there with the sha512 the manifest gives, and a flow that is
 * JSON. Throws a BUNDLE_INVALID PackageError naming every problem.
 */
export async function openBundle(
  file: string,
  workRoot: string,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<OpenedBundle> {
  await checkArchive(file, 'the bundle', limits);
  await mkdir(workRoot, { recursive: true });
  const work = await mkdtemp(path.join(workRoot, 'bundle-'));
  const close = () => rm(work, { recursive: true, force: true });
  try {
    try {
      await extractTarball(file, work);
    } catch (err) {
      throw invalid(`it is not a readable bundle (.tgz): ${(err as Error).message}`);
    }
    const manifest = checkManifest(await readJson(path.join(work, 'bundle.json'), 'bundle.json'));
    const inside = (rel: string) => {
      const full = path.resolve(work, rel);
      if (!full.startsWith(work + path.sep)) throw invalid(`bundle.json names "${rel}", outside the bundle`);
      return full;
    };
    const problems: string[] = [];
    for (const pkg of manifest.packages) {
      const actual = await fileIntegrity(inside(pkg.file)).catch(() => undefined);
      if (actual === undefined) problems.push(`${pkg.file} (${pkg.name} ${pkg.version}) is missing`);
      else if (actual !== pkg.integrity)
        problems.push(`${pkg.file} (${pkg.name} ${pkg.version}) does not match its sha512 in bundle.json`);
    }
    if (problems.length > 0) throw invalid(`${problems.join('; ')}: the bundle was damaged or altered`);
    const flows: unknown[] = [];
    for (const rel of manifest.flows ?? [manifest.flow]) flows.push(await readJson(inside(rel), rel));
    return { manifest, flow: flows[0], flows, tarball: (pkg) => inside(pkg.file), close };
  } catch (err) {
    await close();
    throw err;
  }
}

function checkManifest(value: unknown): BundleManifest {
  const m = value as Partial<BundleManifest> | null;
  if (typeof m !== 'object' || m === null || m.format !== BUNDLE_FORMAT)
    throw invalid(`bundle.json is not a ${BUNDLE_FORMAT} manifest`);
  if (m.formatVersion !== 1 && m.formatVersion !== 2)
    throw invalid(`bundle.json has format version ${String(m.formatVersion)}; this runtime reads versions 1 and 2`);
  if (typeof m.flow !== 'string' || !Array.isArray(m.packages)) throw invalid('bundle.json lacks "flow" or "packages"');
  if (m.flows !== undefined) {
    const flows = m.flows as unknown;
    if (!Array.isArray(flows) || flows.length === 0 || !flows.every((f) => typeof f === 'string' && f !== ''))
      throw invalid('bundle.json has a "flows" that is not a list of file names');
    if (flows[0] !== m.flow) throw invalid('bundle.json lists its "flow" other than first in "flows"');
  }
  for (const p of m.packages as unknown[]) {
    const pkg = p as Partial<BundlePackage> | null;
    const ok =
      typeof pkg === 'object' &&
      pkg !== null &&
      [pkg.name, pkg.version, pkg.file].every((f) => typeof f === 'string' && f !== '') &&
      typeof pkg.integrity === 'string' &&
      pkg.integrity.startsWith('sha512-');
    if (!ok) throw invalid(`bundle.json has a malformed package entry: ${JSON.stringify(p).slice(0, 120)}`);
  }
  // A malformed platform counts as none: such a bundle installs pure JavaScript packages only.
  const manifest = { ...(m as BundleManifest) };
  delete manifest.platform;
  const platform = readPlatformId(m.platform);
  if (platform) manifest.platform = platform;
  return manifest;
}

async function readJson(file: string, label: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw invalid(`it has no ${label}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw invalid(`${label} is not valid JSON: ${(err as Error).message}`);
  }
}

/** `flows/<id>.json`: the flow's id when it is a plain file name (a valid flow's always is), else its position. */
function flowFileName(flow: unknown, index: number): string {
  const id = (flow as { id?: unknown } | null)?.id;
  return typeof id === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id) ? id : String(index + 1);
}

function invalid(reason: string): PackageError {
  return new PackageError(
    packageErrors.code.BUNDLE_INVALID,
    `the bundle was refused, nothing was installed: ${reason}`,
  );
}
