import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import type { Request, Response } from 'express';
import { PackageError } from '../../packages/package-error';
import type { PackageErrorCode } from '../../packages/package-error';
import type { PackageManager } from '../../packages/package-manager';
import { checkPackageName, checkVersionSpec } from '../../packages/package-spec';
import { HttpError } from '../http-error';
import type { RouteContext, RouteDef } from '../route-types';

/** Largest package or bundle upload: node packages are small, a bundle holds a few of them. */
export const PACKAGE_BODY_LIMIT = '64mb';

/** Package managers are optional deps: only `tagflow start`, which has a data dir, gives one. */
type PackagesContext = RouteContext & { packages?: PackageManager };

const STATUS: Record<PackageErrorCode, number> = {
  INVALID_SPEC: 400,
  REFUSED: 422,
  NEEDS_BUILD: 422,
  ARCHIVE_INVALID: 422,
  BUNDLE_INVALID: 422,
  IN_USE: 409,
  BUILT_IN: 409,
  NOT_INSTALLED: 404,
  NOT_IN_REGISTRY: 404,
  FETCH_FAILED: 502,
};

const tarballBody = express.raw({
  type: ['application/gzip', 'application/x-gzip', 'application/octet-stream', 'application/x-tar'],
  limit: PACKAGE_BODY_LIMIT,
});
const jsonBody = express.json({ limit: '16kb' });

/**
 * Node packages in the data dir: list, install (upload or registry), remove, and bundles for
 * offline deploys. A node package is code that runs as the runtime (it can read the data dir,
 * the secret key and the environment), so everything that installs or removes one needs the
 * admin role; listing is for viewers.
 */
export function packagesRoutes(ctx: PackagesContext): RouteDef[] {
  const manager = (): PackageManager => {
    if (!ctx.packages)
      throw new HttpError(
        503,
        'this runtime does not install node packages (it was started without a data dir for them)',
      );
    return ctx.packages;
  };
  return [
    {
      method: 'GET',
      path: '/api/packages',
      role: 'viewer',
      summary: 'Node packages installed in the data dir (with their types and integrity), and the built-in ones.',
      responses: {
        '200':
          '{packages: [{name, version, integrity, source, installedAt, nodes, resources, loaded}], builtIn: [{name, version, nodes, resources}], caller: {name, role}} (caller: whose token asked, so the editor offers install and remove to an admin only)',
        '503': 'this runtime does not manage packages',
      },
      handler(_req, res, caller) {
        const packages = manager()
          .list()
          .map((p) => {
            const types = manager().typesOf(p.name);
            const loaded = types.nodes.length + types.resources.length > 0;
            return {
              name: p.name,
              version: p.version,
              integrity: p.integrity,
              source: p.source,
              installedAt: p.installedAt,
              nodes: loaded ? types.nodes.map((n) => n.definition.type) : p.nodes,
              resources: loaded ? types.resources.map((r) => r.definition.type) : p.resources,
              loaded,
            };
          });
        const installed = new Set(packages.map((p) => p.name));
        const builtIn = new Map<string, { name: string; version: string; nodes: string[]; resources: string[] }>();
        const entry = (pkg: { name: string; version: string }) => {
          const found = builtIn.get(pkg.name) ?? { ...pkg, nodes: [], resources: [] };
          builtIn.set(pkg.name, found);
          return found;
        };
        for (const n of ctx.registry.nodeTypes())
          if (!installed.has(n.package.name)) entry(n.package).nodes.push(n.definition.type);
        for (const r of ctx.registry.resourceTypes())
          if (!installed.has(r.package.name)) entry(r.package).resources.push(r.definition.type);
        res.json({
          packages,
          builtIn: [...builtIn.values()].sort((a, b) => a.name.localeCompare(b.name)),
          ...(caller ? { caller: { name: caller.name, role: caller.role } } : {}),
        });
      },
    },
    {
      method: 'POST',
      path: '/api/packages',
      role: 'admin',
      summary:
        "Installs a node package and makes its types usable at once; its code runs as the runtime, and npm runs none of its scripts. Body: the package .tgz (Content-Type application/gzip or application/octet-stream), or JSON {name, version?} to fetch it from the npm registry the runtime is configured for. A package needing a build step (an install script or a native addon, in it or a dependency) installs only from a bundle made on this runtime's platform.",
      responses: {
        '200':
          "{status: installed|replaced|unchanged, package, previousVersion?}; WebSocket clients get {type: 'packages', change: 'installed', name}",
        '400': '{error, code: INVALID_SPEC}: no package in the body, or a name or version npm does not accept',
        '409': 'the package comes with the runtime',
        '413': 'the body is larger than 64 MB',
        '415': 'the body is neither a .tgz nor JSON',
        '422':
          '{error, code}: refused, nothing was installed and nothing ran: not a node package, SDK range, a module that throws, a type clash (REFUSED); needs a build step (NEEDS_BUILD); not a gzip tarball, truncated, or past the size limits (ARCHIVE_INVALID)',
        '404': '{error, code: NOT_IN_REGISTRY}: the registry has no such package or version',
        '502': '{error, code: FETCH_FAILED}: npm could not reach the registry',
      },
      async handler(req, res, caller) {
        const packages = manager();
        if (req.is('application/json')) {
          await parse(jsonBody, req, res);
          const { name, version } = (req.body ?? {}) as { name?: unknown; version?: unknown };
          if (typeof name !== 'string')
            throw new HttpError(
              400,
              'the body must be {"name": "<npm package name>", "version": "<version or range>"}',
            );
          if (version !== undefined && typeof version !== 'string')
            throw new HttpError(400, '"version" must be a string: a version or a range, e.g. "1.2.0" or "^1.2"');
          await answer(res, () => {
            // Checked here, before npm runs: a typo is a 400, not a registry error.
            checkPackageName(name);
            if (version !== undefined) checkVersionSpec(name, version);
            const spec = version === undefined ? name : `${name}@${version}`;
            return announced(ctx, 'installed', packages.install({ source: 'registry', spec }, by(caller)));
          });
          return;
        }
        await withUpload(req, res, 'package.tgz', (file) =>
          answer(res, () => announced(ctx, 'installed', packages.install({ source: 'file', file }, by(caller)))),
        );
      },
    },
    {
      method: 'DELETE',
      path: '/api/packages/:name',
      role: 'admin',
      summary:
        'Removes an installed node package (a scoped name URL-encoded: %40acme%2Fnodes-foo). Refused while the running flow uses one of its types. Admin: it changes which code the runtime runs.',
      responses: {
        '200': "{removed: {name, version}}; WebSocket clients get {type: 'packages', change: 'removed', name}",
        '404': 'not installed',
        '409': '{error, usedBy: node ids}: the running flow uses it, or it comes with the runtime',
      },
      async handler(req, res, caller) {
        const name = String(req.params.name);
        await answer(res, async () => {
          const removed = await announced(ctx, 'removed', manager().remove(name, by(caller)));
          return { removed: { name: removed.name, version: removed.version } };
        });
      },
    },
    {
      method: 'POST',
      path: '/api/packages/bundle',
      role: 'admin',
      summary:
        "Installs the node packages of a bundle (made by `tagflow pack`) that this runtime lacks, without registry access and without running any package script. Body: the bundle .tgz. Every tarball must match its sha512 in the manifest, or nothing is installed; a package needing a build step installs only if the bundle was packed on this runtime's platform. The flow is not deployed: PUT /api/flow does that.",
      responses: {
        '200': '{flowId, packages: [{name, version, status: installed|replaced|unchanged}]}',
        '400': 'no bundle in the body',
        '413': 'the body is larger than 64 MB',
        '415': 'the body is not a .tgz',
        '422':
          '{error, code}: not a gzip tarball, truncated or past the size limits (ARCHIVE_INVALID), damaged or altered (BUNDLE_INVALID), packed on another platform for a package needing a build step (NEEDS_BUILD), or one of its packages was refused',
      },
      async handler(req, res, caller) {
        const packages = manager();
        await withUpload(req, res, 'bundle.tgz', (file) =>
          answer(res, async () => {
            const outcome = await packages.installBundle(file, by(caller));
            ctx.broadcast?.({ type: 'packages', change: 'installed', names: outcome.packages.map((p) => p.name) });
            const flowId = (outcome.flow as { id?: unknown } | null)?.id;
            return { flowId: typeof flowId === 'string' ? flowId : null, packages: outcome.packages };
          }),
        );
      },
    },
  ];
}

/**
 * Tells every open editor that the installed types changed once `operation` succeeded, so their
 * palettes read `/api/nodes` again without a reload.
 */
async function announced<T extends { name: string } | { package: { name: string } }>(
  ctx: PackagesContext,
  change: 'installed' | 'removed',
  operation: Promise<T>,
): Promise<T> {
  const done = await operation;
  const name = 'package' in done ? done.package.name : done.name;
  ctx.broadcast?.({ type: 'packages', change, name });
  return done;
}

/** Runs a package operation and answers with its result, or with the status its refusal maps to. */
async function answer(res: Response, operation: () => Promise<object> | object): Promise<void> {
  try {
    res.json(await operation());
  } catch (err) {
    if (!(err instanceof PackageError)) throw err;
    res.status(STATUS[err.code]).json({
      error: err.message,
      code: err.code,
      ...(err.usedBy.length > 0 ? { usedBy: err.usedBy } : {}),
      ...(err.users.length > 0 ? { users: err.users } : {}),
    });
  }
}

/** Saves a tarball body to a temporary file for `use`, deleted afterwards. */
async function withUpload(
  req: Request,
  res: Response,
  name: string,
  use: (file: string) => Promise<void>,
): Promise<void> {
  if (!req.is(['application/gzip', 'application/x-gzip', 'application/octet-stream', 'application/x-tar'])) {
    throw new HttpError(415, 'send the .tgz with Content-Type: application/gzip (or application/octet-stream)');
  }
  await parse(tarballBody, req, res);
  const body: unknown = req.body;
  if (!Buffer.isBuffer(body) || body.length === 0) throw new HttpError(400, 'the body is empty: send the .tgz');
  const dir = await mkdtemp(path.join(tmpdir(), 'tagflow-upload-'));
  try {
    const file = path.join(dir, name);
    await writeFile(file, body);
    await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs a body parser inside a handler: each of these routes takes more than one body type. */
function parse(parser: express.RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    void parser(req, res, (err?: unknown) => {
      if (err === undefined) return resolve();
      const e = err as { type?: string; message?: string };
      if (e.type === 'entity.too.large')
        return reject(new HttpError(413, `the body is larger than ${PACKAGE_BODY_LIMIT.toUpperCase()}`));
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
}

function by(caller: { name: string } | undefined): string {
  // Routes with a role always have a caller; this is only a guard against a table mistake.
  if (!caller) throw new Error('a package route ran without an authenticated caller');
  return caller.name;
}
