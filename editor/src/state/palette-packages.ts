/** One installed package as GET /api/packages lists it (`packages`) or as coming with the runtime (`builtIn`). */
export interface PackageRow {
  name: string;
  version: string;
  /** Node types it provides (resource types after them, marked). */
  nodes: string[];
  resources: string[];
  /** True for the packages that come with the runtime: they cannot be removed. */
  builtIn: boolean;
  /** `file`, `registry` or `bundle` for installed ones. */
  source?: string;
  installedAt?: string;
}

/** Roles of the admin API, weakest first. */
export type Role = 'viewer' | 'deployer' | 'admin';

/** What the palette manager shows: the rows, and what the signed-in token may do. */
export interface PackagesView {
  rows: PackageRow[];
  /** The caller's role, when the runtime says it (older runtimes do not). */
  role?: Role;
  callerName?: string;
}

/** A node or resource of a running flow that keeps a package from being removed (runtime `PackageUser`). */
export interface PackageUser {
  kind: 'node' | 'resource';
  id: string;
  label?: string;
  type: string;
  flowId: string;
  flowName?: string;
}

/** Reads the body of GET /api/packages; what is not the documented shape is left out, never guessed. */
export function packagesFromApi(body: unknown): PackagesView {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const rows = (list: unknown, builtIn: boolean): PackageRow[] =>
    (Array.isArray(list) ? list : []).flatMap((p: unknown) => {
      if (!p || typeof p !== 'object') return [];
      const r = p as Record<string, unknown>;
      if (typeof r.name !== 'string' || typeof r.version !== 'string') return [];
      const row: PackageRow = {
        name: r.name,
        version: r.version,
        nodes: strings(r.nodes),
        resources: strings(r.resources),
        builtIn,
      };
      if (typeof r.source === 'string') row.source = r.source;
      if (typeof r.installedAt === 'string') row.installedAt = r.installedAt;
      return [row];
    });
  const view: PackagesView = {
    // Installed ones first (those a person may change), then the runtime's own, each by name.
    rows: [...rows(b.packages, false).sort(byName), ...rows(b.builtIn, true).sort(byName)],
  };
  const caller = b.caller as { name?: unknown; role?: unknown } | undefined;
  if (caller && (caller.role === 'viewer' || caller.role === 'deployer' || caller.role === 'admin')) {
    view.role = caller.role;
    if (typeof caller.name === 'string') view.callerName = caller.name;
  }
  return view;
}

/**
 * Why install and remove are not offered, in plain words, or undefined when they are (an admin
 * token, or a runtime too old to say the role: its answer to the attempt then says it).
 */
export function manageRefusal(view: PackagesView): string | undefined {
  if (view.role === undefined || view.role === 'admin') return undefined;
  return (
    `You are signed in with a ${view.role} token${view.callerName ? ` (“${view.callerName}”)` : ''}: ` +
    'installing and removing node packages needs an admin token, because a package is code that runs ' +
    'inside the runtime. You can still see what is installed.'
  );
}

/** `"Pump OEE" (oee) in flow "Line 1"`: a user of a package, as a person knows it. */
export function describeUser(user: PackageUser): string {
  const what = user.kind === 'resource' ? 'resource ' : '';
  return `${what}“${user.label ?? user.id}” (${user.type}) in flow “${user.flowName ?? user.flowId}”`;
}

/** Reads the `users` of a 409 IN_USE answer (newer runtimes); [] when absent. */
export function usersFromRefusal(body: unknown): PackageUser[] {
  const users = body && typeof body === 'object' ? (body as { users?: unknown }).users : undefined;
  if (!Array.isArray(users)) return [];
  return users.flatMap((u: unknown) => {
    if (!u || typeof u !== 'object') return [];
    const r = u as Record<string, unknown>;
    if (typeof r.id !== 'string' || typeof r.type !== 'string' || typeof r.flowId !== 'string') return [];
    const user: PackageUser = {
      kind: r.kind === 'resource' ? 'resource' : 'node',
      id: r.id,
      type: r.type,
      flowId: r.flowId,
    };
    if (typeof r.label === 'string') user.label = r.label;
    if (typeof r.flowName === 'string') user.flowName = r.flowName;
    return [user];
  });
}

/** The words shown when a removal is refused because running flows use the package. */
export function inUseMessage(name: string, users: readonly PackageUser[]): string {
  const listed = users.map(describeUser);
  const them = users.length === 1 ? 'it' : 'them';
  return `${name} cannot be removed while deployed flows use it: ${listed.join(', ')}. Delete or replace ${them}, deploy, then remove the package.`;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function byName(a: PackageRow, b: PackageRow): number {
  return a.name.localeCompare(b.name);
}
