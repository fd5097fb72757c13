import { useMemo, useState } from 'react';
import { paletteGroups } from '../../state';
import type { EditorCatalog, EditorNodeTypeInfo } from '../../state';
import { categoryColour } from '../canvas/categories';
import { DRAG_TYPE } from '../canvas/FlowCanvas';
import { NodeDocs } from '../help/NodeDocs';

const CATEGORY_TITLES: Record<string, string> = {
  source: 'Sources (bring data in)',
  processor: 'Processing',
  publisher: 'Outputs (send data out)',
  utility: 'Utilities',
};

/** Installed node types by category, searchable; drag one onto the canvas, or double-click / Enter to add it. */
export function Palette({ catalog, onAdd }: { catalog: EditorCatalog; onAdd(type: string): void }) {
  const [search, setSearch] = useState('');
  const [focused, setFocused] = useState<string | null>(null);
  const groups = useMemo(() => paletteGroups(catalog, search), [catalog, search]);
  const help = focused ? catalog.nodes.get(focused) : undefined;
  return (
    <div className="palette" data-testid="palette">
      <input
        className="palette-search"
        data-testid="palette-search"
        type="search"
        placeholder="Search nodes…"
        aria-label="Search nodes"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      <div className="palette-list">
        {groups.length === 0 && <p className="panel-empty">No node matches “{search}”.</p>}
        {groups.map((g) => (
          <div className="palette-group" key={g.category}>
            <h3>{CATEGORY_TITLES[g.category] ?? g.category}</h3>
            {g.items.map((info) => (
              <PaletteItem
                key={info.type}
                info={info}
                selected={focused === info.type}
                onFocus={() => setFocused(info.type)}
                onAdd={() => onAdd(info.type)}
              />
            ))}
          </div>
        ))}
      </div>
      <NodeHelp info={help} />
    </div>
  );
}

function PaletteItem({
  info,
  selected,
  onFocus,
  onAdd,
}: {
  info: EditorNodeTypeInfo;
  selected: boolean;
  onFocus(): void;
  onAdd(): void;
}) {
  return (
    <button
      type="button"
      className={`palette-item${selected ? ' selected' : ''}`}
      data-testid={`palette-item-${info.type}`}
      draggable
      style={{ ['--cat' as string]: categoryColour(info.category) }}
      title={`${info.description ?? info.type}\nDrag onto the canvas, or double-click to add.`}
      onDragStart={(e) => {
        e.dataTransfer.setData(DRAG_TYPE, info.type);
        e.dataTransfer.setData('text/plain', info.type);
        e.dataTransfer.effectAllowed = 'copy';
        onFocus();
      }}
      onMouseEnter={onFocus}
      onFocus={onFocus}
      onClick={onFocus}
      onDoubleClick={onAdd}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          onAdd();
        }
      }}
    >
      <span className="type">{info.type}</span>
    </button>
  );
}

/** The hovered or selected type's description, then its docs page's prose, ports, errors and example. */
function NodeHelp({ info }: { info: EditorNodeTypeInfo | undefined }) {
  return (
    <aside className="node-help" data-testid="node-help" aria-live="polite">
      {!info ? (
        <p className="hint">Point at a node type to read what it does. Drag it onto the canvas to use it.</p>
      ) : (
        <>
          <h4>{info.type}</h4>
          {info.description && <p>{info.description}</p>}
          <NodeDocs info={info} testId="node-help-docs" />
          {info.package && (
            <p className="hint">
              {info.package.name} {info.package.version}
            </p>
          )}
        </>
      )}
    </aside>
  );
}
