import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Background, Controls, MiniMap, ReactFlow, useNodesInitialized, useReactFlow } from '@xyflow/react';
import type { Connection, Edge, EdgeChange, Node, NodeChange, NodeMouseHandler, NodeTypes } from '@xyflow/react';
import { LINK_PORT, linkWires } from '@tagflow/flow-model';
import { groupBounds, groupMove } from '../../state';
import type { CanvasNode, EditorCatalog, Position } from '../../state';
import type { DocumentStore } from '../editor/use-document';
import { TagflowNode } from './TagflowNode';
import type { TagflowRfNode } from './TagflowNode';
import { GroupBox, groupNodeId } from './GroupBox';
import type { GroupRfNode } from './GroupBox';
import { GroupBar } from './GroupBar';
import { categoryColour } from './categories';
import { fitReadable } from './fit-view';
import '../../styles/canvas.css';

const nodeTypes: NodeTypes = { tagflow: TagflowNode, tfgroup: GroupBox };

/** Anything on the canvas: a flow node or a group's box. */
type CanvasRfNode = TagflowRfNode | GroupRfNode;

/** A node's size before React Flow has measured it (the fixed width of styles/canvas.css). */
const DEFAULT_NODE_SIZE = { width: 190, height: 64 };

/** Wires are drawn above nodes (z-index 1, nodes 0, group boxes -1): one never hides behind a node. */
const EDGE_Z = 1;

/** The MIME type a palette item is dragged with. */
export const DRAG_TYPE = 'application/x-tagflow-node-type';

interface Props {
  store: DocumentStore;
  catalog: EditorCatalog;
  /** Problems per node id (validation and the last deploy's errors). */
  problems: ReadonlyMap<string, number>;
  onAddNode(type: string, position: { x: number; y: number }): void;
}

/** The React Flow canvas, drawn from the FlowDocument; every user action becomes a document edit. */
export function FlowCanvas({ store, catalog, problems, onAddNode }: Props) {
  const { doc } = store;
  const rf = useReactFlow();
  const { screenToFlowPosition } = rf;
  const [measured, setMeasured] = useState<ReadonlyMap<string, { width: number; height: number }>>(new Map());
  const cache = useRef(new Map<string, { src: CanvasNode; m: unknown; p: number; rf: TagflowRfNode }>());

  const nodes = useMemo(() => {
    const next: TagflowRfNode[] = doc.nodes.map((n) => {
      const m = measured.get(n.id);
      const p = problems.get(n.id) ?? 0;
      const hit = cache.current.get(n.id);
      if (hit && hit.src === n && hit.m === m && hit.p === p) return hit.rf;
      const rf: TagflowRfNode = {
        id: n.id,
        type: 'tagflow',
        position: n.position,
        selected: Boolean(n.selected),
        data: { node: n, info: catalog.nodes.get(n.type), problems: p },
        ...(m ? { measured: m } : {}),
      };
      cache.current.set(n.id, { src: n, m, p, rf });
      return rf;
    });
    return next;
  }, [doc.nodes, measured, problems, catalog]);

  const onRenameGroup = useCallback(
    (groupId: string, name: string) => store.edit((d) => d.updateGroup(groupId, { name })),
    [store],
  );
  const onColourGroup = useCallback(
    (groupId: string, color: string) => store.edit((d) => d.updateGroup(groupId, { color })),
    [store],
  );

  // Group boxes, drawn around their nodes as they are now: never stored, so they cannot drift.
  const groupBoxes = useMemo(() => {
    const byId = new Map(doc.nodes.map((n) => [n.id, n.position]));
    const boxes: GroupRfNode[] = [];
    for (const group of doc.meta.groups ?? []) {
      const box = groupBounds(
        group,
        (id) => byId.get(id),
        (id) => measured.get(id) ?? DEFAULT_NODE_SIZE,
      );
      if (!box) continue;
      boxes.push({
        id: groupNodeId(group.id),
        type: 'tfgroup',
        position: { x: box.x, y: box.y },
        width: box.width,
        height: box.height,
        zIndex: -1,
        selectable: false,
        deletable: false,
        connectable: false,
        focusable: false,
        data: { group, onRename: onRenameGroup, onColour: onColourGroup },
      });
    }
    return boxes;
  }, [doc.nodes, doc.meta.groups, measured, onRenameGroup, onColourGroup]);

  const allNodes = useMemo<CanvasRfNode[]>(() => [...groupBoxes, ...nodes], [groupBoxes, nodes]);

  // The first view: readable (a small flow at 1:1 or more), once the nodes have their sizes.
  const initialized = useNodesInitialized();
  const framed = useRef(false);
  useEffect(() => {
    if (!initialized || framed.current) return;
    framed.current = true;
    fitReadable(rf);
  }, [initialized, rf]);

  const edges = useMemo<Edge[]>(
    () => [
      ...doc.edges.map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        sourceHandle: e.sourcePort,
        targetHandle: e.targetPort,
        selected: Boolean(e.selected),
        zIndex: EDGE_Z,
      })),
      // Link nodes' virtual wires, from their config: drawn dashed, not edges of the flow file.
      ...linkWires(doc.nodes, (n) => catalog.nodes.get(n.type)?.link).map(({ source, target }) => ({
        id: `link:${source}->${target}`,
        source,
        target,
        sourceHandle: LINK_PORT,
        targetHandle: LINK_PORT,
        className: 'virtual-wire',
        zIndex: EDGE_Z,
        selectable: false,
        deletable: false,
        focusable: false,
      })),
    ],
    [doc.edges, doc.nodes, catalog],
  );

  const onNodesChange = useCallback(
    (all: NodeChange<CanvasRfNode>[]) => {
      // A group's box moved: its nodes move by as much (the box follows them on the next render).
      const groupMoves: Record<string, Position> = {};
      let groupDragging = false;
      const changes = all.filter((c) => {
        if (!('id' in c) || !c.id.startsWith('group:')) return true;
        if (c.type === 'position' && c.position) {
          const box = groupBoxes.find((b) => b.id === c.id);
          const d = store.current();
          if (box) {
            Object.assign(
              groupMoves,
              groupMove(box.data.group, (id) => d.node(id)?.position, box.position, c.position),
            );
            if (c.dragging) groupDragging = true;
          }
        } else if (c.type === 'position' && !c.dragging) {
          // The drop of a group drag, without a position: record the whole drag as one undo step.
          store.edit((d) => d.moveNodes({}));
        }
        return false;
      }) as NodeChange<TagflowRfNode>[];
      if (Object.keys(groupMoves).length > 0) store.edit((d) => d.moveNodes(groupMoves, { transient: groupDragging }));
      const sizes = changes.filter((c) => c.type === 'dimensions' && c.dimensions);
      if (sizes.length > 0) {
        setMeasured((prev) => {
          const next = new Map(prev);
          for (const c of sizes) if (c.type === 'dimensions' && c.dimensions) next.set(c.id, c.dimensions);
          return next;
        });
      }
      const moves = changes.filter((c) => c.type === 'position');
      if (moves.length > 0) {
        const positions: Record<string, { x: number; y: number }> = {};
        let dragging = false;
        for (const c of moves) {
          if (c.type !== 'position') continue;
          if (c.position) positions[c.id] = c.position;
          if (c.dragging) dragging = true;
        }
        // The drop (dragging false) records the whole drag as one undo step.
        store.edit((d) => {
          const pos = { ...positions };
          if (!dragging)
            for (const c of moves)
              if (c.type === 'position' && !c.position) pos[c.id] = d.node(c.id)?.position ?? { x: 0, y: 0 };
          return d.moveNodes(pos, { transient: dragging });
        });
      }
      const selects = changes.filter((c) => c.type === 'select');
      if (selects.length > 0) {
        store.edit((d) => {
          const chosen = new Set(d.nodes.filter((n) => n.selected).map((n) => n.id));
          for (const c of selects) {
            if (c.type !== 'select') continue;
            if (c.selected) chosen.add(c.id);
            else chosen.delete(c.id);
          }
          return d.select(
            [...chosen],
            d.edges.filter((e) => e.selected).map((e) => e.id),
          );
        });
      }
    },
    [store, groupBoxes],
  );

  // A click on a group's box selects its nodes (Shift/Ctrl adds them to the selection).
  const onNodeClick = useCallback<NodeMouseHandler<Node>>(
    (event, node) => {
      if (node.type !== 'tfgroup') return;
      const members = (node as GroupRfNode).data.group.nodes;
      const add = event.shiftKey || event.ctrlKey || event.metaKey;
      store.edit((d) => {
        const keep = add ? d.nodes.filter((n) => n.selected).map((n) => n.id) : [];
        return d.select([...new Set([...keep, ...members])]);
      });
    },
    [store],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const selects = changes.filter((c) => c.type === 'select');
      if (selects.length === 0) return;
      store.edit((d) => {
        const chosen = new Set(d.edges.filter((e) => e.selected).map((e) => e.id));
        for (const c of selects) {
          if (c.type !== 'select') continue;
          if (c.selected) chosen.add(c.id);
          else chosen.delete(c.id);
        }
        return d.select(
          d.nodes.filter((n) => n.selected).map((n) => n.id),
          [...chosen],
        );
      });
    },
    [store],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      store.edit((d) =>
        d.connect(
          {
            source: c.source,
            sourcePort: c.sourceHandle ?? 'out',
            target: c.target,
            targetPort: c.targetHandle ?? 'in',
          },
          catalog,
        ),
      );
    },
    [store, catalog],
  );

  const onDelete = useCallback(
    ({ nodes: ns, edges: es }: { nodes: CanvasRfNode[]; edges: Edge[] }) => {
      store.edit((d) =>
        d.removeElements(
          ns.filter((n) => n.type !== 'tfgroup').map((n) => n.id),
          es.map((e) => e.id),
        ),
      );
    },
    [store],
  );

  const onDragOver = useCallback((e: React.DragEvent) => {
    if (!e.dataTransfer.types.includes(DRAG_TYPE) && !e.dataTransfer.types.includes('text/plain')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (e: React.DragEvent) => {
      const type = e.dataTransfer.getData(DRAG_TYPE) || e.dataTransfer.getData('text/plain');
      if (!type || !catalog.nodes.has(type)) return;
      e.preventDefault();
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      // The pointer ends up at the node's left middle, near where it was grabbed.
      onAddNode(type, { x: Math.round(p.x - 20), y: Math.round(p.y - 25) });
    },
    [catalog, onAddNode, screenToFlowPosition],
  );

  return (
    <div className="canvas-wrap" onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<CanvasRfNode>
        nodes={allNodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeClick={onNodeClick}
        onDelete={onDelete}
        deleteKeyCode={['Delete', 'Backspace']}
        multiSelectionKeyCode={['Shift', 'Control', 'Meta']}
        selectionKeyCode="Shift"
        elevateNodesOnSelect={false}
        minZoom={0.2}
        maxZoom={2.5}
        defaultEdgeOptions={{ interactionWidth: 16, zIndex: EDGE_Z }}
      >
        <GroupBar store={store} />
        <Background gap={20} color="#dfe4ea" />
        <Controls showInteractive={false} />
        <MiniMap
          pannable
          zoomable
          style={{ width: 150, height: 100 }}
          nodeColor={(n) =>
            n.type === 'tfgroup' ? 'transparent' : categoryColour((n as TagflowRfNode).data?.info?.category)
          }
        />
      </ReactFlow>
      {doc.nodes.length === 0 && (
        <div className="empty-hint">
          <div>
            Drag a node from the palette onto this area to start.
            <br />
            <small>Tip: a flow reads left to right, e.g. simulate → moving-average → threshold → debug.</small>
          </div>
        </div>
      )}
    </div>
  );
}
