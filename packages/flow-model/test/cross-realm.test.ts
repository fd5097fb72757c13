import { runInNewContext } from 'node:vm';
import { validateFlow } from '../src';

describe('flows built in another realm', () => {
  it('accepts plain objects whose Object.prototype is not this realm’s', () => {
    const foreign = runInNewContext('({ schemaVersion: 1, id: "x", nodes: [], edges: [] })');
    expect(Object.getPrototypeOf(foreign)).not.toBe(Object.prototype);
    const result = validateFlow(foreign, { nodes: {} });
    expect(result.ok).toBe(true);
  });
});
