import { flowErrors } from './error-codes';
import { TAGFLOW_RELEASE } from './known-packages';
import type { NodeCatalog } from './catalog';
import { findResourceType, resourceTypeNames } from './catalog-lookup';
import { cloneJson } from './clone-json';
import { isPlainObject } from './object-guards';
import type { FlowResource } from './flow';
import { pointerSegment, resourceSubject } from './issues';
import type { IssueList } from './issue-list';
import { KNOWN_RESOURCE_PACKAGES } from './known-packages';
import { closest } from './suggest';
import { checkOwnerConfig } from './run-config-check';

/** A resource of the flow as the node checks see it. */
export interface ResourceEntry {
  type: string | undefined;
  /** Position in `resources`, for messages. */
  index: number;
}

/** What the resource checks leave for the later ones. */
export interface CheckedResources {
  /** First resource of each id. */
  byId: Map<string, ResourceEntry>;
  /** Copies with config defaults filled in (only meaningful when no error was found). */
  normalized: FlowResource[];
}

/** Checks resource ids, types and configs. */
export function checkResources(raw: unknown, catalog: NodeCatalog, issues: IssueList): CheckedResources {
  const byId = new Map<string, ResourceEntry>();
  const normalized: FlowResource[] = [];
  if (!Array.isArray(raw)) return { byId, normalized };
  raw.forEach((resource: unknown, index) => {
    if (!isPlainObject(resource)) return;
    const path = `/resources/${index}`;
    const id = typeof resource.id === 'string' ? resource.id : undefined;
    const type = typeof resource.type === 'string' ? resource.type : undefined;
    const subject = resourceSubject(id, type, index, resource.name);
    const copy = cloneJson(resource) as unknown as FlowResource;
    normalized.push(copy);
    if (id !== undefined) {
      const first = byId.get(id);
      if (first) {
        issues.error({
          code: flowErrors.code.DUPLICATE_RESOURCE_ID,
          path: `${path}/id`,
          resourceId: id,
          message: `${subject}: ${path}/id ${JSON.stringify(id)} is already used by the resource at /resources/${first.index}; resource ids must be unique`,
        });
      } else {
        byId.set(id, { type, index });
      }
    }
    if (type === undefined) return;
    const info = findResourceType(catalog, type);
    if (!info) {
      issues.error({
        code: flowErrors.code.UNKNOWN_RESOURCE_TYPE,
        path: `${path}/type`,
        resourceId: id,
        message: `${subject}: ${path}/type ${notInstalled('resource', type, resourceTypeNames(catalog), KNOWN_RESOURCE_PACKAGES)}`,
      });
      return;
    }
    if (resource.config !== undefined && !isPlainObject(resource.config)) return; // the structure check reported it
    const typeWords = `resource type "${type}"${fromPackage(info.package)}`;
    const owner = { path, subject, typeWords, resourceId: id, schema: info.configSchema };
    const checked = checkOwnerConfig(
      catalog,
      info,
      resource.config ?? {},
      owner,
      flowErrors.code.RESOURCE_CONFIG_INVALID,
      issues,
    );
    if (!checked) return;
    copy.config = checked.config;
  });
  return { byId, normalized };
}

/**
 * `"x" is not an installed node type; it comes with tagflow (in @tagflow/nodes-mqtt@0.1.0)...`, or
 * a "did you mean" when a close name is installed or well known. The well-known packages are the
 * ones tagflow comes with (issue 16), so a missing one means a broken installation, not a package
 * to download: an edge box often has no registry to download from.
 */
export function notInstalled(
  kind: 'node' | 'resource',
  type: string,
  installed: string[],
  known: Readonly<Record<string, string>>,
): string {
  const base = `${JSON.stringify(type)} is not an installed ${kind} type`;
  const isKnown = (name: string) => Object.prototype.hasOwnProperty.call(known, name);
  if (isKnown(type)) {
    const spec = `${known[type]}@${TAGFLOW_RELEASE}`;
    return `${base}; it comes with tagflow (in ${spec}), which this runtime's installation lacks: reinstall tagflow ${TAGFLOW_RELEASE}`;
  }
  const guess = closest(type, new Set([...installed, ...Object.keys(known)]));
  if (guess && installed.includes(guess)) return `${base}; did you mean ${JSON.stringify(guess)}?`;
  if (guess) return `${base}; did you mean ${JSON.stringify(guess)} (provided by ${known[guess]})?`;
  return `${base}; install the package that provides it`;
}

/** ` (from pkg@1.2.3)`, or nothing when the package is not known. */
export function fromPackage(pkg: { name: string; version: string } | undefined): string {
  return pkg ? ` (from ${pkg.name}@${pkg.version})` : '';
}

/** Pointer of a config field, e.g. `/nodes/3/config/broker`. */
export function configFieldPath(ownerPath: string, field: string): string {
  return `${ownerPath}/config/${pointerSegment(field)}`;
}
