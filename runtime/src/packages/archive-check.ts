import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { constants, createGunzip } from 'node:zlib';
import { packageErrors } from '../error-codes';
import { PackageError } from './package-error';

/** How big a package or bundle file may be, packed and unpacked. */
export interface ArchiveLimits {
  /** Largest .tgz file, bytes: the admin API's upload limit, also applied to what npm fetches. */
  maxFileBytes: number;
  /** Largest unpacked size, bytes: a few KB of gzip can unpack to gigabytes (a decompression bomb). */
  maxUnpackedBytes: number;
}

const MB = 1024 * 1024;

/** The defaults: a bundle holds a few node packages with their dependencies, far below either. */
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxFileBytes: 64 * MB, maxUnpackedBytes: 512 * MB };

/**
 * Reads `file` through gunzip, without writing anything, before any tool unpacks it: it must be a
 * gzip file, whole (not truncated), no larger than the limits, holding a tar archive. Stops reading
 * as soon as the unpacked size passes the limit. Throws an ARCHIVE_INVALID PackageError whose
 * message starts with `label` and names the limit broken.
 */
export async function checkArchive(file: string, label: string, limits: ArchiveLimits): Promise<void> {
  const refuse = (reason: string) =>
    new PackageError(packageErrors.code.ARCHIVE_INVALID, `${label} was refused, nothing was installed: ${reason}`);
  const { size } = await stat(file);
  if (size > limits.maxFileBytes)
    throw refuse(`it is ${megabytes(size)}, more than the ${megabytes(limits.maxFileBytes)} limit for a .tgz`);
  const source = createReadStream(file);
  const gunzip = createGunzip();
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  let unpacked = 0;
  let head = Buffer.alloc(0);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      unpacked += chunk.length;
      if (head.length < 512) head = Buffer.concat([head, chunk]).subarray(0, 512);
      if (unpacked > limits.maxUnpackedBytes)
        throw refuse(
          `it unpacks to more than ${megabytes(limits.maxUnpackedBytes)}, the limit for an unpacked package or bundle (a decompression bomb?)`,
        );
    }
  } catch (err) {
    if (err instanceof PackageError) throw err;
    const errno = (err as { errno?: unknown }).errno;
    if (errno === constants.Z_DATA_ERROR) throw refuse('it is not a gzip file (.tgz)');
    if (errno === constants.Z_BUF_ERROR) throw refuse('it is truncated (the gzip data ends too early)');
    throw refuse(`it cannot be read: ${(err as Error).message}`);
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  if (unpacked === 0) throw refuse('it is empty once unpacked');
  // Every tar header (POSIX and GNU) has "ustar" at offset 257.
  if (head.length < 512 || head.subarray(257, 262).toString('latin1') !== 'ustar')
    throw refuse('it is gzip, but not a tar archive (.tgz)');
}

function megabytes(bytes: number): string {
  const mb = bytes / MB;
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}
