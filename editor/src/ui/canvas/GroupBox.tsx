import { memo, useState } from 'react';
import type { Node, NodeProps } from '@xyflow/react';
import type { FlowGroup } from '@tagflow/flow-model';
import { GROUP_COLOURS } from '../../state';

/** What the canvas passes to a group's box. */
export interface GroupBoxData extends Record<string, unknown> {
  group: FlowGroup;
  onRename(groupId: string, name: string): void;
  onColour(groupId: string, colour: string): void;
}

export type GroupRfNode = Node<GroupBoxData, 'tfgroup'>;

/** The id of a group's box on the canvas (never a node id: those have no `:`). */
export const groupNodeId = (groupId: string): string => `group:${groupId}`;

/**
 * A group: a named, coloured box drawn behind its nodes (z-index -1), around them as they are
 * placed; dragging it moves them. Double-click the name to rename; the dot changes the colour.
 */
export const GroupBox = memo(function GroupBox({ data }: NodeProps<GroupRfNode>) {
  const { group, onRename, onColour } = data;
  const [editing, setEditing] = useState(false);
  const colour = group.color ?? GROUP_COLOURS[0];
  const name = group.name ?? group.id;
  const nextColour = GROUP_COLOURS[(GROUP_COLOURS.indexOf(colour as never) + 1) % GROUP_COLOURS.length];
  return (
    <div
      className="tf-group"
      data-testid={`group-${group.id}`}
      style={{ ['--group' as string]: colour }}
      role="group"
      aria-label={`Group ${name}`}
    >
      <div className="tf-group-head">
        <button
          type="button"
          className="tf-group-colour nodrag"
          title="Change the group's colour"
          aria-label={`Change the colour of group ${name}`}
          data-testid={`group-colour-${group.id}`}
          onClick={(e) => {
            e.stopPropagation();
            onColour(group.id, nextColour);
          }}
        />
        {editing ? (
          <input
            className="nodrag nopan nokey"
            aria-label="Group name"
            data-testid={`group-name-input-${group.id}`}
            defaultValue={group.name ?? ''}
            autoFocus
            onKeyDown={(e) => {
              if (e.key === 'Enter') e.currentTarget.blur();
              if (e.key === 'Escape') setEditing(false);
            }}
            onBlur={(e) => {
              setEditing(false);
              onRename(group.id, e.currentTarget.value);
            }}
          />
        ) : (
          <span
            className="tf-group-name"
            data-testid={`group-name-${group.id}`}
            title={`${name}: double-click to rename`}
            onDoubleClick={(e) => {
              e.stopPropagation();
              setEditing(true);
            }}
          >
            {name}
          </span>
        )}
      </div>
    </div>
  );
});
