import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import type { Request, Response } from 'express';
import { PackageError } from '../../packages/package-error';
import type { PackageErrorCode } from '../../packages/package-error';
import type { PackageManager } from '../../packages/package-manager';
import { HttpError } from '../http-error';
import type { RouteContext, RouteDef } from '../route-types';

/** Largest package or bundle upload: node packages are small, a bundle holds a few of them. */
export const PACKAGE_BODY_LIMIT = '64mb';

/** Package managers are optional deps: only `tagflow start`, which has a data dir, gives one. */
type PackagesContext = RouteContext & { packages?: PackageManager };

const STATUS: Record<PackageErrorCode, number> = {
  REFUSED: 422,
  BUNDLE_INVALID: 422,
  IN_USE: 409,
  BUILT_IN: 409,
  NOT_INSTALLED: 404,
  FETCH_FAILED: 502,
};

const tarballBody = express.raw({
  type: ['application/gzip', 'application/x-gzip', 'application/octet-stream', 'application/x-tar'],
  limit: PACKAGE_BODY_LIMIT,
});
const jsonBody = express.json({ limit: '16kb' });

/** Node packages in the data dir: list, install (upload or registry), remove, and bundles for offline deploys. */
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
          '{packages: [{name, version, integrity, source, installedAt, nodes, resources, loaded}], builtIn: [{name, version, nodes, resources}]}',
        '503': 'this runtime does not manage packages',
      },
      handler(_req, res) {
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
        res.json({ packages, builtIn: [...builtIn.values()].sort((a, b) => a.name.localeCompare(b.name)) });
      },
    },
    {
      method: 'POST',
      path: '/api/packages',
      role: 'deployer',
      summary:
        'Installs a node package and makes its types usable at once. Body: the package .tgz (Content-Type application/gzip or application/octet-stream), or JSON {name, version?} to fetch it from the npm registry the runtime is configured for.',
      responses: {
        '200': '{status: installed|replaced|unchanged, package, previousVersion?}',
        '400': 'no package in the body',
        '409': 'the package comes with the runtime',
        '413': 'the body is larger than 64 MB',
        '415': 'the body is neither a .tgz nor JSON',
        '422':
          'the package was refused (not a node package, SDK range, a module that throws, a type clash); nothing was installed',
        '502': 'npm could not fetch or install it',
      },
      async handler(req, res, caller) {
        const packages = manager();
        if (req.is('application/json')) {
          await parse(jsonBody, req, res);
          const { name, version } = (req.body ?? {}) as { name?: unknown; version?: unknown };
          if (typeof name !== 'string' || !/^(@[\w.-]+\/)?[\w.-]+$/.test(name))
            throw new HttpError(
              400,
              'the body must be {"name": "<npm package name>", "version": "<version or range>"}',
            );
          if (version !== undefined && (typeof version !== 'string' || !/^[\w.^~<>=| *-]+$/.test(version)))
            throw new HttpError(400, '"version" must be a version or a range, e.g. "1.2.0" or "^1.2"');
          const spec = version === undefined ? name : `${name}@${version}`;
          await answer(res, () => packages.install({ source: 'registry', spec }, by(caller)));
          return;
        }
        await withUpload(req, res, 'package.tgz', (file) =>
          answer(res, () => packages.install({ source: 'file', file }, by(caller))),
        );
      },
    },
    {
      method: 'DELETE',
      path: '/api/packages/:name',
      role: 'deployer',
      summary:
        'Removes an installed node package (a scoped name URL-encoded: %40acme%2Fnodes-foo). Refused while the running flow uses one of its types.',
      responses: {
        '200': '{removed: {name, version}}',
        '404': 'not installed',
        '409': '{error, usedBy: node ids}: the running flow uses it, or it comes with the runtime',
      },
      async handler(req, res, caller) {
        const name = String(req.params.name);
        await answer(res, async () => {
          const removed = await manager().remove(name, by(caller));
          return { removed: { name: removed.name, version: removed.version } };
        });
      },
    },
    {
      method: 'POST',
      path: '/api/packages/bundle',
      role: 'deployer',
      summary:
        'Installs the node packages of a bundle (made by `tagflow pack`) that this runtime lacks, without registry access. Body: the bundle .tgz. Every tarball must match its sha512 in the manifest, or nothing is installed. The flow is not deployed: PUT /api/flow does that.',
      responses: {
        '200': '{flowId, packages: [{name, version, status: installed|replaced|unchanged}]}',
        '400': 'no bundle in the body',
        '413': 'the body is larger than 64 MB',
        '415': 'the body is not a .tgz',
        '422': 'the bundle is damaged or altered, or one of its packages was refused',
      },
      async handler(req, res, caller) {
        const packages = manager();
        await withUpload(req, res, 'bundle.tgz', (file) =>
          answer(res, async () => {
            const outcome = await packages.installBundle(file, by(caller));
            const flowId = (outcome.flow as { id?: unknown } | null)?.id;
            return { flowId: typeof flowId === 'string' ? flowId : null, packages: outcome.packages };
          }),
        );
      },
    },
  ];
}

/** Runs a package operation and answers with its result, or with the status its refusal maps to. */
async function answer(res: Response, operation: () => Promise<object>): Promise<void> {
  try {
    res.json(await operation());
  } catch (err) {
    if (!(err instanceof PackageError)) throw err;
    res
      .status(STATUS[err.code])
      .json({ error: err.message, code: err.code, ...(err.usedBy.length > 0 ? { usedBy: err.usedBy } : {}) });
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
