/** Value at percentile `p` (0-100) of an ascending list (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** `1.23M`, `456k`: readable rates for the report table (`-` for a quantity not measured). */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '-';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(0);
}

/** Several measurements of one quantity, with their median and range (NaN when none succeeded). */
export interface Series {
  values: number[];
  median: number;
  min: number;
  max: number;
}

export function series(values: number[]): Series {
  if (values.length === 0) return { values, median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { values, median: median(values), min: Math.min(...values), max: Math.max(...values) };
}
