import { ID_PATTERN } from '@tagflow/flow-model';

/** Hands out ids matching the flow format's id pattern, each once. */
export class IdAllocator {
  private readonly used = new Set<string>();

  /** A slug of `label` (`Line 3 – Pumps` -> `line-3-pumps`), made unique with -2, -3... */
  slug(label: string, fallback: string): string {
    const base =
      label
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 60) || fallback;
    return this.claim(base);
  }

  /** `wanted` itself when it is a valid id and free, else a cleaned, unique form of it. */
  claim(wanted: string): string {
    let base = new RegExp(ID_PATTERN).test(wanted) ? wanted : wanted.replace(/[^A-Za-z0-9_.-]+/g, '-') || 'id';
    if (!/^[A-Za-z0-9]/.test(base)) base = `n${base}`;
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}-${n}`;
    this.used.add(id);
    return id;
  }
}
