/**
 * Request bodies for `PUT /api/flow` that a careless or hostile client may send, as raw text: what
 * the generated flows cannot reach (not JSON, too large) or must always include (the reproductions
 * of issue 14: 10k levels of nesting in a config or in `ui`, `1e400`, a flow of 60k nodes, a 1 MB id).
 */
export interface RawBody {
  name: string;
  text: string;
}

const flowText = (nodes: string, extra = ''): string =>
  `{"schemaVersion":1,"id":"raw","nodes":[${nodes}],"edges":[]${extra}}`;

const deepObject = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Builds each body when asked: several are megabytes. */
export const RAW_BODIES: ReadonlyArray<() => RawBody> = [
  () => ({ name: 'not JSON', text: 'this is not a flow' }),
  () => ({ name: 'empty', text: '' }),
  () => ({ name: 'a list', text: '[]' }),
  () => ({ name: 'null', text: 'null' }),
  () => ({ name: 'a text', text: '"flow"' }),
  () => ({ name: 'truncated', text: flowText('{"id":"a","type":"scale"').slice(0, -3) }),
  () => ({
    name: '10k levels in a config',
    text: flowText(`{"id":"a","type":"scale","typeVersion":1,"config":${deepObject(10_000)}}`),
  }),
  () => ({ name: '10k levels in ui', text: flowText('', `,"ui":${deepObject(10_000)}`) }),
  () => ({ name: '100k levels of lists', text: `${'['.repeat(100_000)}${']'.repeat(100_000)}` }),
  () => ({
    name: 'above: 1e400',
    text: flowText('{"id":"t","type":"threshold","typeVersion":1,"config":{"above":1e400}}'),
  }),
  () => ({
    name: '150k debug nodes (7 MB, over the body limit)',
    text: flowText(
      Array.from({ length: 150_000 }, (_, i) => `{"id":"d${i}","type":"debug","typeVersion":1}`).join(','),
    ),
  }),
  () => ({
    name: '60k debug nodes (under the body limit)',
    text: flowText(Array.from({ length: 60_000 }, (_, i) => `{"id":"d${i}","type":"debug","typeVersion":1}`).join(',')),
  }),
  () => ({
    name: 'a 1 MB node id',
    text: flowText(`{"id":"${'x'.repeat(1_000_000)}","type":"debug","typeVersion":1}`),
  }),
  () => ({
    name: '__proto__ as a node field',
    text: flowText('{"id":"p","type":"debug","typeVersion":1,"__proto__":{"polluted":true}}'),
  }),
];
