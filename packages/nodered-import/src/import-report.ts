/**
 * What an import did with each Node-RED node, for people: converted exactly, converted with a
 * difference (which), or not converted (why, and what to use instead).
 */

/** How one Node-RED node came over. */
export type ImportOutcome = 'exact' | 'different' | 'not-converted' | 'out-of-scope';

/** One line of the report per Node-RED node (config nodes included). */
export interface ImportReportEntry {
  /** The Node-RED node's id. */
  nodeRedId: string;
  /** Its Node-RED type, e.g. `switch`, `modbus-read`, `ui_gauge`. */
  nodeRedType: string;
  /** Its name (or label) in Node-RED, when it has one. */
  name?: string;
  /** The tab or subflow label it was on. */
  where?: string;
  outcome: ImportOutcome;
  /** The tagflow flow (or subflow) holding what it became. */
  flowId?: string;
  /** Ids of the tagflow nodes (or the resource) it became. */
  tagflowIds: string[];
  /** The tagflow types it became, e.g. `['timer', 'change']`. */
  tagflowTypes: string[];
  /** Differences from Node-RED (outcome `different`), or why it was not converted and what to use. */
  notes: string[];
}

/** The whole report: one entry per node, and counts. */
export interface ImportReport {
  entries: ImportReportEntry[];
  counts: Record<ImportOutcome, number>;
  /** Dashboard (`ui_*`) nodes and config nodes, left out on purpose. */
  dashboardNodes: number;
  /** Secret names the flows refer to, each to set on the runtime (`tagflow secret set NAME`). */
  secrets: Array<{ name: string; for: string }>;
  /** Remarks about the export as a whole (wires dropped, ids changed). */
  notes: string[];
}

export function countOutcomes(entries: readonly ImportReportEntry[]): Record<ImportOutcome, number> {
  const counts: Record<ImportOutcome, number> = { exact: 0, different: 0, 'not-converted': 0, 'out-of-scope': 0 };
  for (const entry of entries) counts[entry.outcome]++;
  return counts;
}

const OUTCOME_WORDS: Record<ImportOutcome, string> = {
  exact: 'converted exactly',
  different: 'converted with a difference',
  'not-converted': 'not converted (placeholder)',
  'out-of-scope': 'out of scope (dashboard)',
};

/** One line of counts: `12 nodes: 8 converted exactly, 3 with a difference, 1 not converted, 4 dashboard nodes left out`. */
export function summarizeReport(report: ImportReport): string {
  const c = report.counts;
  const total = report.entries.length;
  return (
    `${total} Node-RED node${total === 1 ? '' : 's'}: ${c.exact} converted exactly, ${c.different} with a difference, ` +
    `${c['not-converted']} not converted (placeholders to replace before deploying), ` +
    `${report.dashboardNodes} dashboard node${report.dashboardNodes === 1 ? '' : 's'} left out`
  );
}

/** The report as Markdown (`import-report.md`). */
export function renderReportMarkdown(report: ImportReport): string {
  const lines: string[] = ['# Node-RED import report', '', summarizeReport(report) + '.', ''];
  if (report.secrets.length > 0) {
    lines.push(
      '## Secrets to set',
      '',
      'The export held credentials; the flows name secrets instead. Set each on the runtime:',
      '',
    );
    for (const s of report.secrets) lines.push(`- \`tagflow secret set ${s.name}\` (${s.for})`);
    lines.push('');
  }
  if (report.notes.length > 0) {
    lines.push('## Notes', '');
    for (const note of report.notes) lines.push(`- ${note}`);
    lines.push('');
  }
  for (const outcome of ['not-converted', 'different', 'exact', 'out-of-scope'] as const) {
    const entries = report.entries.filter((e) => e.outcome === outcome);
    if (entries.length === 0) continue;
    lines.push(`## ${capitalize(OUTCOME_WORDS[outcome])} (${entries.length})`, '');
    lines.push('| Node-RED node | type | where | tagflow | notes |', '| --- | --- | --- | --- | --- |');
    for (const e of entries) {
      const who = e.name ? `${cell(e.name)} (\`${e.nodeRedId}\`)` : `\`${e.nodeRedId}\``;
      const became = e.tagflowIds.map((id, i) => `\`${id}\` (${e.tagflowTypes[i] ?? '?'})`).join(', ');
      // Two tabs may share a label: the flow id tells them apart.
      const where = `${e.where ?? ''}${e.flowId ? ` (\`${e.flowId}\`)` : ''}`;
      lines.push(
        `| ${who} | ${cell(e.nodeRedType)} | ${cell(where)} | ${became} | ${e.notes.map(cell).join('<br>')} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
