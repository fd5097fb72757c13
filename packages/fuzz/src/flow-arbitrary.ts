import path from 'node:path';
import fc from 'fast-check';
import { outputPorts } from '@tagflow/flow-model';
import type { FlowEdge, FlowNode, FlowResource, NodeTypeInfo, ResourceTypeInfo } from '@tagflow/flow-model';
import { exampleConfigs } from './installed-types';
import { fromSchema } from './schema-arbitrary';

/** A flow as the properties build it: plain JSON data, before any mutation. */
export interface GeneratedFlow {
  schemaVersion: 1;
  id: string;
  resources: FlowResource[];
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** What flows may be built from. */
export interface FlowShape {
  /** Node types to draw from (the real registry's). */
  nodes: readonly NodeTypeInfo[];
  /** Resource types the nodes may need. */
  resources: readonly ResourceTypeInfo[];
  /** Most nodes in one flow (default 6). */
  maxNodes?: number;
  /**
   * Folder, relative to the engine's files folder, every file-out node writes into. Configs of a
   * node that writes files are forced into it: a generated path would mostly be refused (absolute,
   * `..`), and the flows would seldom get to write.
   */
  fileDir?: string;
}

/** A config for a type: one of its docs' examples, one drawn from its schema, or `{}` (all defaults). */
export function configFor(info: {
  type: string;
  docs?: string;
  configSchema: unknown;
}): fc.Arbitrary<Record<string, unknown>> {
  const examples = exampleConfigs(info);
  const drawn = fromSchema(info.configSchema as never).map((v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {},
  );
  const arbitrary = fc.oneof(
    ...(examples.length > 0 ? [{ weight: 3, arbitrary: fc.constantFrom(...examples) }] : []),
    { weight: 2, arbitrary: drawn },
    { weight: 1, arbitrary: fc.constant({}) },
  );
  configArbitraries.set(info, arbitrary);
  return arbitrary;
}

// Built once per type: flows are drawn thousands of times, and shrinking draws again.
const configArbitraries = new WeakMap<object, fc.Arbitrary<Record<string, unknown>>>();

/**
 * Flows that are valid for the given node types as far as the generator can tell: unique ids,
 * configs from examples or schemas, the resources the nodes name, edges from declared outputs to
 * declared inputs (cycles included: wiring loops are legal). Validation still refuses some (a
 * schema's cross-field rules), which is part of what the properties exercise.
 */
export function flowArbitrary(shape: FlowShape): fc.Arbitrary<GeneratedFlow> {
  const types = shape.nodes;
  if (types.length === 0) throw new Error('flowArbitrary needs at least one node type');
  const resourceTypes = new Map(shape.resources.map((r) => [r.type, r]));
  const slot = fc.integer({ min: 0, max: types.length - 1 }).chain((index) => {
    const info = types[index];
    return fc.record({
      info: fc.constant(info),
      config: configFor(info),
      disabled: fc.oneof(fc.constant(undefined), fc.boolean()),
    });
  });
  return fc
    .record({
      id: fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
      slots: fc.array(slot, { minLength: 1, maxLength: shape.maxNodes ?? 6 }),
      edgePicks: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()), { maxLength: 10 }),
    })
    .chain(({ id, slots, edgePicks }) => {
      // Each resource type a node needs is declared once, with its own config.
      const needed = [...new Set(slots.flatMap(({ info }) => Object.values(info.resources ?? {})))].filter((t) =>
        resourceTypes.has(t),
      );
      const resourceArbs = needed.map((type) =>
        configFor(resourceTypes.get(type) as ResourceTypeInfo).map((config): FlowResource => ({
          id: `res-${type}`,
          type,
          config,
        })),
      );
      return fc.tuple(...resourceArbs).map((resources) => {
        const nodes: FlowNode[] = slots.map(({ info, config, disabled }, i) => {
          const nodeConfig: Record<string, unknown> = { ...config };
          for (const [field, type] of Object.entries(info.resources ?? {})) nodeConfig[field] = `res-${type}`;
          if (shape.fileDir !== undefined && writesFiles(info))
            nodeConfig.path = path.join(shape.fileDir, `n${i}.jsonl`);
          return {
            id: `n${i}`,
            type: info.type,
            typeVersion: info.version,
            config: nodeConfig,
            ...(disabled === undefined ? {} : { disabled }),
          };
        });
        const edges: FlowEdge[] = [];
        const seen = new Set<string>();
        for (const [a, b, p, q] of edgePicks) {
          const source = slots[a % slots.length].info;
          const target = slots[b % slots.length].info;
          const outputs = outputPorts(source, nodes[a % slots.length].config);
          if (outputs.length === 0 || target.inputs.length === 0) continue;
          const edge = {
            source: `n${a % slots.length}`,
            sourcePort: outputs[p % outputs.length],
            target: `n${b % slots.length}`,
            targetPort: target.inputs[q % target.inputs.length],
          };
          const key = JSON.stringify(edge);
          if (seen.has(key)) continue;
          seen.add(key);
          edges.push(edge);
        }
        return { schemaVersion: 1 as const, id, resources, nodes, edges };
      });
    });
}

/** Node types whose config names a file to write (`path`), such as file-out. */
export function writesFiles(info: { configSchema: unknown }): boolean {
  const properties = (info.configSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties !== undefined && 'path' in properties;
}
