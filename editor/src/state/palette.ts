import { catalogNodeTypes } from '@tagflow/flow-model';
import type { NodeCatalog } from '@tagflow/flow-model';
import { catalogFromApi } from './api-catalog';
import type { EditorNodeTypeInfo, NodesApiResponse } from './api-catalog';

/** One palette section: a category and its node types, sorted by type. */
export interface PaletteGroup {
  category: string;
  items: EditorNodeTypeInfo[];
}

/** Known categories first, in the order a flow reads (left to right); any others follow alphabetically. */
export const CATEGORY_ORDER: readonly string[] = ['source', 'processor', 'publisher', 'utility'];

/**
 * The palette: node types grouped by category, filtered by `search` (case-insensitive; every word
 * must appear in the type, description or docs). Empty groups are left out.
 * e.g. `paletteGroups(catalog, 'avg')`.
 */
export function paletteGroups(source: NodeCatalog | NodesApiResponse, search = ''): PaletteGroup[] {
  const catalog = Array.isArray(source.nodes) ? catalogFromApi(source as NodesApiResponse) : (source as NodeCatalog);
  const words = search
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0);
  const groups = new Map<string, EditorNodeTypeInfo[]>();
  const types: EditorNodeTypeInfo[] = catalogNodeTypes(catalog);
  for (const info of types) {
    const text = `${info.type}\n${info.description ?? ''}\n${info.docs ?? ''}`.toLowerCase();
    if (!words.every((w) => text.includes(w))) continue;
    const category = info.category || 'other';
    const items = groups.get(category) ?? [];
    items.push(info);
    groups.set(category, items);
  }
  const rank = (c: string): number => {
    const i = CATEGORY_ORDER.indexOf(c);
    return i === -1 ? CATEGORY_ORDER.length : i;
  };
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([category, items]) => ({ category, items: items.sort((a, b) => a.type.localeCompare(b.type)) }));
}
