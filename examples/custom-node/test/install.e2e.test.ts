// The package as a user installs it: built, packed and uploaded by `tagflow nodes install --to`
// into a runtime that is already running, then used by a flow and offered in the editor's palette.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ensureCliBuilt,
  ensureEditorBuilt,
  launchChromium,
  runTagflow,
  startTagflow,
  until,
} from '@tagflow/test-support';
import type { Browser, TagflowProcess } from '@tagflow/test-support';
import { buildPackage, packageRoot } from './runtime-harness';

jest.setTimeout(180_000);

let runtime: TagflowProcess | undefined;
let browser: Browser | undefined;

beforeAll(() => {
  ensureCliBuilt();
  ensureEditorBuilt();
  buildPackage();
});
afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

/** Two timers play a machine (a running bit every 200 ms, a good part every 100 ms) into oee -> debug. */
const flow: unknown = JSON.parse(readFileSync(path.join(packageRoot, 'flow.json'), 'utf8'));

interface StatusAnswer {
  nodes: Record<
    string,
    { status: { state: string; text?: string } | null; counters: { in: number; out: number; errors: number } }
  >;
}

it('installs into a running runtime, runs in a flow, and shows in the editor palette', async () => {
  const rt = await startTagflow();
  runtime = rt;
  const { token } = rt;
  if (token === undefined) throw new Error(`a first start prints an admin token:\n${rt.stdout()}`);
  const types = async () =>
    ((await (await rt.api('/api/nodes')).json()) as { nodes: Array<{ type: string; package: { name: string } }> })
      .nodes;
  expect((await types()).map((n) => n.type)).not.toContain('oee');

  // The CLI packs the folder and uploads it; the token comes from the environment, as in production.
  const fleet = path.join(rt.dataDir, 'fleet.yaml');
  writeFileSync(fleet, `runtimes:\n  - name: line1\n    url: ${rt.url}\n    tokenEnv: OEE_E2E_TOKEN\n`);
  const install = await runTagflow(['nodes', 'install', packageRoot, '--to', 'line1', '--fleet', fleet], {
    cwd: rt.dataDir,
    env: { OEE_E2E_TOKEN: token },
  });
  expect({ code: install.code, stderr: install.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  expect(install.stdout).toMatch(/installed @acme\/oee-nodes 0\.1\.0: oee/);

  // Without a restart.
  expect((await types()).find((n) => n.type === 'oee')).toMatchObject({ package: { name: '@acme/oee-nodes' } });

  const deploy = await rt.api('/api/flow', {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', 'If-Match': '"0"' },
    body: JSON.stringify(flow),
  });
  expect([deploy.status, await deploy.text()]).toEqual([200, expect.stringContaining('deployed')]);
  let status: StatusAnswer | undefined;
  await until(
    async () => {
      status = (await (await rt.api('/api/status')).json()) as StatusAnswer;
      return (status.nodes['press-oee']?.counters.out ?? 0) >= 4 && (status.nodes.show?.counters.in ?? 0) >= 4;
    },
    'the oee node to send 4 results to the debug node',
    15_000,
  );
  expect(status?.nodes['press-oee']).toMatchObject({
    counters: { errors: 0 },
    status: { text: expect.stringMatching(/^OEE \d+\.\d %/) },
  });

  // The editor offers the new type in its palette.
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(15_000);
  await page.goto(`${rt.url}/`);
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('palette').waitFor({ state: 'visible' });
  const item = page.getByTestId('palette-item-oee');
  await item.scrollIntoViewIfNeeded();
  await item.waitFor({ state: 'visible' });
  expect(await item.innerText()).toMatch(/oee/i);
  // And the deployed flow's oee node is on the canvas.
  await page.locator('.react-flow__node[data-id="press-oee"]').waitFor({ state: 'visible' });
});
