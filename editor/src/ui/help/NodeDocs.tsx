import { nodeDocsSections } from '@tagflow/flow-model';
import type { DocsSectionKind, NodeTypeInfo } from '@tagflow/flow-model';

/** The parts of a docs page the editor's help shows: the form already shows each config field. */
const HELP_PARTS: readonly DocsSectionKind[] = ['docs', 'ports', 'errors', 'example'];

/**
 * A node type's help, as flow-model renders its docs page (the same Markdown as the package's
 * `docs/<type>.md`), shown as text.
 */
export function NodeDocs({ info, testId }: { info: NodeTypeInfo; testId?: string }) {
  const markdown = nodeDocsSections(info)
    .filter((section) => HELP_PARTS.includes(section.kind))
    .map((section) => section.markdown)
    .join('\n\n');
  return (
    <pre className="node-docs" data-testid={testId}>
      {markdown}
    </pre>
  );
}
