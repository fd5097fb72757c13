import type { ReactNode } from 'react';

/** A side column of the workspace that folds to its toggle button; its content is mounted only while open. */
export function SidePanel({
  side,
  title,
  label,
  open,
  onToggle,
  children,
}: {
  side: 'left' | 'right';
  /** The toggle's text, with an arrow pointing the way it folds. */
  title: string;
  /** The accessible name of the column. */
  label: string;
  open: boolean;
  onToggle(): void;
  children: ReactNode;
}) {
  // The arrow shows which way a click moves the column.
  const toggle = (side === 'left') === open ? `◂ ${title}` : `${title} ▸`;
  return (
    <aside className={`side ${side}${open ? '' : ' collapsed'}`} aria-label={label}>
      <button type="button" className="side-toggle" aria-expanded={open} onClick={onToggle}>
        {toggle}
      </button>
      {open && children}
    </aside>
  );
}
