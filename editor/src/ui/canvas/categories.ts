/** A colour per palette category, so sources, processors and publishers read apart at a glance. */
const COLOURS: Record<string, string> = {
  source: '#2e7d32',
  processor: '#1f6feb',
  publisher: '#c05600',
  utility: '#6b7785',
};

export function categoryColour(category: string | undefined): string {
  return COLOURS[category ?? ''] ?? '#7b5ea7';
}
