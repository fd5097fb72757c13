import { useMemo, useState } from 'react';
import { paletteGroups } from '../../state';
import type { EditorCatalog, EditorNodeTypeInfo } from '../../state';
import { categoryColour } from '../canvas/categories';
import { DRAG_TYPE } from '../canvas/FlowCanvas';
import type { AdminApi } from '../../api/client';
import { PaletteManager } from '../packages/PaletteManager';

const CATEGORY_TITLES: Record<string, string> = {
  source: 'Sources (bring data in)',
  processor: 'Processing',
  publisher: 'Outputs (send data out)',
  utility: 'Utilities',
};

/**
 * Installed node types by category, searchable; drag one onto the canvas, or double-click / Enter to
 * add it. With `packages`, "Manage palette…" opens the palette manager (install and remove packages).
 */
export function Palette({
  catalog,
  onAdd,
  onPoint,
  onHelp,
  packages,
}: {
  catalog: EditorCatalog;
  onAdd(type: string): void;
  /** A type was pointed at or focused: the Help tab follows it. */
  onPoint?(type: string): void;
  /** "Help" was asked for on the type described under the list. */
  onHelp?(type: string): void;
  /** The admin API, and what to do once packages changed (read the types again). */
  packages?: { api: AdminApi; onChanged(): void };
}) {
  const [search, setSearch] = useState('');
  const [focused, setFocused] = useState<string | null>(null);
  const [managing, setManaging] = useState(false);
  const groups = useMemo(() => paletteGroups(catalog, search), [catalog, search]);
  const help = focused ? catalog.nodes.get(focused) : undefined;
  return (
    <div className="palette" data-testid="palette">
      {packages && (
        <button
          type="button"
          className="palette-manage"
          data-testid="palette-manager-open"
          title="See, install and remove node packages"
          onClick={() => setManaging(true)}
        >
          Manage palette…
        </button>
      )}
      {packages && managing && (
        <PaletteManager api={packages.api} onChanged={packages.onChanged} onClose={() => setManaging(false)} />
      )}
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
                onFocus={() => {
                  setFocused(info.type);
                  onPoint?.(info.type);
                }}
                onAdd={() => onAdd(info.type)}
              />
            ))}
          </div>
        ))}
      </div>
      <NodeHelp info={help} onHelp={onHelp} />
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

/** The hovered or selected type's description; its whole help is in the Help tab. */
function NodeHelp({ info, onHelp }: { info: EditorNodeTypeInfo | undefined; onHelp?(type: string): void }) {
  return (
    <aside className="node-help" data-testid="node-help" aria-live="polite">
      {!info ? (
        <p className="hint">Point at a node type to read what it does. Drag it onto the canvas to use it.</p>
      ) : (
        <>
          <h4>{info.type}</h4>
          {info.description && <p>{info.description}</p>}
          {info.package && (
            <p className="hint">
              {info.package.name} {info.package.version}
            </p>
          )}
          {onHelp && (
            <button
              type="button"
              className="link-button"
              data-testid="node-help-more"
              onClick={() => onHelp(info.type)}
            >
              Read its help →
            </button>
          )}
        </>
      )}
    </aside>
  );
}
