import {
  describeUser,
  inUseMessage,
  manageRefusal,
  packagesFromApi,
  usersFromRefusal,
} from '../src/state/palette-packages';

describe('the palette manager state', () => {
  const body = {
    packages: [
      {
        name: '@acme/oee-nodes',
        version: '0.1.0',
        source: 'file',
        installedAt: '2026-12-04T10:00:00.000Z',
        nodes: ['oee'],
        resources: [],
        loaded: true,
      },
      { name: '@acme/a-nodes', version: '2.0.0', nodes: ['a'], resources: ['a-conn'] },
      { name: 42, version: '1.0.0' },
    ],
    builtIn: [{ name: '@tagflow/nodes-core', version: '0.1.0', nodes: ['timer', 'debug'], resources: [] }],
    caller: { name: 'Shift operator', role: 'viewer' },
  };

  it('lists installed packages first, by name, then those that come with the runtime, skipping malformed rows', () => {
    const view = packagesFromApi(body);
    expect(view.rows.map((r) => [r.name, r.builtIn])).toEqual([
      ['@acme/a-nodes', false],
      ['@acme/oee-nodes', false],
      ['@tagflow/nodes-core', true],
    ]);
    expect(view.rows[1]).toEqual({
      name: '@acme/oee-nodes',
      version: '0.1.0',
      nodes: ['oee'],
      resources: [],
      builtIn: false,
      source: 'file',
      installedAt: '2026-12-04T10:00:00.000Z',
    });
    expect(view.rows[0].resources).toEqual(['a-conn']);
    expect(packagesFromApi(null).rows).toEqual([]);
  });

  it('offers install and remove to an admin, or to a runtime that does not say the role; says why not to others', () => {
    expect(manageRefusal(packagesFromApi({ ...body, caller: { name: 'x', role: 'admin' } }))).toBeUndefined();
    expect(manageRefusal(packagesFromApi({ packages: [] }))).toBeUndefined();
    expect(manageRefusal(packagesFromApi(body))).toBe(
      'You are signed in with a viewer token (“Shift operator”): installing and removing node packages needs an admin token, because a package is code that runs inside the runtime. You can still see what is installed.',
    );
    expect(manageRefusal(packagesFromApi({ caller: { role: 'deployer' } }))).toMatch(
      /^You are signed in with a deployer token: installing/,
    );
  });

  it('names the users of a package by label and flow name, falling back to ids', () => {
    const users = usersFromRefusal({
      error: '@acme/oee-nodes 0.1.0 is used by the running flow: ...',
      code: 'IN_USE',
      usedBy: ['press-oee', 'conn'],
      users: [
        { kind: 'node', id: 'press-oee', label: 'Press OEE', type: 'oee', flowId: 'line-1', flowName: 'Press line' },
        { kind: 'resource', id: 'conn', type: 'oee-conn', flowId: 'line-2' },
        { id: 1 },
      ],
    });
    expect(users.map(describeUser)).toEqual([
      '“Press OEE” (oee) in flow “Press line”',
      'resource “conn” (oee-conn) in flow “line-2”',
    ]);
    expect(inUseMessage('@acme/oee-nodes', users.slice(0, 1))).toBe(
      '@acme/oee-nodes cannot be removed while deployed flows use it: “Press OEE” (oee) in flow “Press line”. Delete or replace it, deploy, then remove the package.',
    );
    expect(usersFromRefusal({ error: 'x' })).toEqual([]);
  });
});
