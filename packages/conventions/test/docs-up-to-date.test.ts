import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stalePages } from 'tagflow';
import { DOCS_COMMAND, repoDocsPages, REPO_ROOT } from '../src';

describe('generated docs pages', () => {
  const pages = repoDocsPages();

  it('are what the definitions give: run `pnpm run docs` after changing a definition', () => {
    const stale = stalePages(pages).map((p) => `  ${path.relative(REPO_ROOT, p.file)}: ${p.reason}`);
    const failure = [`Docs pages out of date: run \`${DOCS_COMMAND}\` and commit the pages.`, ...stale].join('\n');
    expect(stale.length === 0 ? '' : failure).toBe('');
  });

  it('cover every node and resource type of every package, each page saying what generated it', () => {
    const files = pages.map((p) => path.relative(REPO_ROOT, p.file));
    expect(files).toEqual(expect.arrayContaining(['nodes/mqtt/docs/mqtt-out.md', 'examples/custom-node/docs/oee.md']));
    expect(files).toContain('packages/cli/templates/node-package/docs/__NODE_TYPE__.md');
    const first = readFileSync(path.join(REPO_ROOT, 'nodes/core/docs/moving-average.md'), 'utf8').split('\n')[0];
    expect(first).toBe(
      '<!-- Generated from nodes/core/src/moving-average.node.ts by `pnpm run docs`: edit the definition there, not this page. -->',
    );
  });
});
