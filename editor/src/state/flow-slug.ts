import type { Flow } from '@tagflow/flow-model';

/** Longest id made from a name: ids show in URLs, folder names and the CLI. */
export const MAX_SLUG_LENGTH = 60;

/**
 * A flow id from a name the user typed: lower case ASCII letters and digits, other runs of
 * characters as one `-`, accents dropped, e.g. `slugify('Line 2 – Füllstand')` is `line-2-fullstand`.
 * Always matches flow-model's ID_PATTERN when not empty; empty when the name has no letter or digit.
 */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/-+$/, '');
}

/**
 * The slug of `name` made unique among `taken`: `line-2`, then `line-2-2`, `line-2-3`...;
 * `flow` stands in for a name without letters or digits.
 */
export function uniqueFlowId(name: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = slugify(name) || 'flow';
  if (!used.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const candidate = `${base}-${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

/** The file name Export gives a flow: the slug of its name (it follows renames), else its id. */
export function exportFileName(flow: Pick<Flow, 'id' | 'name'>): string {
  return `${slugify(flow.name ?? '') || flow.id}.json`;
}
