/**
 * What a native addon is built for: a binary for one of these does not load on another. A bundle
 * records the platform it was packed on; a package needing a build step installs from it only
 * where all four match.
 */
export interface PlatformId {
  /** `process.platform`: linux, win32, darwin... */
  os: string;
  /** `process.arch`: x64, arm64, arm... */
  arch: string;
  /** `process.versions.modules`: the Node ABI version native addons are compiled against. */
  nodeAbi: string;
  /** On Linux, the C library: `glibc` or `musl` (Alpine); absent elsewhere. */
  libc?: 'glibc' | 'musl';
}

let current: PlatformId | undefined;

/** The platform this process runs on. */
export function currentPlatform(): PlatformId {
  if (current) return current;
  const id: PlatformId = { os: process.platform, arch: process.arch, nodeAbi: process.versions.modules };
  if (process.platform === 'linux') {
    const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
    id.libc = header?.glibcVersionRuntime ? 'glibc' : 'musl';
  }
  current = id;
  return id;
}

/** Whether a recorded platform is this one. */
export function samePlatform(a: PlatformId, b: PlatformId): boolean {
  return a.os === b.os && a.arch === b.arch && a.nodeAbi === b.nodeAbi && a.libc === b.libc;
}

/** `linux x64 glibc, Node ABI 137`. */
export function describePlatform(id: PlatformId): string {
  return `${id.os} ${id.arch}${id.libc ? ` ${id.libc}` : ''}, Node ABI ${id.nodeAbi}`;
}

/** Reads a manifest's `platform` field; undefined when it is missing or malformed. */
export function readPlatformId(value: unknown): PlatformId | undefined {
  const v = value as Partial<PlatformId> | null;
  if (typeof v !== 'object' || v === null) return undefined;
  if (typeof v.os !== 'string' || typeof v.arch !== 'string' || typeof v.nodeAbi !== 'string') return undefined;
  if (v.libc !== undefined && v.libc !== 'glibc' && v.libc !== 'musl') return undefined;
  return { os: v.os, arch: v.arch, nodeAbi: v.nodeAbi, ...(v.libc ? { libc: v.libc } : {}) };
}
