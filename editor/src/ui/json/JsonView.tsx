import { useMemo, useState } from 'react';
import { parseFlowJson } from '@tagflow/flow-model';
import type { Flow } from '@tagflow/flow-model';
import { validate } from '../../state';
import type { EditorCatalog } from '../../state';
import { LazyMonaco } from '../monaco/LazyMonaco';

/** The whole flow as JSON, validated while typing; Apply replaces the document (one undo step). */
export function JsonView({
  flow,
  catalog,
  onApply,
  onClose,
}: {
  flow: Flow;
  catalog: EditorCatalog;
  onApply(flow: Flow): void;
  onClose(): void;
}) {
  const original = useMemo(() => JSON.stringify(flow, null, 2), [flow]);
  const [text, setText] = useState(original);
  const check = useMemo(() => {
    const parsed = parseFlowJson(text);
    if (!parsed.ok) return { flow: null, problems: [parsed.error.message] };
    const value = parsed.value as Partial<Flow> | null;
    if (
      !value ||
      typeof value !== 'object' ||
      Array.isArray(value) ||
      typeof value.id !== 'string' ||
      !Array.isArray(value.nodes) ||
      (value.edges !== undefined && !Array.isArray(value.edges))
    ) {
      return { flow: null, problems: ['A flow is an object with an "id" (text), a "nodes" list and an "edges" list.'] };
    }
    const candidate = { ...value, edges: value.edges ?? [] } as Flow;
    const result = validate(candidate, catalog);
    return { flow: candidate, problems: result.errors.map((i) => i.message) };
  }, [text, catalog]);
  return (
    <div className="json-view">
      <div className="bar">
        <strong>Flow as JSON</strong>
        <span className="hint">Edit, then Apply to replace the flow on the canvas (Undo brings it back).</span>
        <span style={{ flex: 1 }} />
        <button type="button" onClick={() => setText(original)} disabled={text === original}>
          Revert
        </button>
        <button type="button" onClick={onClose}>
          Back to canvas
        </button>
        <button
          type="button"
          className="primary"
          data-testid="json-apply"
          disabled={!check.flow}
          title={check.flow ? '' : 'Fix the JSON first'}
          onClick={() => check.flow && onApply(check.flow)}
        >
          Apply
        </button>
      </div>
      <div className="json-editor" data-testid="json-editor">
        <LazyMonaco
          value={text}
          language="json"
          height="100%"
          path="file:///tagflow/flow.json"
          onChange={setText}
          ariaLabel="Flow JSON"
          plainTyping
        />
      </div>
      <div
        className={`problems${check.problems.length === 0 ? ' none' : ''}`}
        data-testid="json-problems"
        aria-live="polite"
      >
        {check.problems.length === 0 ? (
          'No problems found.'
        ) : (
          <ul>
            {check.problems.slice(0, 50).map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
