import fc from 'fast-check';
import { cloneTemplate, Deep, NonFinite } from './flow-template';
import { oddNumber, oddString, PROTOTYPE_KEYS, jsonLike, setOwn } from './odd-values';

type Json = Record<string, unknown>;

/** One change to a flow template; `pick` numbers choose the node, edge or field it applies to. */
export interface Mutation {
  kind: MutationKind;
  pick: number;
  pick2: number;
  value: unknown;
}

const KINDS = [
  'drop-field',
  'duplicate-id',
  'wrong-type',
  'wrong-type-version',
  'edge-to-missing',
  'config-value',
  'huge-number',
  'non-finite',
  'deep-nesting',
  'long-string',
  'odd-id',
  'prototype-key',
  'cycle',
  'many-nodes',
  'wrong-collection',
  'extra-field',
  'schema-version',
  'queue',
  'resource',
] as const;
export type MutationKind = (typeof KINDS)[number];

/** Values put where a config value was: wrong types, odd numbers, placeholders for what JSON cannot carry. */
const oddConfigValue: fc.Arbitrary<unknown> = fc.oneof(
  oddNumber.map((n) => (Number.isFinite(n) ? n : new NonFinite(n))),
  oddString,
  fc.constantFrom(null, true, [], {}, [1, 2], { min: 1 }),
  jsonLike,
  fc.constantFrom(new Deep(50, false), new Deep(10_000, false), new Deep(10_000, true)),
);

/** A mutation of any kind, with what it needs. */
export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom(...KINDS),
  pick: fc.nat(),
  pick2: fc.nat(),
  value: oddConfigValue,
});

/**
 * A copy of `flow` with the mutations applied in order. `otherTypes` are type names a node may be
 * switched to (installed or not); every mutation tolerates a flow already broken by an earlier one.
 */
export function mutate(flow: unknown, mutations: readonly Mutation[], otherTypes: readonly string[]): unknown {
  let out = cloneTemplate(flow);
  for (const m of mutations) out = applyMutation(out, m, otherTypes);
  return out;
}

function applyMutation(flow: unknown, m: Mutation, otherTypes: readonly string[]): unknown {
  if (!isObject(flow)) return flow;
  const nodes = Array.isArray(flow.nodes) ? (flow.nodes as unknown[]).filter(isObject) : [];
  const edges = Array.isArray(flow.edges) ? (flow.edges as unknown[]).filter(isObject) : [];
  const node = nodes.length > 0 ? nodes[m.pick % nodes.length] : undefined;
  const other = nodes.length > 0 ? nodes[m.pick2 % nodes.length] : undefined;
  switch (m.kind) {
    case 'drop-field': {
      const target = [flow, node, edges[m.pick % Math.max(1, edges.length)]].filter(isObject)[m.pick2 % 3] ?? flow;
      const keys = Object.keys(target);
      if (keys.length > 0) delete target[keys[m.pick % keys.length]];
      return flow;
    }
    case 'duplicate-id':
      if (node && other) node.id = other.id;
      else if (node) (flow.nodes as unknown[]).push(cloneTemplate(node));
      return flow;
    case 'wrong-type':
      if (node) node.type = [...otherTypes, 'no-such-type', '', 42, null][m.pick2 % (otherTypes.length + 4)];
      return flow;
    case 'wrong-type-version':
      if (node) node.typeVersion = [0, -1, 1.5, 999, '1', null, new NonFinite(Number.NaN), 2 ** 53][m.pick2 % 8];
      return flow;
    case 'edge-to-missing': {
      const edge = edges.length > 0 ? edges[m.pick % edges.length] : { source: node?.id ?? 'a', target: 'b' };
      if (edges.length === 0 && Array.isArray(flow.edges)) flow.edges.push(edge);
      const field = ['source', 'target', 'sourcePort', 'targetPort'][m.pick2 % 4];
      edge[field] = ['missing', 'constructor', '__proto__', 'error', '', 7][m.pick % 6];
      return flow;
    }
    case 'config-value': {
      if (!node) return flow;
      if (!isObject(node.config)) node.config = {};
      const config = node.config as Json;
      const keys = Object.keys(config);
      const key = keys.length > 0 && m.pick2 % 4 !== 0 ? keys[m.pick % keys.length] : `extra${m.pick % 3}`;
      setOwn(config, key, m.value);
      return flow;
    }
    case 'huge-number':
    case 'non-finite': {
      const value =
        m.kind === 'huge-number'
          ? [1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 1e21, -0][m.pick2 % 5]
          : new NonFinite([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN][m.pick2 % 3]);
      const spots = numberSpots(flow);
      if (spots.length > 0) {
        const [holder, key] = spots[m.pick % spots.length];
        holder[key] = value;
      } else if (node) {
        node.ui = { x: value, y: 0 };
      }
      return flow;
    }
    case 'deep-nesting': {
      const deep = new Deep([100, 10_000, 50_000][m.pick2 % 3], m.pick % 2 === 0);
      const where = m.pick % 4;
      if (where === 0 && node) setOwn(isObject(node.config) ? node.config : (node.config = {}), 'nested', deep);
      else if (where === 1 && node) node.ui = { x: 0, y: 0, extra: deep };
      else if (where === 2) flow.ui = { layout: deep };
      else if (Array.isArray(flow.nodes)) flow.nodes.push(deep);
      return flow;
    }
    case 'long-string': {
      const text = 'x'.repeat([300, 70_000, 1_000_000][m.pick2 % 3]);
      if (node && m.pick % 3 === 0) renameNode(flow, node, text);
      else if (node && m.pick % 3 === 1) node.name = text;
      else flow.name = text;
      return flow;
    }
    case 'odd-id': {
      const id = ['', ' ', 'a b', 'ünïcode', '💧', 'a/b', '-lead', 'x'.repeat(256), 7, null][m.pick2 % 10];
      if (node) renameNode(flow, node, id);
      else flow.id = id;
      return flow;
    }
    case 'prototype-key': {
      const key = PROTOTYPE_KEYS[m.pick2 % PROTOTYPE_KEYS.length];
      const where = m.pick % 5;
      if (where === 0 && node) renameNode(flow, node, key);
      else if (where === 1 && node)
        setOwn(isObject(node.config) ? node.config : (node.config = {}), key, { polluted: true });
      else if (where === 2 && node) setOwn(node, key, { polluted: true });
      else if (where === 3) setOwn(flow, key, { polluted: true });
      else if (Array.isArray(flow.resources)) flow.resources.push({ id: key, type: 'mqtt-broker', config: {} });
      return flow;
    }
    case 'cycle':
      if (node && other && Array.isArray(flow.edges)) {
        flow.edges.push({ source: node.id, target: other.id }, { source: other.id, target: node.id });
      }
      return flow;
    case 'many-nodes':
      if (node && Array.isArray(flow.nodes)) {
        const count = [200, 2_000][m.pick2 % 2];
        // Small copies (type and version only): a copy of a node holding a 1 MB name or 50k levels
        // of nesting, 2,000 times over, is a body of gigabytes, which tests the client, not the runtime.
        for (let i = 0; i < count; i++)
          flow.nodes.push({ id: `bulk-${i}`, type: node.type, typeVersion: node.typeVersion });
      }
      return flow;
    case 'wrong-collection': {
      const field = ['nodes', 'edges', 'resources'][m.pick % 3];
      flow[field] = [{}, 'nodes', null, 0, [null, 1, 'x'], { 0: node ?? {} }][m.pick2 % 6];
      return flow;
    }
    case 'extra-field': {
      const target = [flow, node, edges[0]].filter(isObject)[m.pick2 % 3] ?? flow;
      setOwn(target, ['extra', 'x-ui', 'nodeId', 'config', 'payload'][m.pick % 5], m.value);
      return flow;
    }
    case 'schema-version':
      flow.schemaVersion = [0, 2, '1', null, 1.5, new NonFinite(Number.POSITIVE_INFINITY)][m.pick2 % 6];
      return flow;
    case 'queue':
      if (node) {
        node.queue = [
          { size: 0 },
          { size: -1 },
          { size: 1e9 },
          { size: new NonFinite(Number.POSITIVE_INFINITY) },
          { overflow: 'sideways' },
          { size: 1, overflow: 'drop-oldest' },
          'big',
        ][m.pick2 % 7];
      }
      return flow;
    case 'resource': {
      const resources = Array.isArray(flow.resources) ? (flow.resources as unknown[]).filter(isObject) : [];
      const resource = resources.length > 0 ? resources[m.pick % resources.length] : undefined;
      if (resource && m.pick2 % 3 === 0) resource.type = 'no-such-resource';
      else if (resource && m.pick2 % 3 === 1)
        resource.config = { ...(isObject(resource.config) ? resource.config : {}), extra: m.value };
      else if (node) setOwn(isObject(node.config) ? node.config : (node.config = {}), 'broker', 'missing-resource');
      return flow;
    }
  }
}

/** Gives a node a new id and rewires its edges to it, so only the id itself is odd. */
function renameNode(flow: Json, node: Json, id: unknown): void {
  const old = node.id;
  node.id = id;
  if (!Array.isArray(flow.edges)) return;
  for (const edge of flow.edges as unknown[]) {
    if (!isObject(edge)) continue;
    if (edge.source === old) edge.source = id;
    if (edge.target === old) edge.target = id;
  }
}

/** Every place in the flow that holds a number (configs, ui, queue settings), as [holder, key]. */
function numberSpots(flow: Json): Array<[Json, string]> {
  const spots: Array<[Json, string]> = [];
  const stack: unknown[] = [flow];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!isObject(item) && !Array.isArray(item)) continue;
    for (const [key, value] of Object.entries(item)) {
      if (typeof value === 'number' && key !== 'schemaVersion' && key !== 'typeVersion')
        spots.push([item as Json, key]);
      else if (typeof value === 'object' && value !== null && !(value instanceof Deep) && !(value instanceof NonFinite))
        stack.push(value);
    }
  }
  return spots;
}

function isObject(value: unknown): value is Json {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Deep) &&
    !(value instanceof NonFinite)
  );
}
