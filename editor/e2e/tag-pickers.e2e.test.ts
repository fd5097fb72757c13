// Issue 18, "pick tags, don't type them": the OPC UA node forms browse the server's address space
// (a tree with data types, units and live values), the Modbus forms test-read a register range
// decoded in every type and byte order. Real peers: tagflow's own OPC UA server (opcua-host, on
// node-opcua) in the runtime under test, and Debian's pymodbus as the Modbus device.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import {
  ensureChromium,
  ensureCliBuilt,
  ensureEditorBuilt,
  launchChromium,
  repoRoot,
  stopAllTagflow,
  until,
} from '@tagflow/test-support';
import { EditorPage, startRuntime } from './editor-harness';
import type { Runtime } from './editor-harness';

const PYTHON = '/usr/bin/python3';
const MODBUS_SCRIPT = path.join(repoRoot, 'nodes', 'modbus', 'test', 'modbus-server.py');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The seed flow: an OPC UA server of tagflow's own serving a pump's flow, and the two forms to fill. */
function seedFlow(opcuaPort: number, modbusPort: number) {
  return {
    schemaVersion: 1,
    id: 'e2e-tag-pickers',
    resources: [
      {
        id: 'gateway',
        type: 'opcua-host',
        config: { port: opcuaPort, securityModes: ['None'], allowAnonymous: true },
      },
      { id: 'plc-ua', type: 'opcua-server', config: { endpointUrl: `opc.tcp://127.0.0.1:${opcuaPort}` } },
      { id: 'plc-mb', type: 'modbus-device', config: { host: '127.0.0.1', port: modbusPort } },
    ],
    nodes: [
      {
        id: 'flow-sensor',
        type: 'simulate',
        typeVersion: 1,
        config: {
          tag: 'Pump3/Flow',
          signal: { kind: 'sine', amplitude: 0, offset: 42.5, noise: 0 },
          intervalMs: 200,
        },
        ui: { x: 40, y: 40 },
      },
      {
        id: 'serve',
        type: 'opcua-serve',
        typeVersion: 1,
        config: { host: 'gateway', tags: [{ name: 'Pump3/Flow', dataType: 'Double', unit: 'm³/h' }] },
        ui: { x: 300, y: 40 },
      },
      { id: 'read-ua', type: 'opcua-read', typeVersion: 1, config: { server: 'plc-ua' }, ui: { x: 560, y: 40 } },
      {
        id: 'read-mb',
        type: 'modbus-read',
        typeVersion: 1,
        config: { device: 'plc-mb', tags: [{ name: 'pump3/flow', function: 'holding-register', address: 0 }] },
        ui: { x: 820, y: 40 },
      },
    ],
    // One row: fitted to the canvas, no node lands under the minimap (bottom right).
    edges: [{ source: 'flow-sensor', target: 'serve' }],
  };
}

let browser: Browser;
let runtime: Runtime;
let modbus: ChildProcess | undefined;
let modbusPort = 0;

beforeAll(async () => {
  ensureChromium();
  ensureEditorBuilt();
  ensureCliBuilt();
  if (!existsSync(PYTHON))
    throw new Error(`${PYTHON} is missing: install python3-pymodbus (bash scripts/system-deps.sh)`);
  // The device: pymodbus with a float32 of 22.5 word-swapped (CDAB) at holding register 10.
  modbusPort = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'tagflow-e2e-modbus-'));
  const layout = path.join(dir, 'layout.json');
  writeFileSync(
    layout,
    JSON.stringify({
      'holding-register': [
        { address: 10, type: 'float32', order: 'CDAB', value: 22.5 },
        { address: 12, type: 'int16', value: -7 },
      ],
    }),
  );
  modbus = spawn(PYTHON, [MODBUS_SCRIPT, String(modbusPort), layout], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  modbus.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await until(
    async () => {
      if (modbus?.exitCode !== null) throw new Error(`the pymodbus server ended: ${stderr}`);
      return acceptsConnections(modbusPort);
    },
    'the pymodbus server to listen',
    20_000,
  );
  // Loading node-opcua (for the flow's OPC UA server) holds the engine's thread for seconds on a
  // loaded machine: a longer watchdog than the 5 s default, so that it is not taken for stuck.
  runtime = await startRuntime({ flow: seedFlow(await freePort(), modbusPort), args: ['--watchdog-ms', '30000'] });
  // The flow's OPC UA server serves once its node says so; the browser is opened after that.
  await until(
    async () => {
      const status = (await (await runtime.api('/api/status')).json()) as {
        nodes?: Record<string, { status: { state?: string } | null }>;
      };
      return status.nodes?.serve?.status?.state === 'ok';
    },
    'the flow to serve its OPC UA tags',
    60_000,
  );
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stopAllTagflow();
  modbus?.kill('SIGKILL');
}, 30_000);

describe('tag pickers', () => {
  it('browses the OPC UA server from an opcua-read form and fills the node id with the pick', async () => {
    const ed = await EditorPage.open(browser, runtime);
    try {
      await ed.select('read-ua');
      await ed.byTestId('add-items').click();
      const nodeIdField = ed.field('items.0.nodeId');
      await nodeIdField.waitFor({ state: 'visible' });
      expect(await nodeIdField.inputValue()).toBe('');

      await ed.byTestId('tag-picker-open-items.0.nodeId').click();
      const browserPanel = ed.byTestId('opcua-browser');
      await browserPanel.waitFor({ state: 'visible' });
      // The Objects folder: the server's own folder and tagflow's Pump3 folder.
      const pump3 = browserPanel.locator('[data-testid^="opcua-folder-"]', { hasText: 'Pump3' });
      await pump3.waitFor({ state: 'visible', timeout: 20_000 }).catch(async (err: unknown) => {
        await ed.screenshot('tag-pickers-opcua-failure');
        throw new Error(`no Pump3 folder; the browser shows: ${await browserPanel.innerText()}\n${String(err)}`);
      });
      await ed.screenshot('tag-pickers-opcua-objects');
      await pump3.click();

      const flow = browserPanel.locator('[data-testid^="opcua-variable-"][data-testid$="s=Pump3/Flow"]');
      await flow.waitFor({ state: 'visible', timeout: 15_000 });
      const row = await flow.innerText();
      expect(row).toContain('Flow');
      expect(row).toContain('Double');
      // The live value the simulator serves, with the tag's engineering unit.
      expect(row).toContain('42.5 m³/h');
      await ed.screenshot('tag-pickers-opcua-variable');

      const testId = (await flow.getAttribute('data-testid')) ?? '';
      const nodeId = testId.replace(/^opcua-variable-/, '');
      expect(nodeId).toMatch(/^ns=\d+;s=Pump3\/Flow$/);
      await flow.click();
      await until(async () => (await nodeIdField.inputValue()) === nodeId, 'the node id field to be filled');
      await browserPanel.waitFor({ state: 'hidden' });
      // Filled like typing: the form checks it, and it is a valid node id.
      expect(await ed.byTestId('field-error-items.0.nodeId').count()).toBe(0);
      await ed.screenshot('tag-pickers-opcua-picked');
      expect(ed.problems).toEqual([]);
    } finally {
      await ed.close();
    }
  }, 120_000);

  it('test-reads Modbus registers, shows a word-swapped float in the CDAB column, and fills the tag', async () => {
    const ed = await EditorPage.open(browser, runtime);
    try {
      await ed.select('read-mb');
      await ed.byTestId('tag-picker-open-tags.0.address').click();
      const panel = ed.byTestId('modbus-test-read');
      await panel.waitFor({ state: 'visible' });
      await ed.byTestId('modbus-test-address').fill('10');
      await ed.byTestId('modbus-test-count').fill('4');
      await ed.byTestId('modbus-test-run').click();
      const results = ed.byTestId('modbus-results');
      await results.waitFor({ state: 'visible', timeout: 20_000 });

      // The same two registers in four byte orders: only CDAB reads 22.5.
      const cell = (order: string) => ed.byTestId(`modbus-cell-10-float32-${order}`);
      expect(await cell('CDAB').innerText()).toBe('22.5');
      for (const order of ['ABCD', 'BADC', 'DCBA']) expect(await cell(order).innerText()).not.toBe('22.5');
      // A 16-bit value has no word order: its CDAB and DCBA cells are left empty.
      expect(await ed.byTestId('modbus-cell-12-int16-ABCD').innerText()).toBe('-7');
      expect(await ed.byTestId('modbus-cell-12-int16-CDAB').count()).toBe(0);
      // On screen, 22.5 sits under the CDAB header.
      const cdab = await results.locator('thead th', { hasText: /^CDAB$/ }).boundingBox();
      const at = await cell('CDAB').boundingBox();
      expect(cdab && at).toBeTruthy();
      if (cdab && at) {
        expect(at.x).toBeGreaterThanOrEqual(cdab.x - 1);
        expect(at.x + at.width).toBeLessThanOrEqual(cdab.x + cdab.width + 1);
      }
      await ed.screenshot('tag-pickers-modbus-table');

      await cell('CDAB').click();
      await panel.waitFor({ state: 'hidden' });
      await until(async () => (await ed.field('tags.0.address').inputValue()) === '10', 'the address field to be 10');
      // Selects show the chosen option's text (their values are option indexes).
      const chosen = (field: string) =>
        ed.field(field).evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.text ?? '');
      expect(await chosen('tags.0.type')).toBe('float32');
      expect(await chosen('tags.0.order')).toBe('CDAB');
      expect(await chosen('tags.0.function')).toBe('holding-register');
      expect(await ed.field('tags.0.name').inputValue()).toBe('pump3/flow');
      await ed.screenshot('tag-pickers-modbus-picked');
      expect(ed.problems).toEqual([]);
    } finally {
      await ed.close();
    }
  }, 120_000);

  it('says in plain words when the device cannot be reached', async () => {
    modbus?.kill('SIGKILL');
    const ed = await EditorPage.open(browser, runtime);
    try {
      await ed.select('read-mb');
      await ed.byTestId('tag-picker-open-tags.0.address').click();
      await ed.byTestId('modbus-test-run').click();
      const error = ed.byTestId('tag-picker-error');
      await error.waitFor({ state: 'visible', timeout: 20_000 });
      // The device's address and what went wrong, not a status code.
      expect(await error.innerText()).toMatch(new RegExp(`127\\.0\\.0\\.1:${modbusPort}`));
      expect(await error.innerText()).not.toMatch(/\b50[0-9]\b|undefined|\[object/);
      await ed.screenshot('tag-pickers-modbus-unreachable');
      expect(ed.problems.filter((p) => !p.includes('Failed to load resource'))).toEqual([]);
    } finally {
      await ed.close();
    }
  }, 60_000);
});
