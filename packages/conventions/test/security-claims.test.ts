import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../src';

// SECURITY.md promises things to people who run tagflow on boxes nobody can walk up to. Every
// promise in it names the test that enforces it, as `[test: <file> › <test title>]`; this test
// holds the document to that, so a claim cannot outlive the test that made it true.

const SECURITY_MD = path.join(REPO_ROOT, 'SECURITY.md');
/** Sections that promise nothing a test could check: how to report, and what is not promised. */
const UNCHECKED_SECTIONS = ['Reporting a vulnerability', 'Out of scope'];
const TEST_REF = /\[test: ([^\]›]+?) › ([^\]]+)\]/g;

interface Claim {
  section: string;
  text: string;
  refs: Array<{ file: string; title: string }>;
}

/** Every list item of SECURITY.md (its continuation lines joined), with the section it is in. */
function claims(markdown: string): Claim[] {
  const found: Claim[] = [];
  let section = '';
  let current: Claim | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^#{1,6} (.*)$/.exec(line);
    if (heading) {
      section = heading[1].trim();
      current = undefined;
    } else if (/^\s*- /.test(line)) {
      current = { section, text: line.replace(/^\s*- /, ''), refs: [] };
      found.push(current);
    } else if (current && line.trim() !== '') {
      // An indented line, or a lazy continuation as Markdown allows (prettier makes them in code spans).
      current.text += ` ${line.trim()}`;
    } else {
      current = undefined;
    }
  }
  for (const claim of found)
    claim.refs = [...claim.text.matchAll(TEST_REF)].map((m) => ({ file: m[1].trim(), title: m[2].trim() }));
  return found;
}

describe('SECURITY.md', () => {
  const markdown = readFileSync(SECURITY_MD, 'utf8');
  const all = claims(markdown);

  it('is linked from the README', () => {
    expect(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')).toMatch(/\]\(\.?\/?SECURITY\.md\)/);
  });

  it('says how to report a vulnerability, and what is out of scope', () => {
    for (const section of UNCHECKED_SECTIONS) expect(markdown).toMatch(new RegExp(`^## ${section}$`, 'm'));
  });

  it('names a test for every claim', () => {
    const checked = all.filter((c) => !UNCHECKED_SECTIONS.includes(c.section));
    expect(checked.length).toBeGreaterThan(20);
    const untested = checked.filter((c) => c.refs.length === 0).map((c) => `${c.section}: ${c.text}`);
    expect(untested).toEqual([]);
  });

  it('names tests that exist, are not skipped, and carry that title', () => {
    const problems: string[] = [];
    for (const { file, title } of all.flatMap((c) => c.refs)) {
      const full = path.join(REPO_ROOT, file);
      if (!existsSync(full)) {
        problems.push(`${file}: no such file (for "${title}")`);
        continue;
      }
      const source = readFileSync(full, 'utf8');
      const at = source.indexOf(title);
      if (at < 0) problems.push(`${file}: no test titled "${title}"`);
      else if (/(?:\b(?:it|test|describe)\.(?:skip|todo)|\bx(?:it|test|describe))\(\s*$/.test(source.slice(0, at - 1)))
        problems.push(`${file}: "${title}" is skipped`);
    }
    expect(problems).toEqual([]);
  });
});
