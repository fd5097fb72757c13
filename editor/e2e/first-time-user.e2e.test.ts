// Issue 18's "done means", as a person who has never used tagflow would go: on a runtime with no
// flow, build simulate -> moving average -> threshold -> MQTT from the palette, fill the forms
// (creating the broker connection in the form), deploy, see values on the nodes and a trend, check
// that the broker got them, install a node package through Manage palette, then lose an edit to a
// reload and get it back. Only what the screen offers is used: no API call drives the editor.
import type { Browser } from 'playwright-core';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { Mosquitto } from '@tagflow/node-test';
import {
  ensureChromium,
  ensureCliBuilt,
  ensureEditorBuilt,
  launchChromium,
  stopAllTagflow,
  until,
} from '@tagflow/test-support';
import { packCustomNode } from './custom-node-package';
import { checkAccessibility, EditorPage, paneSpot, startRuntime } from './editor-harness';
import type { FlowJson, Runtime } from './editor-harness';

jest.setTimeout(240_000);

const TOPIC = 'plant/pump3/flow';

let browser: Browser;
let runtime: Runtime;
let broker: Mosquitto;
let subscriber: MqttClient;
/** Payloads the broker delivered on TOPIC, as text. */
const received: string[] = [];

beforeAll(async () => {
  ensureChromium();
  ensureEditorBuilt();
  ensureCliBuilt();
  broker = await Mosquitto.start({ persistence: false });
  [runtime, browser] = await Promise.all([startRuntime(), launchChromium()]);
  subscriber = await connectAsync(broker.url, { reconnectPeriod: 0 });
  subscriber.on('message', (topic, payload) => {
    if (topic === TOPIC) received.push(payload.toString());
  });
  await subscriber.subscribeAsync(TOPIC, { qos: 1 });
}, 240_000);

afterAll(async () => {
  await subscriber?.endAsync();
  await browser?.close();
  await stopAllTagflow();
  await broker?.down();
}, 30_000);

it('builds, deploys, watches, installs a package and gets an undeployed edit back, with nothing but the editor', async () => {
  const ed = await EditorPage.open(browser, runtime);
  // Before its first deploy the flow is not on the runtime: asking for it is answered 404, which
  // Chromium logs as a console error. Any 404 after the deploy is a fault.
  let phase = 'before the deploy';
  const missing: string[] = [];
  ed.page.on('response', (r) => {
    if (r.status() === 404) missing.push(`${phase}: ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  try {
    // 1. Build: the four nodes from the palette, wired output to input.
    let spot = await paneSpot(ed, 0.3, 0.5);
    const sim = await ed.dragFromPalette('simulate', spot.x, spot.y);
    spot = await paneSpot(ed, 0.06, 0.19);
    const avg = await ed.dragFromPalette('moving-average', spot.x, spot.y);
    spot = await paneSpot(ed, 0.38, 0.19);
    const thr = await ed.dragFromPalette('threshold', spot.x, spot.y);
    spot = await paneSpot(ed, 0.7, 0.62);
    const out = await ed.dragFromPalette('mqtt-out', spot.x, spot.y);
    await ed.connect(sim, 'out', avg, 'in');
    await ed.connect(avg, 'out', thr, 'in');
    await ed.connect(thr, 'out', out, 'in');
    // The averages go to the broker too: a steady stream to look at.
    await ed.connect(avg, 'out', out, 'in');
    expect(await ed.edgeCount()).toBe(4);

    // 2. The forms: plain fields, and the broker connection made in the mqtt-out form itself.
    await ed.select(sim);
    await ed.field('intervalMs').fill('200');
    await ed.select(avg);
    await ed.field('window.count').fill('5');
    await ed.byTestId('node-label').fill('Average flow');
    await ed.select(thr);
    await ed.field('above').fill('45');
    await ed.select(out);
    await ed.byTestId('resource-new-broker').click();
    await ed.byTestId('resource-form').waitFor({ state: 'visible' });
    await ed.field('url').fill(broker.url);
    await ed.byTestId('resource-create').click();
    await ed.field('topic').fill(TOPIC);
    await ed.screenshot('first-time-user-built');

    // 3. Deploy: the dialog lists the new nodes by their labels; the runtime runs them.
    const { diff, result } = await ed.deploy();
    phase = 'after the deploy';
    expect(diff).toContain('Average flow');
    expect(result).toMatch(/deployed/i);
    const deployed = (await runtime.deployedFlow()) as FlowJson;
    expect(deployed.nodes.map((n) => n.type).sort()).toEqual(['moving-average', 'mqtt-out', 'simulate', 'threshold']);

    // 4. Values: the broker gets them, the nodes say they run, and the average has a trend.
    await until(async () => received.length >= 3, `3 messages on ${TOPIC} at the broker`, 20_000);
    expect(Number.isFinite(Number(received[received.length - 1]))).toBe(true);
    await until(
      async () => (await ed.byTestId(`status-${out}`).getAttribute('data-state')) === 'ok',
      `the mqtt-out node's status to say it is connected`,
      20_000,
    );
    await until(async () => (await ed.byTestId(`rate-${avg}`).count()) > 0, 'a message rate on the average', 20_000);
    await ed.select(avg);
    await ed.byTestId('trend-open').click({ timeout: 20_000 });
    const chart = ed.byTestId('trend-chart');
    await chart.waitFor({ state: 'visible' });
    await until(async () => Number(await chart.getAttribute('data-points')) >= 3, 'three points in the trend', 20_000);
    expect(await chart.getAttribute('data-shape')).toBe('line');
    await ed.screenshot('first-time-user-live');

    // 5. A node package, installed from a file through Manage palette: its node is offered at once.
    const tgz = packCustomNode();
    await ed.byTestId('palette-manager-open').click();
    await ed.byTestId('palette-manager').waitFor({ state: 'visible' });
    await ed.byTestId('package-file').setInputFiles(tgz);
    await ed.byTestId('package-install-file').click();
    await until(
      async () => (await ed.byTestId('palette-manager-message').count()) > 0,
      'the outcome of the install',
      60_000,
    );
    expect(await ed.byTestId('palette-manager-message').innerText()).toMatch(/^Installed @acme\/oee-nodes/);
    await ed.byTestId('palette-manager-close').click();
    await ed.byTestId('palette-item-oee').waitFor({ state: 'attached', timeout: 10_000 });
    await ed.screenshot('first-time-user-package');

    // 6. An edit not deployed yet survives a reload: the editor offers it back.
    await ed.select(avg);
    await ed.byTestId('node-label').fill('Average pump flow');
    await ed.byTestId(`changed-${avg}`).waitFor({ state: 'visible' });
    expect(await ed.byTestId('deploy').innerText()).toMatch(/change/);
    await ed.page.reload();
    const offer = ed.page.locator('.draft-offer');
    await offer.waitFor({ state: 'visible', timeout: 20_000 });
    expect(await offer.getByTestId('draft-offer-text').innerText()).toMatch(/^Restore your undeployed changes to /);
    await offer.getByTestId('draft-restore').click();
    await until(
      async () => (await ed.node(avg).locator('.label').innerText()) === 'Average pump flow',
      'the restored label on the node',
      10_000,
    );
    await ed.byTestId(`changed-${avg}`).waitFor({ state: 'visible' });
    await ed.screenshot('first-time-user-restored');
    expect(await checkAccessibility(ed.page, 'first-time-user')).toEqual([]);
    expect(missing.filter((m) => m.startsWith('after'))).toEqual([]);
    const notFound = /Failed to load resource: the server responded with a status of 404/;
    expect(ed.problems.filter((p) => !notFound.test(p))).toEqual([]);
  } catch (err) {
    await ed
      .screenshot('first-time-user-failure')
      .catch((e: Error) => process.stdout.write(`the failure screenshot failed too: ${e.message}\n`));
    throw new Error(`${String(err)}\npage problems:\n${ed.problems.join('\n')}\nanswered 404: ${missing.join(', ')}`);
  } finally {
    await ed.close();
  }
});
