import { createContext, useContext, useState } from 'react';
import type { CanvasNode, EditorNodeTypeInfo } from '../../state';
import '../../styles/inject-button.css';

/** What the inject buttons need from the workspace: which nodes run, and how to make one send. */
export interface InjectControl {
  /** True when node `id` is in the deployed flow (and not disabled there): only then can it send. */
  deployed(id: string): boolean;
  /** Asks the runtime to make node `id` send now; rejects with the runtime's reason in plain words. */
  inject(id: string): Promise<void>;
  /** Shows the outcome to the user. */
  notify(text: string, kind?: 'info' | 'error'): void;
}

/** Given by the workspace; without it (previews, tests) no button is drawn. */
export const InjectContext = createContext<InjectControl | undefined>(undefined);

/**
 * Node-RED's inject button, on the left edge of a node whose type can be triggered by hand
 * (`manualTrigger` in GET /api/nodes: a timer, a simulator): a press makes the deployed node send
 * one message now. Greyed out, with the reason as its tooltip, until the node is deployed.
 */
export function InjectButton({ node, info }: { node: CanvasNode; info: EditorNodeTypeInfo | undefined }) {
  const control = useContext(InjectContext);
  const [sending, setSending] = useState(false);
  if (!control || !info?.manualTrigger) return null;
  const name = node.label ?? node.id;
  const deployed = control.deployed(node.id);
  return (
    <button
      type="button"
      className={`inject-button nodrag nopan${sending ? ' sending' : ''}`}
      data-testid={`inject-${node.id}`}
      aria-label={`Send one message now from “${name}”`}
      title={deployed ? 'Send one message now' : 'Deploy the flow first: only a deployed node can send'}
      disabled={!deployed || sending}
      onClick={(e) => {
        // The press is the button's, not a selection of the node.
        e.stopPropagation();
        setSending(true);
        control
          .inject(node.id)
          .then(
            () => control.notify(`“${name}” sent one message.`, 'info'),
            (err: unknown) =>
              control.notify(`“${name}” could not send: ${err instanceof Error ? err.message : String(err)}`, 'error'),
          )
          .finally(() => setSending(false));
      }}
    >
      ▶
    </button>
  );
}
