import { memo, useContext, useEffect, useRef, useSyncExternalStore } from 'react';
import { Handle, Position, useUpdateNodeInternals } from '@xyflow/react';
import { LINK_PORT, outputPorts } from '@tagflow/flow-model';
import type { Node, NodeProps } from '@xyflow/react';
import type { CanvasNode, EditorNodeTypeInfo } from '../../state';
import { LiveContext } from '../live/use-live';
import type { NodeStatus } from '../../api/types';
import { categoryColour } from './categories';
import { NodeErrorBadge } from './NodeErrorBadge';
import { ChangedMarker } from './ChangedMarker';
import { InjectButton } from './InjectButton';

/** What the canvas passes to each node. */
export interface TagflowNodeData extends Record<string, unknown> {
  node: CanvasNode;
  info?: EditorNodeTypeInfo;
  /** Validation or deploy problems: the node gets a red outline. */
  problems: number;
}

export type TagflowRfNode = Node<TagflowNodeData, 'tagflow'>;

/** A flow node: label, type, named ports as handles (id = port name), live status badge. */
export const TagflowNode = memo(function TagflowNode({ id, data, selected }: NodeProps<TagflowRfNode>) {
  const { node, info, problems } = data;
  const inputs = info?.inputs ?? ['in'];
  // Some types number their outputs by the config (a switch's `outputs`): redrawn as the form changes.
  const outputs = info ? outputPorts(info, node.config) : ['out'];
  const updateNodeInternals = useUpdateNodeInternals();
  const outputKey = outputs.join(' ');
  const drawnKey = useRef(outputKey);
  // React Flow measures handles when a node mounts; added or removed ones must be measured again.
  // Not on mount: an extra measure then upsets the first fit of the view.
  useEffect(() => {
    if (drawnKey.current === outputKey) return;
    drawnKey.current = outputKey;
    updateNodeInternals(id);
  }, [id, outputKey, updateNodeInternals]);
  const status = useNodeStatus(id);
  const rate = useNodeRate(id);
  const rows = Math.max(inputs.length, outputs.length, 1);
  const statusText = status
    ? `${status.text ?? status.state}${status.backlog ? ` · backlog ${status.backlog}` : ''}${rate ? ` · ${formatRate(rate)}` : ''}`
    : '';
  const top = (i: number, n: number) => `${((i + 1) / (n + 1)) * 100}%`;
  return (
    <div
      className={`tf-node${selected ? ' selected' : ''}${problems > 0 ? ' invalid' : ''}${node.disabled ? ' disabled' : ''}`}
      style={{ ['--cat' as string]: categoryColour(info?.category), minHeight: 34 + rows * 12 }}
      title={problems > 0 ? `${problems} problem${problems === 1 ? '' : 's'}: select the node to see them` : undefined}
    >
      {inputs.map((port, i) => (
        <Handle
          key={`in-${port}`}
          id={port}
          type="target"
          position={Position.Left}
          style={{ top: top(i, inputs.length) }}
          title={`input: ${port}`}
        />
      ))}
      {/* Virtual wires (dashed, drawn from config) end at this hidden handle of a link-in. */}
      {info?.link === 'in' && (
        <Handle id={LINK_PORT} type="target" position={Position.Left} className="link-handle" isConnectable={false} />
      )}
      {/* Fixed width (styles/canvas.css): long labels and statuses are cut with "…", whole on hover. */}
      <div className="label" title={node.label ?? node.id}>
        {node.label ?? node.id}
      </div>
      <div className="type">
        {node.type}
        {!info && ' (not installed)'}
        {node.disabled && ' · disabled'}
      </div>
      {(inputs.length > 1 || outputs.length > 1) && (
        <div className="ports">
          <span className="port-names">{inputs.length > 1 && inputs.map((p) => <span key={p}>{p}</span>)}</span>
          {/* Each output's handle sits on its name's row, so a switch's 16 outputs line up with their names. */}
          <span className="port-names out">
            {outputs.length > 1 &&
              outputs.map((port) => (
                <span key={port} className="port-row">
                  {port}
                  <OutputHandle port={port} />
                </span>
              ))}
          </span>
        </div>
      )}
      <div
        className="status-badge"
        data-testid={`status-${id}`}
        data-state={status?.state ?? 'none'}
        data-lost={status?.dropped ? 'true' : undefined}
        title={statusText || undefined}
      >
        <span className="status-text">
          {status ? `${status.text ?? status.state}${status.backlog ? ` · backlog ${status.backlog}` : ''}` : ''}
          {rate !== undefined && rate > 0 && (
            <span className="rate" data-testid={`rate-${id}`}>{` · ${formatRate(rate)}`}</span>
          )}
        </span>
      </div>
      {/* Badges (a changed marker, an error count) go in this corner, absolutely placed, so that
          they never change the node's size; the inject button sits on the left edge. */}
      <div className="tf-node-corner">
        <ChangedMarker id={id} />
        <NodeErrorBadge id={id} />
      </div>
      <InjectButton node={node} info={info} />
      {outputs.length === 1 && <OutputHandle port={outputs[0]} />}
      {(info?.link === 'out' || info?.link === 'call') && (
        <Handle id={LINK_PORT} type="source" position={Position.Right} className="link-handle" isConnectable={false} />
      )}
    </div>
  );
});

/** An output port's handle: on the node's right edge, at the middle of whatever holds it. */
function OutputHandle({ port }: { port: string }) {
  return <Handle id={port} type="source" position={Position.Right} title={`output: ${port}`} />;
}

const noop = () => () => {};

/** `12 msg/s`, `0.4 msg/s`, `1.2k msg/s`. */
function formatRate(rate: number): string {
  if (rate >= 1000) return `${(rate / 1000).toFixed(1)}k msg/s`;
  return `${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} msg/s`;
}

/** The node's message rate, re-rendering only when it changes. */
function useNodeRate(id: string): number | undefined {
  const store = useContext(LiveContext);
  return useSyncExternalStore(store?.subscribe ?? noop, () => store?.rates.get(id));
}

/** The node's status, re-rendering only when that node's status object changes. */
function useNodeStatus(id: string): NodeStatus | undefined {
  const store = useContext(LiveContext);
  return useSyncExternalStore(store?.subscribe ?? noop, () => store?.statuses.get(id));
}
