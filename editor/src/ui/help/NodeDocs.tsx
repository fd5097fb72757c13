import { useMemo } from 'react';
import { nodeDocsSections } from '@tagflow/flow-model';
import type { DocsSectionKind, NodeTypeInfo } from '@tagflow/flow-model';
import { renderMarkdown } from './markdown';
import '../../styles/node-help.css';

/** The parts of a docs page the editor's help shows: the form already shows each config field. */
const HELP_PARTS: readonly DocsSectionKind[] = ['docs', 'ports', 'errors', 'example'];

/**
 * A node type's help, as flow-model renders its docs page (the same Markdown as the package's
 * `docs/<type>.md`), shown formatted: headings, code, lists and tables. The Markdown comes from a
 * package, so it is rendered without any raw HTML (see `markdown.ts`).
 */
export function NodeDocs({ info, testId }: { info: NodeTypeInfo; testId?: string }) {
  const html = useMemo(
    () =>
      renderMarkdown(
        nodeDocsSections(info)
          .filter((section) => HELP_PARTS.includes(section.kind))
          .map((section) => section.markdown)
          .join('\n\n'),
      ),
    [info],
  );
  // The HTML is markdown-it's output with raw HTML disabled: nothing from the package runs.
  return <div className="node-docs markdown" data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}
