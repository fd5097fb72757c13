import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { subflowStatusNodes } from '@tagflow/flow-model';
import type { Flow } from '@tagflow/flow-model';
import type { AdminApi } from '../../api/client';
import { connectEvents } from '../../api/events';
import type { FlowEndpoint } from '../../api/flows-api';
import type { DeployError, DeployResult } from '../../api/types';
import { ApiError } from '../../api/client';
import {
  canvasToFlow,
  catalogFromApi,
  closeSubflow,
  engineActivity,
  exportFileName,
  FlowDocument,
  ServerCheck,
  statusIsFor,
  tabName,
  validate,
  withServerIssues,
  withSubflowTypes,
} from '../../state';
import { deployRefusal, NO_REFUSAL, problemEntries, standingRefusals } from '../../state';
import type { DeployRefusal } from '../../state';
import type { CanvasDoc, CanvasNode, EditorCatalog, FlowTab, NodesApiResponse, ServerValidation } from '../../state';
import { FlowCanvas } from '../canvas/FlowCanvas';
import { fitReadable } from '../canvas/fit-view';
import { DeployDialog } from '../deploy/DeployDialog';
import { EXAMPLES } from '../examples';
import { JsonView } from '../json/JsonView';
import { ContextPanel } from '../live/ContextPanel';
import { DebugPanel } from '../live/DebugPanel';
import { EngineBanner } from '../live/EngineBanner';
import { LiveHub } from '../live/live-hub';
import { LiveContext, useLive } from '../live/use-live';
import { Palette } from '../palette/Palette';
import { HelpPanel } from '../help/HelpPanel';
import { InjectContext } from '../canvas/InjectButton';
import type { InjectControl } from '../canvas/InjectButton';
import { PropertiesPanel } from '../properties/PropertiesPanel';
import { Toolbar } from '../toolbar/Toolbar';
import { SubflowBar } from '../subflows/SubflowBar';
import type { SubflowEditing } from '../subflows/SubflowBar';
import { FlowTabsBar } from '../tabs/FlowTabsBar';
import { useFlowTabs } from '../tabs/use-flow-tabs';
import { convertNodeRedFlows } from '@tagflow/nodered-import';
import type { ConvertResult } from '@tagflow/nodered-import';
import { NodeRedImportDialog } from '../import/NodeRedImportDialog';
import { isNodeRedExport } from '../../state';
import '../../styles/nodered-import.css';

/** A converted Node-RED export waiting for the user's go. */
interface NodeRedImport {
  fileName: string;
  result: Extract<ConvertResult, { ok: true }>;
}
import { useTabSync } from '../tabs/use-tab-sync';
import { useLocalDrafts } from '../tabs/use-local-drafts';
import { DraftOffers } from '../drafts/DraftOffers';
import { SignOutDialog } from '../drafts/SignOutDialog';
import { ChangedNodesContext } from '../canvas/ChangedMarker';
import { NO_CHANGES, undeployedChanges } from '../../state';
import type { UndeployedChanges } from '../../state';
import { useShowNode } from '../problems/use-show-node';
import { SidePanel } from './SidePanel';
import { useDocument } from './use-document';
import { useShortcuts } from './use-shortcuts';

/** Loads the runtime's flows as tabs, then shows the editor on the shown tab's flow. */
export function EditorShell({
  api,
  nodes: signInNodes,
  onSignOut,
}: {
  api: AdminApi;
  nodes: NodesApiResponse;
  onSignOut(): void;
}) {
  // Read again when packages are installed or removed (here or in another editor): no reload needed.
  const [nodes, setNodes] = useState(signInNodes);
  const reloadNodes = useCallback(() => {
    api
      .nodes()
      .then(setNodes, (err: unknown) =>
        console.warn('the runtime did not list its node types again; the palette may be out of date', err),
      );
  }, [api]);
  const catalog = useMemo(() => catalogFromApi(nodes), [nodes]);
  const hub = useMemo(() => new LiveHub(), []);
  const control = useFlowTabs(api, (id) => hub.forget(id));
  const activeId = control.tabs?.activeId;
  // A flow not deployed yet has no status of its own: the runtime-wide part (engine, flows) still counts.
  const onRuntime = control.tabs?.active.remote !== undefined;
  // Read again when the flow is disabled or enabled: a stopped flow's nodes report nothing more.
  const activeState = control.tabs?.active.remote?.state;
  const controlRef = useRef(control);
  controlRef.current = control;
  const drafts = useLocalDrafts(control);
  const [signingOut, setSigningOut] = useState<string[] | null>(null);
  const signOut = () => {
    drafts.flush();
    const unsaved = drafts.unsaved();
    if (unsaved.length > 0) setSigningOut(unsaved);
    else onSignOut();
  };
  // What the shown tab holds that the runtime does not: the Deploy button's count, the nodes' markers.
  const shown = control.tabs?.active;
  const changes = useMemo(
    () => (shown?.draft ? undeployedChanges(shown.base, shown.draft.toFlow(), catalog) : NO_CHANGES),
    [shown?.base, shown?.draft, catalog],
  );

  useEffect(() => {
    const conn = connectEvents(
      api.token,
      (f) => {
        if (f.type === 'packages') reloadNodes();
        hub.handle(f);
      },
      (s) => hub.setConnection(s),
    );
    return () => conn.close();
  }, [api, hub, reloadNodes]);

  // The shown flow's statuses and rates (GET /api/status?flow=ID), and every flow's state for the tabs.
  useEffect(() => {
    if (activeId === undefined) return;
    const live = hub.storeFor(activeId);
    const poll = (first: boolean) => {
      // A list asked for before a deploy or delete made meanwhile is older than the tabs: ignored.
      const asOf = controlRef.current.changes();
      return api.status(onRuntime ? activeId : undefined).then(
        (s) => {
          if (statusIsFor(s, activeId)) {
            if (first) live.setStatuses(s.nodes);
            // Counters for the message rates on the badges; a failed poll just leaves the last rates.
            live.setCounters(s.nodes, Date.now());
          }
          // The same poll keeps safe mode and restarts current when a frame was missed (reconnects).
          live.setEngine(s.engine);
          if (s.flows) controlRef.current.refresh(s.flows, asOf);
        },
        () => undefined,
      );
    };
    void poll(true);
    const rateTimer = setInterval(() => void poll(false), 2000);
    return () => clearInterval(rateTimer);
  }, [api, hub, activeId, onRuntime, activeState]);

  const failure = control.listError ?? control.loadError;
  if (failure) {
    return (
      <div className="sign-in-page">
        <div className="sign-in-card">
          <p className="sign-in-error">{failure}</p>
          {control.loadError && (
            <button type="button" data-testid="flow-load-retry" onClick={control.retryLoad}>
              Try again
            </button>
          )}
          <button type="button" data-testid="sign-out" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </div>
    );
  }
  if (!control.tabs) return <div className="sign-in-page">Loading the flows…</div>;
  const tab = control.tabs.active;
  if (!tab.draft) {
    return (
      <div className="app">
        <header className="toolbar">
          <span className="brand">tagflow</span>
        </header>
        <FlowTabsBar control={control} />
        <div className="sign-in-page" data-testid="flow-loading">
          Loading “{tabName(tab)}”…
        </div>
      </div>
    );
  }
  return (
    <LiveContext.Provider value={hub.storeFor(tab.id)}>
      <ChangedNodesContext.Provider value={changes.nodes}>
        <ReactFlowProvider key={tab.id}>
          <Workspace
            key={tab.id}
            api={api}
            catalog={catalog}
            tab={tab}
            endpoint={control.flows.endpoint(tab.id)}
            tabBar={
              <>
                <FlowTabsBar control={control} />
                <DraftOffers drafts={drafts} />
              </>
            }
            changes={changes}
            onEdited={(d) => control.edited(tab.id, d)}
            onBase={(version, flow) => control.deployed(tab.id, version, flow)}
            onAddFlows={(flows) => control.addFlows(flows)}
            onPackagesChanged={reloadNodes}
            onSignOut={signOut}
          />
        </ReactFlowProvider>
      </ChangedNodesContext.Provider>
      {signingOut && <SignOutDialog flows={signingOut} onSignOut={onSignOut} onCancel={() => setSigningOut(null)} />}
    </LiveContext.Provider>
  );
}

function Workspace({
  api,
  catalog: installed,
  tab,
  endpoint,
  tabBar,
  changes,
  onEdited,
  onBase,
  onAddFlows,
  onPackagesChanged,
  onSignOut,
}: {
  api: AdminApi;
  catalog: EditorCatalog;
  /** The flow shown; the workspace is made anew for each tab. */
  tab: FlowTab;
  endpoint: FlowEndpoint;
  tabBar: ReactNode;
  /** What the tab holds that the runtime does not (counted on the Deploy button). */
  changes: UndeployedChanges;
  onEdited(doc: FlowDocument): void;
  /** The runtime holds `flow` as `version` now (deployed, or reloaded after a conflict). */
  onBase(version: number, flow: Flow): void;
  /** Opens new flows as tabs (an imported Node-RED export's); returns the reason when refused. */
  onAddFlows(flows: readonly Flow[]): string | undefined;
  /** Packages were installed or removed: read the node types again. */
  onPackagesChanged(): void;
  onSignOut(): void;
}) {
  const store = useDocument(() => tab.draft ?? FlowDocument.empty(tab.id));
  // While a subflow is open the canvas shows it, not the flow: the tab keeps the flow with the
  // subflow put back, so a switch to another tab and back (or a deploy from the tab) loses nothing.
  const openSubflow = useRef<SubflowEditing | null>(null);
  useTabSync(store, tab.draft, onEdited, (shown) => {
    const open = openSubflow.current;
    return open ? FlowDocument.fromFlow(closeSubflow(open.parent, open.subflowId, shown.toFlow())) : shown;
  });
  const { doc } = store;
  // The installed types and the flow's own subflows (`subflow:<id>`), for palette, canvas and forms.
  const catalog = useMemo(() => withSubflowTypes(installed, doc.meta.subflows), [installed, doc.meta.subflows]);
  const [subflowEditing, setSubflowEditing] = useState<SubflowEditing | null>(null);
  openSubflow.current = subflowEditing;
  const live = useLive();
  const rf = useReactFlow();
  const [baseVersion, setBaseVersion] = useState(tab.baseVersion);
  // A restored local draft brings the version it was made on (If-Match), maybe older than the runtime's.
  useEffect(() => setBaseVersion(tab.baseVersion), [tab.baseVersion]);
  const [running] = useState({ flow: tab.base });
  const [refusal, setRefusal] = useState<DeployRefusal<DeployError>>(NO_REFUSAL);
  const [deploying, setDeploying] = useState<Flow | null>(null);
  const [jsonOpen, setJsonOpen] = useState(false);
  const [nodeRed, setNodeRed] = useState<NodeRedImport | undefined>();
  const [trendFor, setTrendFor] = useState<string | null>(null);
  const narrow = typeof window !== 'undefined' && window.innerWidth < 900;
  const [paletteOpen, setPaletteOpen] = useState(!narrow);
  const [propsOpen, setPropsOpen] = useState(true);
  const [rightTab, setRightTab] = useState<'properties' | 'context' | 'help'>('properties');
  const [pointedType, setPointedType] = useState<string | undefined>();
  const addCount = useRef(0);

  useEffect(() => live.setFeeders(running.flow?.edges ?? [], running.flow?.nodes), [live, running]);
  useEffect(() => live.setStatusAliases(subflowStatusNodes(running.flow, installed)), [live, running, installed]);

  // Validation ignores selection and positions; recompute only when the flow's content changes.
  const content = useMemo(
    () => ({ nodes: doc.nodes, edges: doc.edges, resources: doc.resources, meta: doc.meta }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed on the revision on purpose, as said above
    [doc.revision, doc.nodes.length],
  );
  // A refused node stays marked only until its settings change (the live check takes over then).
  const deployErrors = useMemo(() => standingRefusals(refusal, canvasToFlow(content)), [refusal, content]);
  const showNode = useShowNode(store);
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

  // The inject buttons: a node can send once it is in the flow's deployed version and the flow runs.
  const flowState = tab.remote?.state;
  const inSubflow = subflowEditing !== null;
  const { notify } = store;
  const injectControl = useMemo<InjectControl>(
    () => ({
      deployed: (id) =>
        !inSubflow &&
        (flowState === undefined || flowState === 'running') &&
        tab.base?.nodes.some((n) => n.id === id && !n.disabled) === true,
      inject: (id) => api.injectNode(tab.id, id),
      notify,
    }),
    [api, tab.id, tab.base, flowState, inSubflow, notify],
  );

  const replaceFlow = useCallback(
    (flow: Flow, message?: string) => {
      // The tab's id stays: an imported file or an example becomes this flow's next version.
      store.replace({ ...flow, id: tab.id });
      setRefusal(NO_REFUSAL);
      if (message) store.notify(message, 'info');
      setTimeout(() => fitReadable(rf), 50);
    },
    [store, rf, tab.id],
  );

  // Fired and forgotten by the toolbar: a file it cannot read or parse ends in the notice below.
  const onImport = async (file: File) => {
    try {
      const text = await file.text();
      const flow = JSON.parse(text) as Flow;
      // A Node-RED export (a list of nodes, or {flows: [...]}) is converted, with a report first.
      if (isNodeRedExport(flow)) {
        const result = convertNodeRedFlows(flow);
        if (!result.ok) {
          store.notify(`${file.name} cannot be imported from Node-RED: ${result.problem}`);
          return;
        }
        setNodeRed({ fileName: file.name, result });
        return;
      }
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
    a.download = exportFileName(flow);
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const onDeployResult = (result: DeployResult) => {
    if (result.status !== 'rejected') return setRefusal(NO_REFUSAL);
    setRefusal(deployRefusal(result.errors, deploying ?? store.current().toFlow()));
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
        changes={changes.count}
        onUndo={store.undo}
        onRedo={store.redo}
        onFit={() => fitReadable(rf, { duration: 200 })}
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
      {tabBar}
      <EngineBanner />
      <div className="workspace">
        <SidePanel
          side="left"
          title="Nodes"
          label="Node palette"
          open={paletteOpen}
          onToggle={() => setPaletteOpen(!paletteOpen)}
        >
          <Palette
            catalog={catalog}
            onAdd={addAtCentre}
            onPoint={setPointedType}
            onHelp={(type) => {
              setPointedType(type);
              setRightTab('help');
            }}
            packages={{ api, onChanged: onPackagesChanged }}
          />
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
            <InjectContext.Provider value={injectControl}>
              <FlowCanvas store={store} catalog={catalog} problems={problems} onAddNode={addNode} />
            </InjectContext.Provider>
          )}
          {store.notice && (
            <div
              className={`toast ${store.notice.kind}`}
              role={store.notice.kind === 'error' ? 'alert' : 'status'}
              data-testid="notice"
              onClick={store.dismiss}
            >
              {store.notice.text}
              {/* A click anywhere on it dismisses it; this button is the keyboard's way. */}
              {/* Its × is drawn by CSS, so that the notice's text stays its message alone. */}
              <button
                type="button"
                className="toast-close"
                aria-label="Dismiss this notice"
                data-testid="notice-dismiss"
              />
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
            <button
              type="button"
              role="tab"
              aria-selected={rightTab === 'help'}
              data-testid="tab-help"
              onClick={() => setRightTab('help')}
            >
              Help
            </button>
          </div>
          {rightTab === 'help' ? (
            <HelpPanel catalog={catalog} pointed={pointedType} selected={selectedNode(doc.nodes)?.type} />
          ) : rightTab === 'properties' ? (
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
      {nodeRed && (
        <NodeRedImportDialog
          fileName={nodeRed.fileName}
          result={nodeRed.result}
          onConfirm={() => {
            const refused = onAddFlows(nodeRed.result.flows);
            if (refused) store.notify(refused);
            else
              store.notify(
                `Imported ${nodeRed.result.flows.length === 1 ? 'one flow' : `${nodeRed.result.flows.length} flows`} from Node-RED as new tabs: deploy each when it is ready.`,
                'info',
              );
            return refused;
          }}
          onClose={() => setNodeRed(undefined)}
        />
      )}
      {deploying && (
        <DeployDialog
          target={endpoint}
          catalog={catalog}
          flow={deploying}
          baseVersion={baseVersion}
          validation={validation}
          problems={problemEntries(validation, deployErrors, doc)}
          onShowNode={(id) => {
            setDeploying(null);
            showNode(id);
          }}
          onDeployed={(version) => {
            setBaseVersion(version);
            onBase(version, deploying);
            setRefusal(NO_REFUSAL);
            live.setFeeders(deploying.edges, deploying.nodes);
            live.setStatusAliases(subflowStatusNodes(deploying, installed));
            // A deploy leaves safe mode: the banner goes with this answer.
            api.status(tab.id).then(
              (s) => {
                if (statusIsFor(s, tab.id)) live.setStatuses(s.nodes);
                live.setEngine(s.engine);
              },
              () => undefined,
            );
          }}
          onRejected={onDeployResult}
          onReload={(r) => {
            setBaseVersion(r.version);
            if (r.flow) {
              onBase(r.version, r.flow);
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

/** The one selected node, for the Context and Help tabs. */
function selectedNode(nodes: readonly CanvasNode[]): { id: string; label?: string; type: string } | undefined {
  const selected = nodes.filter((n) => n.selected);
  return selected.length === 1 ? { id: selected[0].id, label: selected[0].label, type: selected[0].type } : undefined;
}
