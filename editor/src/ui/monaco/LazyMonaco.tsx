import { lazy, Suspense } from 'react';
import type { MonacoFieldProps } from './MonacoField';

// Monaco is large: loaded the first time a code field or the JSON view is opened.
const MonacoField = lazy(() => import('./MonacoField'));

/** A Monaco editor, loaded on first use. */
export function LazyMonaco(props: MonacoFieldProps) {
  return (
    <Suspense
      fallback={
        <div className="monaco-loading" style={{ height: props.height }}>
          Loading editor…
        </div>
      }
    >
      <MonacoField {...props} />
    </Suspense>
  );
}
