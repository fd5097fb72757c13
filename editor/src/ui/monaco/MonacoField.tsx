import Editor from '@monaco-editor/react';
import './monaco-setup';

/** Props of the lazily loaded Monaco editor. */
export interface MonacoFieldProps {
  value: string;
  language: 'javascript' | 'json';
  onChange(value: string): void;
  height: number | string;
  /** A model path: JSON schemas and the function typings attach to it. */
  path?: string;
  ariaLabel: string;
  /** No auto-closed brackets or quotes: what is typed is what is written (the JSON view). */
  plainTyping?: boolean;
}

/**
 * Monaco inside the React Flow page: the `nokey` wrapper stops React Flow's key handlers (space to
 * pan would eat spaces), and `editContext: false` keeps typing working in Chromium.
 */
export default function MonacoField({
  value,
  language,
  onChange,
  height,
  path,
  ariaLabel,
  plainTyping,
}: MonacoFieldProps) {
  return (
    <div className="nokey nowheel monaco-field" style={{ height }}>
      <Editor
        value={value}
        language={language}
        path={path}
        onChange={(v) => onChange(v ?? '')}
        height="100%"
        options={{
          editContext: false,
          minimap: { enabled: false },
          fontSize: 14,
          scrollBeyondLastLine: false,
          automaticLayout: true,
          tabSize: 2,
          wordWrap: 'on',
          ariaLabel,
          fixedOverflowWidgets: true,
          acceptSuggestionOnEnter: 'off',
          // Typing over a selection replaces it (as in any text box) instead of wrapping it in quotes or brackets.
          autoSurround: 'never',
          ...(plainTyping
            ? { autoClosingBrackets: 'never', autoClosingQuotes: 'never', autoIndent: 'none', formatOnType: false }
            : {}),
        }}
        loading={<div className="monaco-loading">Loading editor…</div>}
      />
    </div>
  );
}
