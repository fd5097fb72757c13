import { useEffect, useState } from 'react';
import type { EditorCatalog } from '../../state';
import { NodeDocs } from './NodeDocs';

/**
 * The right column's Help tab (Node-RED's help sidebar): the docs of the node type last pointed at
 * in the palette or selected on the canvas, formatted.
 */
export function HelpPanel({
  catalog,
  pointed,
  selected,
}: {
  catalog: EditorCatalog;
  /** The type last pointed at (or focused) in the palette. */
  pointed: string | undefined;
  /** The type of the one node selected on the canvas. */
  selected: string | undefined;
}) {
  const [shown, setShown] = useState(selected ?? pointed);
  // Whichever changed last is shown: pointing at the palette, or selecting on the canvas.
  useEffect(() => {
    if (pointed) setShown(pointed);
  }, [pointed]);
  useEffect(() => {
    if (selected) setShown(selected);
  }, [selected]);
  const info = shown ? catalog.nodes.get(shown) : undefined;
  return (
    <div className="help-panel" data-testid="help-panel" aria-live="polite">
      {!info ? (
        <p className="hint">
          {shown
            ? `“${shown}” is not installed on this runtime, so it has no help here.`
            : 'Select a node, or point at a node type in the palette, to read what it does.'}
        </p>
      ) : (
        <>
          <h2 className="help-title" data-testid="help-title">
            {info.type}
          </h2>
          {info.description && <p className="help-description">{info.description}</p>}
          {info.package && (
            <p className="hint">
              From {info.package.name} {info.package.version}
            </p>
          )}
          <NodeDocs info={info} testId="help-docs" />
        </>
      )}
    </div>
  );
}
