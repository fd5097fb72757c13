import { defineResource } from '@tagflow/node-sdk';
import { NodeRegistry } from '../src';
import { counter } from './helpers';

const pool = defineResource({
  type: 'pool',
  version: 1,
  description: 'test resource',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  create: () => ({ connection: {}, close: () => undefined }),
});

describe('NodeRegistry', () => {
  it('refuses a node or resource type of a name another package installed, and takes it again from the same package', () => {
    const registry = new NodeRegistry();
    registry.registerNode(counter, { name: '@acme/a', version: '1.0.0' });
    registry.registerResource(pool, { name: '@acme/a', version: '1.0.0' });
    expect(() => registry.registerNode(counter, { name: '@acme/b', version: '1.0.0' })).toThrow(
      'node type "counter" from @acme/b clashes with the one already installed from @acme/a',
    );
    expect(() => registry.registerResource(pool, { name: '@acme/b', version: '1.0.0' })).toThrow(
      'resource type "pool" from @acme/b clashes with the one already installed from @acme/a',
    );
    registry.registerNode(counter, { name: '@acme/a', version: '1.1.0' });
    expect(registry.node('counter')?.package.version).toBe('1.1.0');
    expect(registry.resource('pool')?.package.name).toBe('@acme/a');
  });

  it('forgets the cached catalog when a type is registered or a package removed', () => {
    const registry = new NodeRegistry();
    registry.registerNode(counter);
    expect([...(registry.catalog().resources as Map<string, unknown>).keys()]).toEqual([]);
    registry.registerResource(pool, { name: '@acme/a', version: '1.0.0' });
    expect([...(registry.catalog().resources as Map<string, unknown>).keys()]).toEqual(['pool']);
    registry.unregisterPackage('@acme/a');
    expect([...(registry.catalog().resources as Map<string, unknown>).keys()]).toEqual([]);
    expect(registry.node('counter')?.package).toEqual({ name: 'local', version: '0.0.0' });
  });
});
