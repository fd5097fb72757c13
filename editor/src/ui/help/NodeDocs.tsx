import { useEffect, useMemo, useState } from 'react';
import { nodeDocsSections } from '@tagflow/flow-model';
import type { DocsSectionKind, NodeTypeInfo } from '@tagflow/flow-model';
import '../../styles/node-help.css';

/** The parts of a docs page the editor's help shows: the form already shows each config field. */
const HELP_PARTS: readonly DocsSectionKind[] = ['docs', 'ports', 'errors', 'example'];

type Render = (markdown: string) => string;

// markdown-it is loaded with the first help shown, not with the page: the sign-in page stays light.
let renderer: Promise<Render> | undefined;
function loadRenderer(): Promise<Render> {
  renderer ??= import('./markdown').then((m) => m.renderMarkdown);
  return renderer;
}

/**
 * A node type's help, as flow-model renders its docs page (the same Markdown as the package's
 * `docs/<type>.md`), shown formatted: headings, code, lists and tables. The Markdown comes from a
 * package, so it is rendered without any raw HTML (see `markdown.ts`).
 */
export function NodeDocs({ info, testId }: { info: NodeTypeInfo; testId?: string }) {
  const markdown = useMemo(
    () =>
      nodeDocsSections(info)
        .filter((section) => HELP_PARTS.includes(section.kind))
        .map((section) => section.markdown)
        .join('\n\n'),
    [info],
  );
  const [render, setRender] = useState<Render | undefined>();
  useEffect(() => {
    let active = true;
    loadRenderer().then(
      (r) => active && setRender(() => r),
      (err: unknown) => console.warn('the help renderer did not load; showing the help as plain text', err),
    );
    return () => {
      active = false;
    };
  }, []);
  const html = useMemo(() => render?.(markdown), [render, markdown]);
  if (html === undefined)
    return (
      <pre className="node-docs" data-testid={testId}>
        {markdown}
      </pre>
    );
  // The HTML is markdown-it's output with raw HTML disabled: nothing from the package runs.
  return <div className="node-docs markdown" data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}
