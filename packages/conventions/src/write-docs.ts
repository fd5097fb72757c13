// `pnpm run docs`: writes every generated docs page of the repo from the node definitions.
import path from 'node:path';
import { writeDocsPages } from 'tagflow';
import type { StalePage } from 'tagflow';
import { repoDocsPages } from './repo-docs';
import { REPO_ROOT } from './repo-packages';

/** What writing did to each page that was out of date. */
const DONE: Record<StalePage['reason'], string> = {
  missing: 'written',
  differs: 'updated',
  orphaned: 'removed (its definition is gone)',
};

async function main(): Promise<void> {
  const pages = repoDocsPages();
  const changed = await writeDocsPages(pages);
  for (const page of changed) console.log(`${path.relative(REPO_ROOT, page.file)}: ${DONE[page.reason]}`);
  console.log(`${pages.length} docs pages, ${changed.length} changed`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
