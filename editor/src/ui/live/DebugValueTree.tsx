import { previewValue, treeChildren } from '../../state';

/** What the tree needs from the panel: which paths are open, and the copy actions. */
export interface TreeActions {
  isOpen(path: string): boolean;
  toggle(path: string): void;
  copy(what: 'path' | 'value', path: string, value: unknown): void;
}

/**
 * A debug value as Node-RED's sidebar shows it: scalars inline, objects and arrays as a line that
 * opens into their properties (one level at a time), each with "copy path" and "copy value".
 * `path` is where the value sits in the message (`payload`, or '' for a whole message).
 */
export function DebugValueTree({ value, path, actions }: { value: unknown; path: string; actions: TreeActions }) {
  const children = treeChildren(value, path);
  const nested = typeof value === 'object' && value !== null;
  if (!nested) return <Scalar value={value} path={path} actions={actions} />;
  const open = actions.isOpen(path);
  return (
    <div className="tree-node">
      <span className="tree-line">
        <button
          type="button"
          className="tree-toggle"
          data-testid="debug-tree-toggle"
          data-path={path}
          aria-expanded={open}
          aria-label={`${open ? 'Collapse' : 'Expand'} ${path || 'the message'}`}
          onClick={() => actions.toggle(path)}
        >
          {open ? '▾' : '▸'} {previewValue(value)}
        </button>
        <CopyButtons value={value} path={path} actions={actions} />
      </span>
      {open && (
        <ul className="tree-children">
          {children.length === 0 && <li className="tree-empty">(empty)</li>}
          {children.map((child) => (
            <li key={String(child.key)} data-testid="debug-tree-row" data-path={child.path}>
              <span className="tree-key">{child.key}:</span>{' '}
              <DebugValueTree value={child.value} path={child.path} actions={actions} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Scalar({ value, path, actions }: { value: unknown; path: string; actions: TreeActions }) {
  return (
    <span className="tree-line">
      <span className={`tree-scalar ${typeof value}`}>{previewValue(value, 2000)}</span>
      <CopyButtons value={value} path={path} actions={actions} />
    </span>
  );
}

function CopyButtons({ value, path, actions }: { value: unknown; path: string; actions: TreeActions }) {
  return (
    <span className="tree-actions">
      {path !== '' && (
        <button
          type="button"
          className="tree-copy"
          data-testid="debug-copy-path"
          data-path={path}
          title={`Copy the path ${path}`}
          aria-label={`Copy the path ${path}`}
          onClick={() => actions.copy('path', path, value)}
        >
          path
        </button>
      )}
      <button
        type="button"
        className="tree-copy"
        data-testid="debug-copy-value"
        data-path={path}
        title="Copy the value"
        aria-label={`Copy the value${path ? ` of ${path}` : ''}`}
        onClick={() => actions.copy('value', path, value)}
      >
        value
      </button>
    </span>
  );
}
