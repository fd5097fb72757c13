import { useState } from 'react';
import { runResourceTool } from '../../api/resource-tools-api';
import {
  folderLoaded,
  isPickable,
  pickerResource,
  sortedChildren,
  toggleFolder,
  valueText,
} from '../../state/tag-pickers';
import type { BrowsedTag, BrowseTree } from '../../state/tag-pickers';
import type { FormContext } from './form-context';
import '../../styles/tag-pickers.css';

const ROOT = '';

/**
 * "Browse…" beside an OPC UA node id field: the server's address space as a tree, each variable
 * with its data type, value now and unit. Picking a variable fills the field with its node id.
 * It talks to the server the node names (`resourceField`), as the edited flow configures it.
 */
export function OpcuaBrowser({
  id,
  resourceField,
  onPick,
  ctx,
}: {
  id: string;
  resourceField: string;
  onPick(nodeId: string): void;
  ctx: FormContext;
}) {
  const [open, setOpen] = useState(false);
  const [tree, setTree] = useState<BrowseTree>({});
  const target = pickerResource(ctx.resources, ctx.config, resourceField, 'opcua-server');

  const load = (nodeId: string) => {
    if (!('resource' in target)) return;
    runResourceTool(ctx.api, 'browse', target.resource, nodeId === ROOT ? {} : { nodeId }, ctx.flowId).then(
      (answer) => {
        const children = (answer as { children?: BrowsedTag[] } | null)?.children ?? [];
        setTree((t) => folderLoaded(t, nodeId, children));
      },
      (err: unknown) =>
        setTree((t) => folderLoaded(t, nodeId, undefined, err instanceof Error ? err.message : String(err))),
    );
  };
  const toggle = (nodeId: string) => {
    const next = toggleFolder(tree, nodeId);
    setTree(next.tree);
    if (next.needsLoad) load(nodeId);
  };
  const start = () => {
    setOpen(!open);
    // Each opening asks again: values are live, and the config may have changed meanwhile.
    if (!open) {
      const next = toggleFolder({}, ROOT);
      setTree(next.tree);
      load(ROOT);
    }
  };

  const folder = (nodeId: string, depth: number) => {
    const state = tree[nodeId];
    if (!state?.open) return null;
    if (state.loading)
      return (
        <p className="tag-picker-note" style={{ paddingLeft: depth * 16 }}>
          Reading…
        </p>
      );
    if (state.error)
      return (
        <p className="tag-picker-error" role="alert" data-testid="tag-picker-error" style={{ paddingLeft: depth * 16 }}>
          {state.error}
        </p>
      );
    const children = sortedChildren(state.children ?? []);
    if (children.length === 0)
      return (
        <p className="tag-picker-note" style={{ paddingLeft: depth * 16 }}>
          Nothing in here.
        </p>
      );
    return (
      <ul className="opcua-tree" role="group">
        {children.map((child) => (
          <li
            key={child.nodeId}
            role="treeitem"
            aria-expanded={child.expandable ? Boolean(tree[child.nodeId]?.open) : undefined}
          >
            {child.expandable ? (
              <button
                type="button"
                className="opcua-folder"
                data-testid={`opcua-folder-${child.nodeId}`}
                style={{ paddingLeft: depth * 16 }}
                onClick={() => toggle(child.nodeId)}
                title={child.nodeId}
              >
                <span aria-hidden="true">{tree[child.nodeId]?.open ? '▾' : '▸'}</span> {child.displayName}
              </button>
            ) : isPickable(child) ? (
              <button
                type="button"
                className="opcua-variable"
                data-testid={`opcua-variable-${child.nodeId}`}
                style={{ paddingLeft: depth * 16 + 14 }}
                onClick={() => {
                  onPick(child.nodeId);
                  setOpen(false);
                }}
                title={`Use ${child.nodeId}`}
              >
                <span className="opcua-name">{child.displayName}</span>
                <span className="opcua-type">{child.dataType ?? ''}</span>
                <span className="opcua-value" data-testid={`opcua-value-${child.nodeId}`}>
                  {valueText(child.value)}
                  {child.unit ? ` ${child.unit}` : ''}
                  {child.status && child.status !== 'Good' ? ` (${child.status})` : ''}
                </span>
              </button>
            ) : (
              <span className="opcua-other" style={{ paddingLeft: depth * 16 + 14 }} title={child.nodeId}>
                {child.displayName} <span className="opcua-type">{child.nodeClass}</span>
              </span>
            )}
            {child.expandable && folder(child.nodeId, depth + 1)}
          </li>
        ))}
      </ul>
    );
  };

  return (
    <div className="tag-picker">
      <button
        type="button"
        className="small"
        data-testid={`tag-picker-open-${id}`}
        aria-expanded={open}
        onClick={start}
        disabled={!('resource' in target)}
        title={'missing' in target ? target.missing : 'Browse the server and pick a variable'}
      >
        {open ? 'Close browser' : 'Browse…'}
      </button>
      {'missing' in target && <span className="tag-picker-note">{target.missing}</span>}
      {open && 'resource' in target && (
        <div className="tag-picker-panel" data-testid="opcua-browser" role="tree" aria-label="OPC UA address space">
          <p className="tag-picker-note">
            Objects on {String(target.resource.config?.endpointUrl ?? target.resource.id)}. Click a variable to use it.
          </p>
          {folder(ROOT, 0)}
        </div>
      )}
    </div>
  );
}
