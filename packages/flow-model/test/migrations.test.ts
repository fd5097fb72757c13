import { migrateNode, validateFlow } from '../src';
import type { FlowNode, NodeMigrations } from '../src';
import { errorsOf, smallFlow } from './helpers';
import { mapCatalog } from './test-catalog';

const catalog = mapCatalog();

/**
 * The test catalog's `scale` type is at version 3: v1 had `factor`, v2 renamed it `gain`, v3 turned
 * `bias` into `offset` (leaving `bias: undefined` behind, which must count as absent, as in JSON).
 */
const scaleMigrations: NodeMigrations = {
  version: 3,
  migrations: {
    1: ({ factor, ...rest }) => ({ ...rest, gain: factor }),
    2: (config) => ({ ...config, offset: typeof config.bias === 'number' ? config.bias : 0, bias: undefined }),
  },
};

const migrations = (type: string): NodeMigrations | undefined => (type === 'scale' ? scaleMigrations : undefined);

function flowWithScale(node: Partial<FlowNode>) {
  const flow = smallFlow();
  flow.nodes.push({ id: 'scaler', type: 'scale', typeVersion: 1, ...node });
  flow.edges.push({ source: 'avg', target: 'scaler' });
  return flow;
}

describe('migrations in validateFlow', () => {
  it('upgrades an old node step by step, then checks and defaults the upgraded config', () => {
    const flow = flowWithScale({ typeVersion: 1, config: { factor: 2.5 } });
    const result = validateFlow(flow, catalog, { migrations });
    if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
    expect(result.migrated).toEqual([{ nodeId: 'scaler', from: 1, to: 3 }]);
    const scaler = result.flow.nodes.find((n) => n.id === 'scaler');
    expect(scaler).toMatchObject({ typeVersion: 3, config: { gain: 2.5, offset: 0 } });
    expect(flow.nodes[2]).toEqual({ id: 'scaler', type: 'scale', typeVersion: 1, config: { factor: 2.5 } });
  });

  it('starts from the saved version, skipping steps already done', () => {
    const second = jest.fn((config: Record<string, unknown>) => ({ ...config, offset: 1 }));
    const first = jest.fn(() => {
      throw new Error('must not run');
    });
    const result = validateFlow(flowWithScale({ typeVersion: 2, config: { gain: 4 } }), catalog, {
      migrations: () => ({ version: 3, migrations: { 1: first, 2: second } }),
    });
    expect(result.ok && result.migrated).toEqual([{ nodeId: 'scaler', from: 2, to: 3 }]);
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledWith({ gain: 4 });
  });

  it('checks the config after migration, with paths into the upgraded config', () => {
    const result = validateFlow(flowWithScale({ typeVersion: 1, config: { factor: 'big' } }), catalog, { migrations });
    expect(errorsOf(result).map((e) => [e.code, e.path, e.nodeId])).toEqual([
      ['CONFIG_INVALID', '/nodes/2/config/gain', 'scaler'],
    ]);
  });

  it('refuses a node when a migration step is missing, naming the node and the step', () => {
    const result = validateFlow(flowWithScale({ typeVersion: 1, config: { factor: 1 } }), catalog, {
      migrations: () => ({ version: 3, migrations: { 1: scaleMigrations.migrations![1] } }),
    });
    expect(errorsOf(result)).toEqual([
      {
        code: 'MIGRATION_MISSING',
        path: '/nodes/2/typeVersion',
        nodeId: 'scaler',
        message: expect.stringMatching(
          /^node "scaler" \(scale\): \/nodes\/2\/typeVersion is 1 but the installed "scale" is version 3 and has no migration from version 2 to 3/,
        ),
      },
    ]);
  });

  it('refuses a node when its type has no migrations at all', () => {
    const result = validateFlow(flowWithScale({ typeVersion: 2, config: { gain: 1 } }), catalog, {
      migrations: () => undefined,
    });
    expect(errorsOf(result).map((e) => e.code)).toEqual(['MIGRATION_MISSING']);
  });

  it('reports a migration that throws, with its message', () => {
    const result = validateFlow(flowWithScale({ typeVersion: 1, config: {} }), catalog, {
      migrations: () => ({
        version: 3,
        migrations: {
          1: () => {
            throw new Error('factor is missing, cannot compute gain');
          },
        },
      }),
    });
    expect(errorsOf(result)).toEqual([
      {
        code: 'MIGRATION_FAILED',
        path: '/nodes/2/config',
        nodeId: 'scaler',
        message:
          'node "scaler" (scale): /nodes/2/config could not be upgraded from version 1 to 2: factor is missing, cannot compute gain',
      },
    ]);
  });

  it('reports a migration that returns something other than a config object', () => {
    const result = validateFlow(flowWithScale({ typeVersion: 2, config: {} }), catalog, {
      migrations: () => ({ version: 3, migrations: { 2: () => undefined as never } }),
    });
    expect(errorsOf(result)[0]).toMatchObject({
      code: 'MIGRATION_FAILED',
      message: expect.stringContaining('returned undefined instead of a config object'),
    });
  });

  it('never lets a migration modify the input, even one that mutates its argument', () => {
    const flow = flowWithScale({ typeVersion: 1, config: { factor: 3, nested: { a: 1 } } });
    const before = JSON.stringify(flow);
    validateFlow(flow, catalog, {
      migrations: () => ({
        version: 3,
        migrations: {
          1: (config) => {
            (config.nested as { a: number }).a = 99;
            config.gain = config.factor;
            delete config.factor;
            return config;
          },
          2: (config) => config,
        },
      }),
    });
    expect(JSON.stringify(flow)).toBe(before);
  });

  it('without a migrations source (the editor), warns and leaves old nodes for the runtime', () => {
    const result = validateFlow(flowWithScale({ typeVersion: 1, config: { factor: 2 } }), catalog);
    if (!result.ok) throw new Error(result.errors[0].message);
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'MIGRATION_PENDING', path: '/nodes/2/typeVersion', nodeId: 'scaler' }),
    ]);
    expect(result.migrated).toEqual([]);
    expect(result.flow.nodes[2]).toMatchObject({ typeVersion: 1, config: { factor: 2 } });
  });
});

describe('migrateNode', () => {
  const node: FlowNode = { id: 'scaler', type: 'scale', typeVersion: 1, config: { factor: 2 } };

  it('returns an upgraded copy and the versions', () => {
    const result = migrateNode(node, { version: 2, migrations: scaleMigrations.migrations }, '/nodes/0');
    expect(result).toEqual({
      ok: true,
      from: 1,
      to: 2,
      node: { id: 'scaler', type: 'scale', typeVersion: 2, config: { gain: 2 } },
    });
    expect(node.config).toEqual({ factor: 2 });
  });

  it('returns a copy unchanged when already current', () => {
    const result = migrateNode({ ...node, typeVersion: 3 }, scaleMigrations);
    expect(result).toMatchObject({ ok: true, from: 3, to: 3, node: { typeVersion: 3, config: { factor: 2 } } });
  });

  it('refuses to downgrade', () => {
    const result = migrateNode({ ...node, typeVersion: 5 }, scaleMigrations, '/nodes/7');
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'TYPE_VERSION_TOO_NEW', path: '/nodes/7/typeVersion', nodeId: 'scaler' },
    });
  });
});
