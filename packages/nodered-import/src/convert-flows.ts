import type { Flow, FlowEdge, FlowNode, FlowResource } from '@tagflow/flow-model';
import type { ConvertContext, NodeConversion, PortRef, ResourceConversion } from './conversion';
import { isNotConverted } from './conversion';
import { isDashboardType, KNOWN_UNSUPPORTED, NODE_CONVERTERS, RESOURCE_CONVERTERS } from './converters';
import { IdAllocator } from './flow-ids';
import type { ImportReport, ImportReportEntry } from './import-report';
import { countOutcomes } from './import-report';
import type { NodeRedObject } from './nodered-export';
import { isFlowNode, numberOf, readNodeRedExport, textOf } from './nodered-export';
import { layoutOf } from './flow-layout';
import { placeholderFor } from './placeholder';
import { buildSubflowDef, paramValue } from './subflow-builder';
import type { SubflowDef } from './subflow-def';
import { subflowOutputPorts } from './subflow-def';

/** A converted tab: a tagflow flow, with the subflows its instances use. */
export type ImportedFlow = Flow & { subflows?: SubflowDef[] };

/** Options of `convertNodeRedFlows`. */
export interface ConvertOptions {
  /** Tabs whose label is one of these are left out (all are converted by default). */
  skipTabs?: readonly string[];
}

/** What `convertNodeRedFlows` answers. */
export type ConvertResult = { ok: true; flows: ImportedFlow[]; report: ImportReport } | { ok: false; problem: string };

/** A tab or a subflow: where flow nodes live. */
interface Container {
  object: NodeRedObject;
  kind: 'tab' | 'subflow';
  /** The tagflow flow or subflow id. */
  id: string;
  label: string;
  nodes: NodeRedObject[];
  resources: FlowResource[];
  converted: FlowNode[];
  edges: FlowEdge[];
  /** Conversions by Node-RED id. */
  conversions: Map<string, NodeConversion>;
  /** Subflow ids its instances use (directly). */
  uses: Set<string>;
}

/**
 * Converts a Node-RED flows export (the parsed JSON) into tagflow flows, one per tab, with a
 * report per node. Never throws for bad input: an export it cannot read answers `ok: false` with a
 * reason in plain words. Platform-neutral: the editor runs it in the browser.
 */
export function convertNodeRedFlows(json: unknown, options: ConvertOptions = {}): ConvertResult {
  const reading = readNodeRedExport(json);
  if (!reading.ok) return reading;
  return new Importer(reading.objects, options).run();
}

class Importer {
  private readonly byId = new Map<string, NodeRedObject>();
  private readonly ids = new IdAllocator();
  private readonly containers = new Map<string, Container>();
  private readonly entries = new Map<string, ImportReportEntry>();
  private readonly predecessors = new Map<string, NodeRedObject[]>();
  private readonly resourceIds = new Map<string, string>();
  private readonly resourceResults = new Map<string, ResourceConversion>();
  private readonly configUse = new Map<string, Set<string>>();
  private readonly secrets = new Map<string, string>();
  private readonly notes: string[] = [];
  private dashboard = 0;

  constructor(
    private readonly objects: NodeRedObject[],
    private readonly options: ConvertOptions,
  ) {
    for (const object of objects) this.byId.set(object.id, object);
    for (const object of objects) {
      for (const targets of object.wires ?? []) {
        for (const target of Array.isArray(targets) ? targets : []) {
          const list = this.predecessors.get(target) ?? [];
          list.push(object);
          this.predecessors.set(target, list);
        }
      }
    }
  }

  run(): ConvertResult {
    const tabs = this.objects.filter(
      (o) => o.type === 'tab' && !(this.options.skipTabs ?? []).includes(String(o.label)),
    );
    const subflows = this.objects.filter((o) => o.type === 'subflow');
    // Node-RED 0.x exports without tabs put every node on one sheet.
    const flowNodes = this.objects.filter(isFlowNode);
    if (tabs.length === 0 && flowNodes.length > 0) {
      const sheet: NodeRedObject = { id: '__sheet', type: 'tab', label: 'Imported flow' };
      for (const node of flowNodes) if (node.z === undefined || !this.byId.has(node.z)) node.z = sheet.id;
      tabs.push(sheet);
      this.byId.set(sheet.id, sheet);
    }
    if (tabs.length === 0) return { ok: false, problem: 'the Node-RED export holds no flow (no tab with nodes)' };
    // Tabs first: their ids name the files written, so they get the plain slugs.
    for (const tab of tabs) this.addContainer(tab, 'tab', textOf(tab.label) ?? 'flow');
    for (const sub of subflows) this.addContainer(sub, 'subflow', textOf(sub.name) ?? 'subflow');
    for (const node of flowNodes) {
      const container = node.z === undefined ? undefined : this.containers.get(node.z);
      if (container) container.nodes.push(node);
    }
    for (const container of this.containers.values()) this.convertContainer(container);
    for (const tab of tabs)
      if (tab.disabled === true)
        this.notes.push(
          `the tab "${String(tab.label)}" is disabled in Node-RED: its flow is converted; disable it on the runtime after deploying`,
        );
    for (const container of this.containers.values()) this.wire(container);
    this.reportConfigNodes();
    this.reportLeftovers(flowNodes);
    const subflowDefs = new Map<string, SubflowDef>();
    for (const container of this.containers.values())
      if (container.kind === 'subflow') subflowDefs.set(container.object.id, this.subflowDef(container));
    const flows = [...this.containers.values()].filter((c) => c.kind === 'tab').map((c) => this.flowOf(c, subflowDefs));
    const entries = [...this.entries.values()];
    const report: ImportReport = {
      entries,
      counts: countOutcomes(entries),
      dashboardNodes: this.dashboard,
      secrets: [...this.secrets].map(([name, what]) => ({ name, for: what })),
      notes: this.notes,
    };
    return { ok: true, flows, report };
  }

  private addContainer(object: NodeRedObject, kind: Container['kind'], label: string): void {
    const id = this.ids.slug(label, kind === 'tab' ? 'flow' : 'subflow');
    this.containers.set(object.id, {
      object,
      kind,
      id,
      label,
      nodes: [],
      resources: [],
      converted: [],
      edges: [],
      conversions: new Map(),
      uses: new Set(),
    });
  }

  private tabEnv(container: Container): Map<string, unknown> {
    const env = new Map<string, unknown>();
    if (container.kind !== 'tab' || !Array.isArray(container.object.env)) return env;
    for (const item of container.object.env as Array<{ name?: unknown; value?: unknown; type?: unknown }>) {
      if (typeof item.name !== 'string') continue;
      env.set(
        item.name,
        item.type === 'num'
          ? (numberOf(item.value) ?? item.value)
          : item.type === 'bool'
            ? item.value === 'true' || item.value === true
            : item.value,
      );
    }
    return env;
  }

  private convertContainer(container: Container): void {
    const ctx: ConvertContext = {
      byId: this.byId,
      predecessors: (id) => this.predecessors.get(id) ?? [],
      resource: (configId, expected, variant) => this.resource(container, configId, expected, variant),
      inSubflow: container.kind === 'subflow',
      tabEnv: this.tabEnv(container),
      subflowEnv: container.kind === 'subflow' ? envNames(container.object) : [],
    };
    for (const node of container.nodes) {
      const entry: ImportReportEntry = {
        nodeRedId: node.id,
        nodeRedType: node.type,
        ...(textOf(node.name) ? { name: node.name } : {}),
        where: `${container.kind === 'tab' ? 'tab' : 'subflow'} "${container.label}"`,
        outcome: 'exact',
        flowId: container.id,
        tagflowIds: [],
        tagflowTypes: [],
        notes: [],
      };
      this.entries.set(node.id, entry);
      if (isDashboardType(node.type)) {
        this.dashboard++;
        entry.outcome = 'out-of-scope';
        entry.notes.push(
          'dashboard nodes are out of scope: tagflow has no dashboard; wires to and from it are dropped',
        );
        delete entry.flowId;
        continue;
      }
      if (node.type === 'comment' || node.type === 'junction') {
        entry.notes.push(
          node.type === 'comment' ? "kept as a note in the flow's ui.comments" : 'its wires are joined through',
        );
        entry.outcome = node.type === 'comment' ? 'different' : 'exact';
        continue;
      }
      const conversion = this.convertNode(node, ctx, container, entry);
      container.conversions.set(node.id, conversion);
      container.converted.push(...conversion.nodes);
      container.edges.push(...(conversion.edges ?? []));
      entry.tagflowIds = conversion.nodes.map((n) => n.id);
      entry.tagflowTypes = conversion.nodes.map((n) => n.type);
    }
  }

  private convertNode(
    node: NodeRedObject,
    ctx: ConvertContext,
    container: Container,
    entry: ImportReportEntry,
  ): NodeConversion {
    const notConverted = (reason: string, useInstead: string) => {
      entry.outcome = 'not-converted';
      entry.notes.push(`not converted: ${reason}; use ${useInstead} instead`);
      return placeholderFor(node, reason, useInstead);
    };
    if (node.type.startsWith('subflow:'))
      return (
        this.instance(node, container, entry) ??
        notConverted('its subflow is not in the export', 'the subflow, exported with it')
      );
    const converter = NODE_CONVERTERS[node.type];
    if (converter === undefined) {
      const instead = KNOWN_UNSUPPORTED[node.type];
      return instead
        ? notConverted(`tagflow has no "${node.type}" node`, instead)
        : notConverted(
            `"${node.type}" is not a node type the importer knows (a contributed package?)`,
            'the tagflow node doing the same job (tagflow nodes lists them)',
          );
    }
    let result;
    try {
      result = converter(node, ctx);
    } catch (err) {
      // A converter meeting a config shape it did not expect: report it, keep the node as a placeholder.
      return notConverted(`its config could not be read (${(err as Error).message})`, 'a tagflow node set up by hand');
    }
    if (isNotConverted(result)) return notConverted(result.notConverted, result.useInstead);
    if (result.differences.length > 0) {
      entry.outcome = 'different';
      entry.notes.push(...result.differences);
    }
    return result;
  }

  /** A subflow instance: `subflow:<id>` with the instance's env values as parameters. */
  private instance(node: NodeRedObject, container: Container, entry: ImportReportEntry): NodeConversion | undefined {
    const defId = node.type.slice('subflow:'.length);
    const def = this.containers.get(defId);
    if (def === undefined || def.kind !== 'subflow') return undefined;
    container.uses.add(defId);
    const config: Record<string, unknown> = {};
    for (const item of Array.isArray(node.env)
      ? (node.env as Array<{ name?: unknown; value?: unknown; type?: unknown }>)
      : []) {
      if (typeof item.name !== 'string') continue;
      config[item.name] = paramValue(item.value, item.type);
      if (item.type === 'cred') {
        entry.outcome = 'different';
        entry.notes.push(`its credential parameter ${item.name} is not copied: give it on the instance`);
        delete config[item.name];
      }
    }
    const outputs = Array.isArray(def.object.out) ? def.object.out.length : 0;
    const ports = subflowOutputPorts(outputs);
    const converted: FlowNode = { id: node.id, type: `subflow:${def.id}`, typeVersion: 1, config };
    if (textOf(node.name)) converted.name = node.name;
    if (typeof node.x === 'number') converted.ui = { x: node.x, y: node.y };
    const hasInput = Array.isArray(def.object.in) && def.object.in.length > 0;
    return {
      nodes: [converted],
      input: hasInput ? { node: node.id, port: 'in' } : undefined,
      outputs: ports.map((port) => ({ node: node.id, port })),
      differences: [],
    };
  }

  /** The resource a config node became, added to the container using it. */
  private resource(
    container: Container,
    configId: unknown,
    expected: readonly string[],
    variant?: string,
  ): { id: string } | { problem: string } {
    const config = typeof configId === 'string' ? this.byId.get(configId) : undefined;
    if (config === undefined) return { problem: 'its connection (config node) is not in the export' };
    const converter = RESOURCE_CONVERTERS[config.type];
    if (converter === undefined || !expected.includes(converter.type))
      return { problem: `its connection is a "${config.type}" config node, which the importer does not convert` };
    const key = `${config.id}|${variant ?? ''}`;
    let result = this.resourceResults.get(key);
    if (result === undefined) {
      const base = this.ids.slug(textOf(config.name) ?? converter.type, converter.type);
      const id = variant === undefined ? base : this.ids.claim(`${base}-unit${variant}`);
      const converted = converter.convert(config, id, variant);
      if (isNotConverted(converted)) return { problem: converted.notConverted };
      result = converted;
      this.resourceResults.set(key, result);
      this.resourceIds.set(key, id);
      for (const s of result.secrets) this.secrets.set(s.name, s.for);
    }
    if (!container.resources.some((r) => r.id === result.resource.id)) container.resources.push(result.resource);
    const users = this.configUse.get(config.id) ?? new Set<string>();
    users.add(container.id);
    this.configUse.set(config.id, users);
    return { id: result.resource.id };
  }

  /** Edges from the Node-RED wires of the container's nodes. */
  private wire(container: Container): void {
    const seen = new Set(container.edges.map(edgeKey));
    for (const node of container.nodes) {
      const from = container.conversions.get(node.id);
      if (from === undefined) continue;
      (node.wires ?? []).forEach((targets, output) => {
        const source = from.outputs[output];
        for (const targetId of this.throughJunctions(Array.isArray(targets) ? targets : [])) {
          const to = container.conversions.get(targetId);
          if (to === undefined) {
            const target = this.byId.get(targetId);
            if (target && isDashboardType(target.type)) continue; // counted with the dashboard nodes
            this.note(node.id, `a wire from output ${output + 1} to ${describe(target, targetId)} is dropped`);
            continue;
          }
          if (source === undefined) {
            this.note(node.id, `a wire from its output ${output + 1} is dropped: the tagflow node has no such output`);
            continue;
          }
          if (to.input === undefined) {
            this.note(targetId, 'wires into it are dropped: the tagflow node takes no input');
            continue;
          }
          const edge = edgeOf(source, to.input);
          if (seen.has(edgeKey(edge))) continue;
          seen.add(edgeKey(edge));
          container.edges.push(edge);
        }
      });
    }
  }

  /** Targets, with Node-RED 3 junctions replaced by what they are wired to. */
  private throughJunctions(targets: string[], depth = 0): string[] {
    return targets.flatMap((id) => {
      const target = this.byId.get(id);
      if (target?.type !== 'junction' || depth > 50) return [id];
      return this.throughJunctions((target.wires ?? []).flat(), depth + 1);
    });
  }

  private note(nodeRedId: string, text: string): void {
    const entry = this.entries.get(nodeRedId);
    if (entry === undefined || entry.notes.includes(text)) return;
    entry.notes.push(text);
    if (entry.outcome === 'exact') entry.outcome = 'different';
  }

  private reportConfigNodes(): void {
    for (const object of this.objects) {
      if (object.type === 'tab' || object.type === 'subflow' || object.type === 'group' || isFlowNode(object)) continue;
      const entry: ImportReportEntry = {
        nodeRedId: object.id,
        nodeRedType: object.type,
        ...(textOf(object.name) ? { name: object.name } : {}),
        outcome: 'exact',
        tagflowIds: [],
        tagflowTypes: [],
        notes: [],
      };
      this.entries.set(object.id, entry);
      if (isDashboardType(object.type)) {
        this.dashboard++;
        entry.outcome = 'out-of-scope';
        entry.notes.push('dashboard configuration: out of scope');
        continue;
      }
      const results = [...this.resourceResults].filter(([key]) => key.startsWith(`${object.id}|`)).map(([, r]) => r);
      if (results.length === 0) {
        entry.outcome = 'different';
        entry.notes.push(
          RESOURCE_CONVERTERS[object.type]
            ? 'no converted node uses it: left out'
            : `a "${object.type}" configuration is not converted on its own; the nodes using it say what they need`,
        );
        continue;
      }
      entry.tagflowIds = results.map((r) => r.resource.id);
      entry.tagflowTypes = results.map((r) => r.resource.type);
      entry.flowId = [...(this.configUse.get(object.id) ?? [])].join(', ');
      const differences = [...new Set(results.flatMap((r) => r.differences))];
      const secrets = results.flatMap((r) => r.secrets);
      for (const s of secrets)
        differences.push(
          `its credentials are not copied: the flow names the secret ${s.name} (tagflow secret set ${s.name})`,
        );
      if (differences.length > 0) {
        entry.outcome = 'different';
        entry.notes.push(...[...new Set(differences)]);
      }
    }
  }

  private reportLeftovers(flowNodes: NodeRedObject[]): void {
    const orphans = flowNodes.filter((n) => !this.entries.has(n.id));
    if (orphans.length > 0)
      this.notes.push(
        `${orphans.length} node(s) on tabs that were skipped or are missing from the export were left out`,
      );
  }

  private subflowDef(container: Container): SubflowDef {
    const { def, notes } = buildSubflowDef({
      object: container.object,
      id: container.id,
      label: container.label,
      conversions: container.conversions,
      resources: container.resources,
      nodes: container.converted,
      edges: container.edges,
      layout: layoutOf(this.objects, container.object.id, container.nodes),
    });
    this.notes.push(...notes);
    return def;
  }

  private flowOf(container: Container, defs: Map<string, SubflowDef>): ImportedFlow {
    const flow: ImportedFlow = {
      schemaVersion: 1,
      id: container.id,
      name: container.label,
      ...(textOf(container.object.info) ? { description: container.object.info as string } : {}),
      ...(container.resources.length > 0 ? { resources: container.resources } : {}),
      nodes: container.converted,
      edges: container.edges,
    };
    // Subflows used here, and those they use in turn, in the order they are first met.
    const used: string[] = [];
    const visit = (id: string) => {
      if (used.includes(id)) return;
      used.push(id);
      for (const inner of this.containers.get(id)?.uses ?? []) visit(inner);
    };
    for (const id of container.uses) visit(id);
    if (used.length > 0) flow.subflows = used.map((id) => defs.get(id)).filter((d): d is SubflowDef => d !== undefined);
    const ui = layoutOf(this.objects, container.object.id, container.nodes);
    if (ui) flow.ui = ui;
    return flow;
  }
}

/** The names of a Node-RED tab's or subflow's env properties. */
function envNames(object: NodeRedObject): string[] {
  const env = Array.isArray(object.env) ? (object.env as Array<{ name?: unknown }>) : [];
  return env.map((item) => item.name).filter((name): name is string => typeof name === 'string');
}

function edgeOf(source: PortRef, target: PortRef): FlowEdge {
  return { source: source.node, sourcePort: source.port, target: target.node, targetPort: target.port };
}

function edgeKey(edge: FlowEdge): string {
  return `${edge.source}:${edge.sourcePort ?? 'out'}->${edge.target}:${edge.targetPort ?? 'in'}`;
}

function describe(target: NodeRedObject | undefined, id: string): string {
  if (target === undefined) return `"${id}", which is not in the export`;
  return `${target.type} "${target.name || id}" on another tab`;
}
