import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { subflowStatusNodes } from '@tagflow/flow-model';
import type { Flow } from '@tagflow/flow-model';
import type { AdminApi } from '../../api/client';
import { connectEvents } from '../../api/events';
import type { DeployError, DeployResult, RunningFlow } from '../../api/types';
import { ApiError } from '../../api/client';
import {
  canvasToFlow,
  catalogFromApi,
  closeSubflow,
  engineActivity,
  FlowDocument,
  ServerCheck,
  validate,
  withServerIssues,
  withSubflowTypes,
} from '../../state';
import type { CanvasDoc, CanvasNode, EditorCatalog, NodesApiResponse, ServerValidation } from '../../state';
import { FlowCanvas } from '../canvas/FlowCanvas';
import { DeployDialog } from '../deploy/DeployDialog';
import { EXAMPLES } from '../examples';
import { JsonView } from '../json/JsonView';
import { ContextPanel } from '../live/ContextPanel';
import { DebugPanel } from '../live/DebugPanel';
import { EngineBanner } from '../live/EngineBanner';
import { LiveStore } from '../live/live-store';
import { LiveContext, useLive } from '../live/use-live';
import { Palette } from '../palette/Palette';
import { PropertiesPanel } from '../properties/PropertiesPanel';
import { Toolbar } from '../toolbar/Toolbar';
import { SubflowBar } from '../subflows/SubflowBar';
import type { SubflowEditing } from '../subflows/SubflowBar';
import { SidePanel } from './SidePanel';
import { useDocument } from './use-document';
import { useShortcuts } from './use-shortcuts';

/** Loads the running flow, then shows the editor. */
export function EditorShell({ api, nodes, onSignOut }: { api: AdminApi; nodes: NodesApiResponse; onSignOut(): void }) {
  const catalog = useMemo(() => catalogFromApi(nodes), [nodes]);
  const [running, setRunning] = useState<RunningFlow | { error: string } | null>(null);
  const live = useMemo(() => new LiveStore(), []);

  useEffect(() => {
    let gone = false;
    api
      .runningFlow()
      .then((r) => !gone && setRunning(r))
      .catch((err: unknown) => !gone && setRunning({ error: err instanceof Error ? err.message : String(err) }));
    return () => {
      gone = true;
    };
  }, [api]);

  useEffect(() => {
    const conn = connectEvents(
      api.token,
      (f) => live.handle(f),
      (s) => live.setConnection(s),
    );
    const refresh = () =>
      api.status().then(
        (s) => {
          live.setStatuses(s.nodes);
          live.setEngine(s.engine);
        },
        () => undefined,
      );
    void refresh();
    // Counters for the message rates on the badges; a failed poll just leaves the last rates.
    const poll = () =>
      api.status().then(
        (s) => {
          live.setCounters(s.nodes, Date.now());
          // The same poll keeps safe mode and restarts current when a frame was missed (reconnects).
          live.setEngine(s.engine);
        },
        () => undefined,
      );
    void poll();
    const rateTimer = setInterval(() => void poll(), 2000);
    const unsubscribe = live.subscribe(() => undefined);
    return () => {
      clearInterval(rateTimer);
      conn.close();
      unsubscribe();
    };
  }, [api, live]);

  if (!running) return <div className="sign-in-page">Loading the running flow…</div>;
  if ('error' in running) {
    return (
      <div className="sign-in-page">
        <div className="sign-in-card">
          <p className="sign-in-error">{running.error}</p>
          <button type="button" data-testid="sign-out" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </div>
    );
  }
  return (
    <LiveContext.Provider value={live}>
      <ReactFlowProvider>
        <Workspace api={api} catalog={catalog} running={running} onSignOut={onSignOut} />
      </ReactFlowProvider>
    </LiveContext.Provider>
  );
}

function Workspace({
  api,
  catalog: installed,
  running,
  onSignOut,
}: {
  api: AdminApi;
  catalog: EditorCatalog;
  running: RunningFlow;
  onSignOut(): void;
}) {
  const store = useDocument(() =>
    running.flow ? FlowDocument.fromFlow(running.flow) : FlowDocument.empty('my-flow', 'My flow'),
  );
  const { doc } = store;
  // The installed types and the flow's own subflows (`subflow:<id>`), for palette, canvas and forms.
  const catalog = useMemo(() => withSubflowTypes(installed, doc.meta.subflows), [installed, doc.meta.subflows]);
  const [subflowEditing, setSubflowEditing] = useState<SubflowEditing | null>(null);
  const live = useLive();
  const rf = useReactFlow();
  const [baseVersion, setBaseVersion] = useState(running.version);
  const [deployErrors, setDeployErrors] = useState<ReadonlyMap<string, DeployError[]>>(new Map());
  const [deploying, setDeploying] = useState<Flow | null>(null);
  const [jsonOpen, setJsonOpen] = useState(false);
  const [trendFor, setTrendFor] = useState<string | null>(null);
  const narrow = typeof window !== 'undefined' && window.innerWidth < 900;
  const [paletteOpen, setPaletteOpen] = useState(!narrow);
  const [propsOpen, setPropsOpen] = useState(true);
  const [rightTab, setRightTab] = useState<'properties' | 'context'>('properties');
  const addCount = useRef(0);

  useEffect(() => live.setFeeders(running.flow?.edges ?? [], running.flow?.nodes), [live, running]);
  useEffect(() => live.setStatusAliases(subflowStatusNodes(running.flow, installed)), [live, running, installed]);

  // Validation ignores selection and positions; recompute only when the flow's content changes.
  const content = useMemo(
    () => ({ nodes: doc.nodes, edges: doc.edges, resources: doc.resources, meta: doc.meta }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed on the revision on purpose, as said above
    [doc.revision, doc.nodes.length],
  );
  // The runtime's variables: the local check resolves ${NAME} with them, and fields show their values.
  const [variables, setVariables] = useState<Record<string, string> | undefined>(undefined);
  useEffect(() => {
    let active = true;
    const load = (): void => {
      api.variables().then(
        (v) => active && setVariables(v),
        (err: unknown) => console.warn('the runtime did not list its variables; ${NAME} values are not shown', err),
      );
    };
    load();
    // Set with tagflow var set meanwhile: looked at again when the editor's window comes back.
    window.addEventListener('focus', load);
    return () => {
      active = false;
      window.removeEventListener('focus', load);
    };
  }, [api]);
  const local = useMemo(() => validate(content, catalog, variables), [content, catalog, variables]);
  // The runtime's complete check (each node type's own `check` too), merged in when it answers.
  const [server, setServer] = useState<{ content: CanvasDoc; answer: ServerValidation } | null>(null);
  const asked = useRef<{ revision: number; content: CanvasDoc }>({ revision: 0, content });
  const serverCheck = useMemo(
    () =>
      new ServerCheck(
        (flow) => api.checkFlow(flow),
        (revision, answer) => {
          if (asked.current.revision === revision) setServer({ content: asked.current.content, answer });
        },
        (err) => {
          // A viewer may not validate (nor deploy): the local check is all it gets.
          if (err instanceof ApiError && err.status === 403) serverCheck.dispose();
          else console.warn('the runtime could not check the flow; showing the local check only', err);
        },
      ),
    [api],
  );
  useEffect(() => () => serverCheck.dispose(), [serverCheck]);
  useEffect(() => {
    asked.current = { revision: asked.current.revision + 1, content };
    serverCheck.schedule(asked.current.revision, canvasToFlow(content));
  }, [content, serverCheck]);
  const validation = useMemo(
    () => (server && server.content === content ? withServerIssues(local, content, catalog, server.answer) : local),
    [local, server, content, catalog],
  );
  const problems = useMemo(() => {
    const out = new Map<string, number>();
    for (const [id, issues] of validation.byNode) {
      const n = issues.filter((i) => i.severity === 'error').length;
      if (n > 0) out.set(id, n);
    }
    for (const [id, errs] of deployErrors) out.set(id, (out.get(id) ?? 0) + errs.length);
    return out;
  }, [validation, deployErrors]);

  const addNode = useCallback(
    (type: string, position: { x: number; y: number }) => {
      const info = catalog.nodes.get(type);
      if (!info) return;
      store.edit((d) => {
        const added = d.addNode(type, info.version, position);
        return added.select(added.createdIds);
      });
    },
    [catalog, store],
  );

  const addAtCentre = useCallback(
    (type: string) => {
      const pane = document.querySelector('.react-flow')?.getBoundingClientRect();
      const shift = (addCount.current++ % 6) * 24;
      const p = pane
        ? rf.screenToFlowPosition({ x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 })
        : { x: 100, y: 100 };
      const spot = { x: Math.round(p.x - 80 + shift), y: Math.round(p.y - 25) };
      // Step down until the spot is clear, so a new node never hides under another.
      const taken = store.current().nodes;
      for (
        let i = 0;
        i < 40 && taken.some((n) => Math.abs(n.position.x - spot.x) < 190 && Math.abs(n.position.y - spot.y) < 60);
        i += 1
      )
        spot.y += 70;
      addNode(type, spot);
    },
    [addNode, rf, store],
  );

  useShortcuts(store);

  const replaceFlow = useCallback(
    (flow: Flow, message?: string) => {
      store.replace(flow);
      setDeployErrors(new Map());
      if (message) store.notify(message, 'info');
      setTimeout(() => void rf.fitView({ padding: 0.2, maxZoom: 1.2 }), 50);
    },
    [store, rf],
  );

  // Fired and forgotten by the toolbar: a file it cannot read or parse ends in the notice below.
  const onImport = async (file: File) => {
    try {
      const text = await file.text();
      const flow = JSON.parse(text) as Flow;
      if (!flow || typeof flow !== 'object' || typeof flow.id !== 'string' || !Array.isArray(flow.nodes))
        throw new Error('not a flow');
      replaceFlow(
        { ...flow, edges: Array.isArray(flow.edges) ? flow.edges : [] },
        `Imported “${flow.name ?? flow.id}” (Undo to go back).`,
      );
    } catch {
      store.notify(`${file.name} is not a tagflow flow file (JSON with an "id", "nodes" and "edges").`);
    }
  };

  const onExport = () => {
    const flow = store.current().toFlow();
    const blob = new Blob([`${JSON.stringify(flow, null, 2)}\n`], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${flow.id}.json`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const onDeployResult = (result: DeployResult) => {
    if (result.status !== 'rejected') return setDeployErrors(new Map());
    const byNode = new Map<string, DeployError[]>();
    for (const e of result.errors) if (e.nodeId) byNode.set(e.nodeId, [...(byNode.get(e.nodeId) ?? []), e]);
    setDeployErrors(byNode);
  };

  return (
    <div className="app">
      <Toolbar
        flowName={doc.meta.name ?? doc.meta.id}
        canUndo={store.canUndo}
        canRedo={store.canRedo}
        jsonOpen={jsonOpen}
        connection={live.connection}
        engineActivity={engineActivity(live.engine.view)}
        baseVersion={baseVersion}
        onUndo={store.undo}
        onRedo={store.redo}
        onFit={() => void rf.fitView({ padding: 0.2, maxZoom: 1.2, duration: 200 })}
        onToggleJson={() => setJsonOpen(!jsonOpen)}
        onExport={onExport}
        onImport={(file) => void onImport(file)}
        onExample={(name) => {
          const ex = EXAMPLES.find((x) => x.name === name);
          if (ex) replaceFlow(structuredClone(ex.flow), `Opened the example “${name}” (Undo to go back).`);
        }}
        onDeploy={() => {
          if (subflowEditing) {
            // The flow is what deploys: put the open subflow back first, then the user deploys it.
            setSubflowEditing(null);
            store.replace(closeSubflow(subflowEditing.parent, subflowEditing.subflowId, store.current().toFlow()));
            store.notify('Back in the flow with the subflow saved into it: press Deploy to deploy the flow.', 'info');
            return;
          }
          // The dialog opens on the runtime's answer for this very flow, so it lists what a deploy would refuse.
          const flow = store.current().toFlow();
          serverCheck.now(asked.current.revision, canvasToFlow(asked.current.content)).then(
            () => setDeploying(flow),
            () => setDeploying(flow),
          );
        }}
        onSignOut={onSignOut}
      />
      <EngineBanner />
      <div className="workspace">
        <SidePanel
          side="left"
          title="Nodes"
          label="Node palette"
          open={paletteOpen}
          onToggle={() => setPaletteOpen(!paletteOpen)}
        >
          <Palette catalog={catalog} onAdd={addAtCentre} />
        </SidePanel>
        <main className="center">
          <SubflowBar store={store} editing={subflowEditing} onEditing={setSubflowEditing} />
          {jsonOpen ? (
            <JsonView
              flow={doc.toFlow()}
              catalog={catalog}
              onClose={() => setJsonOpen(false)}
              onApply={(flow) => {
                replaceFlow(flow, 'Applied the JSON (Undo to go back).');
                setJsonOpen(false);
              }}
            />
          ) : (
            <FlowCanvas store={store} catalog={catalog} problems={problems} onAddNode={addNode} />
          )}
          {store.notice && (
            <div
              className={`toast ${store.notice.kind}`}
              role={store.notice.kind === 'error' ? 'alert' : 'status'}
              data-testid="notice"
              onClick={store.dismiss}
            >
              {store.notice.text}
            </div>
          )}
          <DebugPanel nodes={doc.nodes} onSelectNode={(id) => store.edit((d) => d.select([id]))} />
        </main>
        <SidePanel
          side="right"
          title="Properties"
          label="Properties"
          open={propsOpen}
          onToggle={() => setPropsOpen(!propsOpen)}
        >
          <div className="side-tabs" role="tablist">
            <button
              type="button"
              role="tab"
              aria-selected={rightTab === 'properties'}
              data-testid="tab-properties"
              onClick={() => setRightTab('properties')}
            >
              Properties
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={rightTab === 'context'}
              data-testid="tab-context"
              onClick={() => setRightTab('context')}
            >
              Context
            </button>
          </div>
          {rightTab === 'properties' ? (
            <PropertiesPanel
              store={store}
              catalog={catalog}
              validation={validation}
              deployErrors={deployErrors}
              api={api}
              trendFor={trendFor}
              onTrend={setTrendFor}
              variables={variables}
            />
          ) : (
            <ContextPanel api={api} flowId={doc.meta.id} node={selectedNode(doc.nodes)} />
          )}
        </SidePanel>
      </div>
      {deploying && (
        <DeployDialog
          api={api}
          catalog={catalog}
          flow={deploying}
          baseVersion={baseVersion}
          validation={validation}
          onDeployed={(version) => {
            setBaseVersion(version);
            setDeployErrors(new Map());
            live.setFeeders(deploying.edges, deploying.nodes);
            live.setStatusAliases(subflowStatusNodes(deploying, installed));
            // A deploy leaves safe mode: the banner goes with this answer.
            api.status().then(
              (s) => {
                live.setStatuses(s.nodes);
                live.setEngine(s.engine);
              },
              () => undefined,
            );
          }}
          onRejected={onDeployResult}
          onReload={(r) => {
            setBaseVersion(r.version);
            if (r.flow) {
              replaceFlow(r.flow, `Loaded the running flow, version ${r.version}.`);
              live.setFeeders(r.flow.edges, r.flow.nodes);
            }
          }}
          onClose={() => setDeploying(null)}
        />
      )}
    </div>
  );
}

/** The one selected node, for the Context tab. */
function selectedNode(nodes: readonly CanvasNode[]): { id: string; label?: string } | undefined {
  const selected = nodes.filter((n) => n.selected);
  return selected.length === 1 ? { id: selected[0].id, label: selected[0].label } : undefined;
}
