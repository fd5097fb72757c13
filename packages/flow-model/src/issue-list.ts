import type { FlowIssue, FlowModelIssue } from './issues';

/** Collects what one validation run finds; every check adds to it so all issues come out at once. */
export class IssueList {
  /** Problems that make the flow unusable. */
  readonly errors: FlowIssue[] = [];
  /** Things worth a look that do not stop the flow. */
  readonly warnings: FlowIssue[] = [];

  error(issue: FlowModelIssue): void {
    this.errors.push(withoutUndefined(issue));
  }

  /** An error found by a node or resource type's own `check`: its code is from that package's catalogue. */
  checkError(issue: FlowIssue): void {
    this.errors.push(withoutUndefined(issue));
  }

  warn(issue: FlowModelIssue): void {
    this.warnings.push(withoutUndefined(issue));
  }

  /** Errors in file order (resources, nodes, edges, each by index), so all issues of one node sit together. */
  sortedErrors(): FlowIssue[] {
    return sortByPosition(this.errors);
  }

  /** Warnings in file order. */
  sortedWarnings(): FlowIssue[] {
    return sortByPosition(this.warnings);
  }

  /** True when an error already points at `path` or inside it (to avoid reporting one mistake twice). */
  hasErrorAt(path: string): boolean {
    return this.errors.some((e) => e.path === path || e.path.startsWith(`${path}/`));
  }
}

// Issues go over the wire to the editor and into snapshots; absent ids should be absent keys.
function withoutUndefined(issue: FlowIssue): FlowIssue {
  const clean = { ...issue };
  for (const key of Object.keys(clean) as Array<keyof FlowIssue>) if (clean[key] === undefined) delete clean[key];
  return clean;
}

const SECTION_RANK: Record<string, number> = { resources: 1, nodes: 2, edges: 3 };

function sortByPosition(issues: readonly FlowIssue[]): FlowIssue[] {
  const position = (issue: FlowIssue): [number, number] => {
    const match = /^\/(resources|nodes|edges)(?:\/(\d+))?(?:\/|$)/.exec(issue.path);
    if (!match) return [0, 0];
    return [SECTION_RANK[match[1]], match[2] === undefined ? -1 : Number(match[2])];
  };
  // Array.prototype.sort is stable: within one item, issues keep the order the checks found them.
  return [...issues].sort((a, b) => {
    const [sectionA, indexA] = position(a);
    const [sectionB, indexB] = position(b);
    return sectionA - sectionB || indexA - indexB;
  });
}
