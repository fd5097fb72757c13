/** One context scope as `GET /api/context/...` answers it. */
export interface ContextScopeView {
  scope: 'global' | 'flow' | 'node';
  flowId?: string;
  nodeId?: string;
  keys: number;
  bytes: number;
  limitBytes: number;
  refusedWrites: number;
  lastRefusal?: string;
  entries: Array<{ key: string; value: unknown }>;
}

/** Longest value text shown in a row; the whole value is in the row's tooltip. */
export const CONTEXT_PREVIEW_CHARS = 200;

/** A value as one line of JSON, cut at `max` characters. */
export function contextPreview(value: unknown, max = CONTEXT_PREVIEW_CHARS): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** `1.2 KB`, `4 MB`: sizes as a user reads them. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const kb = bytes / 1024;
  if (kb < 1024) return `${kb < 10 ? kb.toFixed(1) : Math.round(kb)} KB`;
  const mb = kb / 1024;
  return `${mb < 10 ? mb.toFixed(1).replace(/\.0$/, '') : Math.round(mb)} MB`;
}

/** The line under a scope's title: keys, size against its limit, and refused writes in plain words. */
export function scopeSummary(view: ContextScopeView): { text: string; warning?: string } {
  const keys = view.keys === 1 ? '1 key' : `${view.keys} keys`;
  const text = `${keys}, ${sizeText(view.bytes)} of ${sizeText(view.limitBytes)}`;
  if (view.refusedWrites === 0) return { text };
  const times = view.refusedWrites === 1 ? '1 write was' : `${view.refusedWrites} writes were`;
  return { text, warning: `${times} refused since the runtime started. Last: ${view.lastRefusal ?? 'no reason kept'}` };
}
