import { useMemo } from 'react';
import { flowErrors, outputPorts } from '@tagflow/flow-model';
import type { AdminApi } from '../../api/client';
import type { DeployError } from '../../api/types';
import { issueText, problemEntries } from '../../state';
import type { CanvasEdge, CanvasNode, EditorCatalog, ValidationResult } from '../../state';
import { IssueDetail, ProblemList } from '../problems/ProblemList';
import { useShowNode } from '../problems/use-show-node';
import type { DocumentStore } from '../editor/use-document';
import { NodeDocs } from '../help/NodeDocs';
import { TrendToggle } from '../live/TrendToggle';
import type { FormContext } from './form-context';
import { SchemaForm } from './SchemaForm';
import { obj, setIn } from './schema-utils';

interface Props {
  store: DocumentStore;
  catalog: EditorCatalog;
  validation: ValidationResult;
  /** Errors of the last refused deploy that still stand (the node unchanged since), by node id. */
  deployErrors: ReadonlyMap<string, DeployError[]>;
  api: AdminApi;
  trendFor: string | null;
  onTrend(nodeId: string | null): void;
  /** The runtime's variables, for the values of `${NAME}` fields; undefined until known. */
  variables?: Readonly<Record<string, string>>;
}

/** Settings of the selected node: label, a form drawn from its type's config schema, problems, trend. */
export function PropertiesPanel({
  store,
  catalog,
  validation,
  deployErrors,
  api,
  trendFor,
  onTrend,
  variables,
}: Props) {
  const { doc } = store;
  const selected = doc.nodes.filter((n) => n.selected);
  const selectedEdges = doc.edges.filter((e) => e.selected);
  const edge = selected.length === 0 && selectedEdges.length === 1 ? selectedEdges[0] : undefined;
  return (
    <div className="properties" data-testid="properties">
      {selected.length === 0 && !edge && (
        <FlowSummary store={store} validation={validation} deployErrors={deployErrors} />
      )}
      {edge && (
        <EdgeProperties
          key={edge.id}
          edge={edge}
          store={store}
          api={api}
          trendOpen={trendFor === edge.source}
          onTrend={onTrend}
        />
      )}
      {selected.length > 1 && (
        <p className="panel-empty">
          {selected.length} nodes selected. Press Delete to remove them, Ctrl+C to copy them.
        </p>
      )}
      {selected.length === 1 && (
        <NodeProperties
          key={selected[0].id}
          node={selected[0]}
          store={store}
          catalog={catalog}
          validation={validation}
          deployErrors={deployErrors.get(selected[0].id) ?? []}
          api={api}
          trendOpen={trendFor === selected[0].id}
          onTrend={onTrend}
          variables={variables}
        />
      )}
    </div>
  );
}

function NodeProperties({
  node,
  store,
  catalog,
  validation,
  deployErrors,
  api,
  trendOpen,
  onTrend,
  variables,
}: {
  node: CanvasNode;
  store: DocumentStore;
  catalog: EditorCatalog;
  validation: ValidationResult;
  deployErrors: DeployError[];
  api: AdminApi;
  trendOpen: boolean;
  onTrend(nodeId: string | null): void;
  variables?: Readonly<Record<string, string>>;
}) {
  const info = catalog.nodes.get(node.type);
  const fieldErrors = useMemo(() => fieldErrorIndex(validation.byField(node.id)), [validation, node.id]);
  const nodeIssues = (validation.byNode.get(node.id) ?? []).filter((i) => !/^\/nodes\/\d+\/config(\/|$)/.test(i.path));
  // Warnings (not connected yet, a loop without a delay) do not stop a deploy: yellow, not red.
  const nodeErrors = nodeIssues.filter((i) => i.severity === 'error');
  const nodeWarnings = nodeIssues.filter((i) => i.severity === 'warning');
  const ctx: FormContext = {
    errors: fieldErrors,
    resources: store.doc.resources,
    resourceTypes: catalog.resources,
    upsertResource: (r) => store.edit((d) => d.upsertResource(r)),
    api,
    variables,
    nodeId: node.id,
    nodes: store.doc.nodes,
    config: node.config,
    flowId: store.doc.meta.id,
  };
  return (
    <>
      <h2>{node.label ?? node.id}</h2>
      <div className="node-type">
        {node.type} · id {node.id}
        {info?.description ? ` — ${info.description}` : ''}
      </div>
      {deployErrors.length > 0 && (
        <div className="pinned-errors" data-testid="deploy-errors" role="alert">
          The runtime refused the last deploy because of this node (change the setting to fix it):
          <IssueItems issues={deployErrors} />
        </div>
      )}
      {nodeErrors.length > 0 && (
        <div className="pinned-errors" data-testid="node-issues">
          <IssueItems issues={nodeErrors} />
        </div>
      )}
      {nodeWarnings.length > 0 && (
        <div className="pinned-warnings" data-testid="node-warnings">
          <IssueItems issues={nodeWarnings} />
        </div>
      )}
      <div className="field">
        <label htmlFor="node-label">Label</label>
        <input
          id="node-label"
          data-testid="node-label"
          type="text"
          value={node.label ?? ''}
          placeholder={node.id}
          onChange={(e) => store.edit((d) => d.rename(node.id, e.target.value))}
        />
      </div>
      <div className="field field-check">
        <label>
          <input
            type="checkbox"
            data-testid="node-disabled"
            checked={Boolean(node.disabled)}
            onChange={(e) => store.edit((d) => d.setDisabled(node.id, e.target.checked))}
          />
          Disabled (not started, passes nothing on)
        </label>
      </div>
      <Trend
        nodeId={node.id}
        outputs={info ? outputPorts(info, node.config) : ['out']}
        store={store}
        api={api}
        open={trendOpen}
        onTrend={onTrend}
      />
      {fieldErrors[''] && (
        <p className="field-error" data-testid="field-error-">
          {fieldErrors[''].join('; ')}
        </p>
      )}
      {!info ? (
        <p className="field-error">
          The node type “{node.type}” is not installed on this runtime: its settings cannot be shown as a form. Edit
          them in the JSON view.
        </p>
      ) : (
        <SchemaForm
          schema={obj(info.configSchema)}
          value={node.config}
          ctx={ctx}
          onChange={(path, value) =>
            store.edit((d) =>
              d.updateConfig(
                node.id,
                (setIn(d.node(node.id)?.config ?? {}, path, value) ?? {}) as Record<string, unknown>,
                catalog,
              ),
            )
          }
        />
      )}
      {info && (
        <details className="node-docs-help">
          <summary>About {node.type}</summary>
          <NodeDocs info={info} testId="node-docs" />
        </details>
      )}
    </>
  );
}

/** A selected wire: where it goes, and the trend of the values it carries (its source node's). */
function EdgeProperties({
  edge,
  store,
  api,
  trendOpen,
  onTrend,
}: {
  edge: CanvasEdge;
  store: DocumentStore;
  api: AdminApi;
  trendOpen: boolean;
  onTrend(nodeId: string | null): void;
}) {
  const { doc } = store;
  const nameOf = (id: string) => doc.node(id)?.label ?? id;
  const port = (p: string, fallback: string) => (p === fallback ? '' : ` (${p})`);
  return (
    <div data-testid="edge-properties" data-edge-source={edge.source} data-edge-target={edge.target}>
      <h2>Wire</h2>
      <div className="node-type">
        from {nameOf(edge.source)}
        {port(edge.sourcePort, 'out')} to {nameOf(edge.target)}
        {port(edge.targetPort, 'in')}
      </div>
      <p className="hint">It carries the messages {nameOf(edge.source)} sends. Press Delete to remove it.</p>
      <Trend
        nodeId={edge.source}
        port={edge.sourcePort}
        outputs={[edge.sourcePort]}
        store={store}
        api={api}
        open={trendOpen}
        onTrend={onTrend}
      />
    </div>
  );
}

/** When nothing is selected: the flow's name and what is wrong with it. */
/** The live trend of what a node sends (for a wire: what its source sends on that port), behind a toggle. */
function Trend({
  store,
  ...props
}: {
  nodeId: string;
  port?: string;
  outputs: readonly string[];
  store: DocumentStore;
  api: AdminApi;
  open: boolean;
  onTrend(nodeId: string | null): void;
}) {
  return <TrendToggle {...props} flow={store.doc} flowId={store.doc.meta.id} />;
}

function FlowSummary({
  store,
  validation,
  deployErrors,
}: {
  store: DocumentStore;
  validation: ValidationResult;
  deployErrors: ReadonlyMap<string, DeployError[]>;
}) {
  const { doc } = store;
  const showNode = useShowNode(store);
  const problems = problemEntries(validation, deployErrors, doc);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const unset = unsetVariables(validation);
  return (
    <>
      <h2 data-testid="flow-title">Flow “{doc.meta.name ?? doc.meta.id}”</h2>
      {doc.meta.name !== undefined && <p className="hint">id {doc.meta.id} (stays when renamed)</p>}
      <p className="hint">Select a node on the canvas to edit its settings.</p>
      <div className="field">
        <label htmlFor="flow-name">Flow name</label>
        <input
          id="flow-name"
          data-testid="flow-name"
          type="text"
          value={doc.meta.name ?? ''}
          placeholder={doc.meta.id}
          onChange={(e) => store.edit((d) => d.updateMeta({ name: e.target.value }))}
        />
      </div>
      <div className="field">
        <label htmlFor="flow-description">Description</label>
        <textarea
          id="flow-description"
          rows={3}
          value={doc.meta.description ?? ''}
          onChange={(e) => store.edit((d) => d.updateMeta({ description: e.target.value }))}
        />
      </div>
      {doc.resources.length > 0 && (
        <>
          <h3 className="hint">Shared connections (resources)</h3>
          <ul>
            {doc.resources.map((r) => (
              <li key={r.id}>
                {r.name ?? r.id} <span className="hint">({r.type})</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <p
        className={errors > 0 || !validation.ok ? 'error-text' : warnings > 0 ? 'warn-text' : 'ok-text'}
        data-testid="flow-problem-count"
      >
        {problemCount(Math.max(errors, validation.errors.length), warnings)}
      </p>
      <ProblemList entries={problems} onShowNode={showNode} testId="flow-problems" />
      {unset.length > 0 && (
        <div className="error-text" data-testid="unset-variables">
          Variables not set on this runtime (tagflow var set NAME VALUE):
          <ul>
            {unset.map(([name, where]) => (
              <li key={name}>
                <code>{name}</code>, used by {where.join(', ')}
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

/** `No problems found.`, `1 problem to fix before deploying, 2 warnings.` */
function problemCount(errors: number, warnings: number): string {
  if (errors === 0 && warnings === 0) return 'No problems found.';
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [];
  if (errors > 0) parts.push(`${plural(errors, 'problem')} to fix before deploying`);
  if (warnings > 0) parts.push(`${plural(warnings, 'warning')} (the flow can run)`);
  return `${parts.join(', ')}.`;
}

/** Each variable the flow uses with no value on the runtime, and the nodes and resources using it. */
function unsetVariables(validation: ValidationResult): Array<[string, string[]]> {
  const unset = new Map<string, Set<string>>();
  for (const issue of validation.errors) {
    if (issue.code !== flowErrors.code.VARIABLE_UNRESOLVED) continue;
    const name = /variable (\w+) is not set/.exec(issue.message)?.[1];
    if (!name) continue;
    const where = issue.nodeId ? `node "${issue.nodeId}"` : `resource "${issue.resourceId ?? '?'}"`;
    unset.set(name, (unset.get(name) ?? new Set()).add(where));
  }
  return [...unset].map(([name, where]) => [name, [...where]]);
}

/** byField as arrays, with "must have required property 'x'" also shown beside field x. */
function fieldErrorIndex(byField: Map<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (path: string, text: string) => (out[path] ??= []).push(text);
  for (const [path, text] of byField) {
    let placed = false;
    for (const part of text.split('; ')) {
      const m = /must have required property '([^']+)'/.exec(part);
      if (m) {
        add(path ? `${path}.${m[1]}` : m[1], 'required: please fill this in');
        placed = true;
      } else add(path, part);
    }
    if (placed && out[path]?.length === 0) delete out[path];
  }
  return out;
}

/** Issues as a list: each in plain words, with where it is in the file and its code as a small detail. */
function IssueItems({
  issues,
}: {
  issues: ReadonlyArray<{ message: string; path?: string; text?: string; code?: string }>;
}) {
  return (
    <ul>
      {issues.map((issue, k) => (
        <li key={k}>
          {issueText(issue)}
          <IssueDetail path={issue.path} code={issue.code} />
        </li>
      ))}
    </ul>
  );
}
