import { loadValidatorModule } from '@tagflow/flow-model';
import type { NodesApiResponse } from '../state/api-catalog';
import { ApiError } from './client';

/**
 * The catalog with its config validators attached: the module the runtime compiled for its
 * installed types (`validators` of GET /api/nodes, a content-addressed URL), loaded with a dynamic
 * `import()`, which a CSP without 'unsafe-eval' allows where compiling schemas here would not.
 */
export async function withPrecompiledValidators(response: NodesApiResponse): Promise<NodesApiResponse> {
  const url = response.validators;
  if (typeof url !== 'string' || url === '')
    throw new ApiError(0, 'The runtime did not say where its form checks are: it may be older than this editor.', null);
  // Relative to the page, like the API: the editor works wherever the runtime serves it.
  const href = new URL(url, document.baseURI).href;
  let loaded: { default?: unknown };
  try {
    loaded = (await import(/* @vite-ignore */ href)) as { default?: unknown };
  } catch (err) {
    throw new ApiError(
      0,
      `The editor could not load its form checks from the runtime (${err instanceof Error ? err.message : String(err)}). Reload the page; if it persists, the runtime log says more.`,
      null,
    );
  }
  return { ...response, precompiled: loadValidatorModule(loaded.default) };
}
