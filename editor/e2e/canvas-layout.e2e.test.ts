// A canvas layout that holds, and groups (issue 18). Real headless Chromium on the built editor,
// served by a real `tagflow start`, as editor.e2e.test.ts. The seed is the reproduction: a
// sensor whose value steps across the threshold's 42.5 every second, so "High flow alarm" keeps
// switching between "alarm HIGH (above 42.5)" and "normal", and a wire from the sensor to
// "Record alarms" that runs straight across the threshold node.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sleep, until } from '@tagflow/test-support';
import { EditorPage, editorSession, screenshotDir } from './editor-harness';
import type { FlowJson } from './editor-harness';

const seed = {
  schemaVersion: 1,
  id: 'e2e-canvas-layout',
  name: 'Canvas layout scenario',
  nodes: [
    {
      id: 'sensor',
      type: 'simulate',
      typeVersion: 1,
      name: 'Flow sensor',
      config: {
        tag: 'pump3/flow',
        intervalMs: 250,
        seed: 1,
        signal: { kind: 'step', low: 40, high: 45, periodSeconds: 4, duty: 0.5 },
      },
      ui: { x: 0, y: 0 },
    },
    {
      id: 'high',
      type: 'threshold',
      typeVersion: 1,
      name: 'High flow alarm',
      config: { above: 42.5, hysteresis: 0.5 },
      ui: { x: 225, y: 0 },
    },
    { id: 'record', type: 'debug', typeVersion: 1, name: 'Record alarms', config: {}, ui: { x: 450, y: 0 } },
  ],
  edges: [
    { source: 'sensor', target: 'high' },
    { source: 'high', target: 'record' },
    // Runs straight across "High flow alarm": it must be drawn above it, not hidden behind it.
    { source: 'sensor', target: 'record' },
  ],
};

const session = editorSession(seed);

type Box = { x: number; y: number; width: number; height: number };

/** The canvas's zoom, from the React Flow viewport's transform. */
async function zoomOf(ed: EditorPage): Promise<number> {
  const transform = await ed.page
    .locator('.react-flow__viewport')
    .evaluate((el) => (el as HTMLElement).style.transform);
  const match = /scale\(([\d.]+)\)/.exec(transform);
  if (!match) throw new Error(`no scale in the viewport transform ${JSON.stringify(transform)}`);
  return Number(match[1]);
}

/** The node's box and each of its handles' boxes, to compare across status changes. */
async function geometry(ed: EditorPage, nodeId: string): Promise<{ node: Box; handles: Box[] }> {
  const node = (await ed.node(nodeId).boundingBox()) as Box;
  const handles = await ed
    .node(nodeId)
    .locator('.react-flow__handle')
    .evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      }),
    );
  return { node, handles };
}

it('keeps node widths and handles fixed while the status changes, cuts long text with a tooltip, and reads at 1:1', async () => {
  const ed = await EditorPage.open(session.browser, session.runtime);
  try {
    await ed.node('high').waitFor({ state: 'visible' });
    await ed.settledBox('record');
    // A flow that fits at 1:1 opens at 1:1 (it was 0.85: 9 px status text).
    expect(await zoomOf(ed)).toBe(1);
    const status = ed.byTestId('status-high');
    const statusText = () => status.innerText();
    // The text and its tooltip read at once (the status changes every 2 s).
    let tooltip: string | null = null;
    await until(
      async () => {
        const [text, title] = await status.evaluate((el) => [(el as HTMLElement).innerText, el.getAttribute('title')]);
        tooltip = title;
        return (text ?? '').includes('alarm HIGH (above 42.5)');
      },
      'the threshold to raise its alarm',
      20_000,
    );
    const alarm = await geometry(ed, 'high');
    await ed.screenshot('canvas-layout-alarm');
    // The full text is on hover; the node keeps its width whatever the text.
    expect(tooltip).toContain('alarm HIGH (above 42.5)');
    expect(await ed.node('high').locator('.label').getAttribute('title')).toBe('High flow alarm');
    // Nothing overlaps the next node's input.
    const recordInput = (await ed
      .node('record')
      .locator('.react-flow__handle.target[data-handleid="in"]')
      .boundingBox()) as Box;
    expect(alarm.node.x + alarm.node.width).toBeLessThan(recordInput.x);
    // Readable: 12 px text and 14 px handles on screen at least.
    const fontPx = Number.parseFloat(await status.evaluate((el) => getComputedStyle(el).fontSize));
    expect(fontPx * (await zoomOf(ed))).toBeGreaterThanOrEqual(12);
    for (const h of alarm.handles) expect(Math.min(h.width, h.height)).toBeGreaterThanOrEqual(14);

    await until(async () => (await statusText()).startsWith('normal'), 'the threshold back to normal', 20_000);
    const normal = await geometry(ed, 'high');
    await ed.screenshot('canvas-layout-normal');
    expect(normal).toEqual(alarm);
    // Every node has the same fixed width, whatever its label or status.
    const widths = await ed.page
      .locator('.react-flow__node-tagflow')
      .evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().width)));
    expect(new Set(widths).size).toBe(1);
    // And again over a few more status changes: the handles never move.
    for (let i = 0; i < 3; i += 1) {
      const before = await statusText();
      await until(async () => (await statusText()) !== before, 'the next status of the threshold', 20_000);
      expect(await geometry(ed, 'high')).toEqual(alarm);
    }
  } finally {
    await ed.close();
  }
}, 120_000);

it('draws a wire that crosses a node above it, thick and dark', async () => {
  const ed = await EditorPage.open(session.browser, session.runtime);
  try {
    await ed.node('high').waitFor({ state: 'visible' });
    await ed.settledBox('high');
    const high = (await ed.node('high').boundingBox()) as Box;
    const edge = ed.page.locator('[data-testid="rf__edge-sensor:out->record:in"] path.react-flow__edge-path');
    // A point of the wire inside the threshold node's box, in page coordinates.
    const point = await edge.evaluate((el, box) => {
      const p = el as SVGPathElement;
      const ctm = p.getScreenCTM();
      if (!ctm) return null;
      const length = p.getTotalLength();
      for (let at = 0; at <= length; at += 2) {
        const q = p.getPointAtLength(at);
        const x = q.x * ctm.a + ctm.e;
        const y = q.y * ctm.d + ctm.f;
        if (x > box.x + 30 && x < box.x + box.width - 30 && y > box.y + 4 && y < box.y + box.height - 4)
          return { x, y };
      }
      return null;
    }, high);
    if (!point)
      throw new Error('the sensor -> record wire does not cross "High flow alarm": the seed no longer shows the case');
    const hit = await ed.page.evaluate(
      ({ x, y }) => document.elementFromPoint(x, y)?.closest('.react-flow__edge')?.getAttribute('data-testid') ?? null,
      point,
    );
    expect(hit).toBe('rf__edge-sensor:out->record:in');
    const stroke = await edge.evaluate((el) => {
      const s = getComputedStyle(el);
      return { width: Number.parseFloat(s.strokeWidth), colour: s.stroke };
    });
    expect(stroke.width).toBeGreaterThanOrEqual(2.5);
    // Dark: each channel of the wire's colour below 128 (React Flow's default is #b1b1b7).
    const channels = (stroke.colour.match(/\d+/g) ?? []).slice(0, 3).map(Number);
    expect(channels).toHaveLength(3);
    for (const c of channels) expect(c).toBeLessThan(128);
    await ed.screenshot('canvas-layout-wire-above-node');
  } finally {
    await ed.close();
  }
}, 60_000);

it('refuses a wire from a node into itself, saying why in plain words', async () => {
  const ed = await EditorPage.open(session.browser, session.runtime);
  try {
    await ed.node('high').waitFor({ state: 'visible' });
    await ed.settledBox('high');
    const edges = await ed.edgeCount();
    const from = (await ed
      .node('high')
      .locator('.react-flow__handle.source[data-handleid="out"]')
      .boundingBox()) as Box;
    const to = (await ed.node('high').locator('.react-flow__handle.target[data-handleid="in"]').boundingBox()) as Box;
    await ed.page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await ed.page.mouse.down();
    await ed.page.mouse.move(from.x + 40, from.y + 60, { steps: 5 });
    await ed.page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
    await ed.page.mouse.up();
    const notice = ed.byTestId('notice');
    await notice.waitFor({ state: 'visible' });
    expect(await notice.innerText()).toContain(
      'This wire connects node "high" (threshold) to itself: a node\'s output cannot be wired back into its own input.',
    );
    await ed.screenshot('canvas-layout-self-loop-refused');
    await sleep(300);
    expect(await ed.edgeCount()).toBe(edges);
  } finally {
    await ed.close();
  }
}, 60_000);

it('groups nodes in a named, coloured box that moves them, undoes, exports, imports and deploys', async () => {
  const ed = await EditorPage.open(session.browser, session.runtime);
  try {
    await ed.node('high').waitFor({ state: 'visible' });
    await ed.settledBox('high');
    await ed.node('sensor').click();
    await ed.node('high').click({ modifiers: ['Shift'] });
    await ed.byTestId('group-nodes').click();
    const box = ed.byTestId('group-group-1');
    await box.waitFor({ state: 'visible' });
    // The box is behind its nodes and around them.
    const around = (await box.boundingBox()) as Box;
    for (const id of ['sensor', 'high']) {
      const b = (await ed.node(id).boundingBox()) as Box;
      expect(b.x).toBeGreaterThan(around.x);
      expect(b.x + b.width).toBeLessThan(around.x + around.width);
    }
    const record = (await ed.node('record').boundingBox()) as Box;
    expect(record.x).toBeGreaterThan(around.x + around.width);

    // Rename by double-clicking its name.
    await ed.byTestId('group-name-group-1').dblclick();
    await ed.byTestId('group-name-input-group-1').fill('Pump 3');
    await ed.page.keyboard.press('Enter');
    await until(async () => (await ed.byTestId('group-name-group-1').innerText()) === 'Pump 3', 'the group renamed');
    await ed.screenshot('canvas-layout-group');

    // Dragging the box by its name moves both nodes by as much, and not the others.
    const sensorBefore = await ed.settledBox('sensor');
    const highBefore = await ed.settledBox('high');
    const recordBefore = await ed.settledBox('record');
    const head = (await ed.byTestId('group-name-group-1').boundingBox()) as Box;
    const grab = { x: head.x + head.width + 30, y: head.y + head.height / 2 };
    await ed.page.mouse.move(grab.x, grab.y);
    await ed.page.mouse.down();
    await ed.page.mouse.move(grab.x + 20, grab.y + 40, { steps: 5 });
    await ed.page.mouse.move(grab.x + 40, grab.y + 80, { steps: 5 });
    await ed.page.mouse.up();
    const sensorAfter = await ed.settledBox('sensor');
    const highAfter = await ed.settledBox('high');
    expect(Math.round(sensorAfter.y - sensorBefore.y)).toBeGreaterThan(50);
    expect(Math.round(highAfter.x - highBefore.x)).toBe(Math.round(sensorAfter.x - sensorBefore.x));
    expect(Math.round(highAfter.y - highBefore.y)).toBe(Math.round(sensorAfter.y - sensorBefore.y));
    expect(await ed.settledBox('record')).toEqual(recordBefore);
    await ed.screenshot('canvas-layout-group-moved');

    // The whole drag is one undo step.
    await ed.byTestId('undo').click();
    await until(
      async () => JSON.stringify(await ed.settledBox('sensor')) === JSON.stringify(sensorBefore),
      'the group back in place',
    );

    // Export: the file holds the group; deploy: the runtime keeps it.
    const [download] = await Promise.all([ed.page.waitForEvent('download'), ed.byTestId('export').click()]);
    const file = path.join(screenshotDir, 'canvas-layout-export.json');
    await download.saveAs(file);
    const exported = JSON.parse(readFileSync(file, 'utf8')) as FlowJson;
    const group = {
      id: 'group-1',
      name: 'Pump 3',
      nodes: ['sensor', 'high'],
      color: expect.stringMatching(/^#[0-9a-f]{6}$/),
    };
    expect(exported.groups).toEqual([group]);
    const { result } = await ed.deploy();
    expect(result).toMatch(/deployed/i);
    expect(((await session.runtime.deployedFlow()) as FlowJson).groups).toEqual([group]);

    // Ungroup: the box goes, the nodes stay; undo brings it back.
    await ed.node('high').click();
    await ed.byTestId('ungroup-nodes').click();
    await box.waitFor({ state: 'detached' });
    await ed.byTestId('undo').click();
    await box.waitFor({ state: 'visible' });

    // Import the exported file after ungrouping: the group comes back with it.
    await ed.node('high').click();
    await ed.byTestId('ungroup-nodes').click();
    await box.waitFor({ state: 'detached' });
    await ed.byTestId('import-input').setInputFiles(file);
    await box.waitFor({ state: 'visible' });
    expect(await ed.byTestId('group-name-group-1').innerText()).toBe('Pump 3');
  } finally {
    await ed.close();
  }
}, 120_000);
