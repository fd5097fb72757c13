import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { modbusDevice, modbusRead, modbusWrite } from '../src';
import { until } from './pymodbus-server';

// Modbus RTU against a real pymodbus RTU server, over a serial line made of a socat
// pseudo-terminal pair: the bytes go through the same serialport binding a USB adapter would use.
const SOCAT = '/usr/bin/socat';
const dir = mkdtempSync(join(tmpdir(), 'tagflow-modbus-rtu-'));
const processes: ChildProcess[] = [];
let f: FlowUnderTest | undefined;
/** What the RTU server printed: one JSON line per request, and writes decoded by Python's struct. */
let serverOutput = '';

beforeAll(async () => {
  if (!existsSync(SOCAT))
    throw new Error(`${SOCAT} is missing: install it with apt-get install socat (bash scripts/system-deps.sh)`);
  const socat = spawn(SOCAT, [`pty,raw,echo=0,link=${dir}/server`, `pty,raw,echo=0,link=${dir}/client`], {
    stdio: 'ignore',
  });
  processes.push(socat);
  await until(() => existsSync(`${dir}/server`) && existsSync(`${dir}/client`), 5000, 'the pseudo-terminal pair');
  writeFileSync(
    `${dir}/layout.json`,
    JSON.stringify({
      'holding-register': [
        { address: 0, type: 'uint16', value: 4242 },
        { address: 1, type: 'float32', order: 'CDAB', value: 12.5 },
      ],
      watch: [{ address: 10, type: 'int16' }],
    }),
  );
  const server = spawn(
    '/usr/bin/python3',
    [join(__dirname, 'modbus-server.py'), `${dir}/server`, `${dir}/layout.json`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  processes.push(server);
  server.stdout?.setEncoding('utf8').on('data', (c: string) => (serverOutput += c));
  await until(() => serverOutput.includes('"op": "start"'), 10_000, 'the RTU server');
});
afterAll(async () => {
  await f?.stop();
  for (const p of processes) p.kill('SIGTERM');
});

it('reads and writes over Modbus RTU on a serial line', async () => {
  f = await runFlow(
    {
      schemaVersion: 1,
      id: 'rtu',
      resources: [
        {
          id: 'plc',
          type: 'modbus-device',
          config: {
            transport: 'rtu',
            serialPath: `${dir}/client`,
            baudRate: 19200,
            parity: 'none',
            unitId: 1,
            timeoutMs: 1000,
          },
        },
      ],
      nodes: [
        {
          id: 'read',
          type: 'modbus-read',
          typeVersion: 1,
          config: {
            device: 'plc',
            intervalMs: 200,
            tags: [
              { name: 'count', function: 'holding-register', address: 0 },
              { name: 'flow', function: 'holding-register', address: 1, type: 'float32', order: 'CDAB' },
            ],
          },
        },
        {
          id: 'write',
          type: 'modbus-write',
          typeVersion: 1,
          config: { device: 'plc', function: 'holding-register', address: 10, type: 'int16' },
        },
      ],
      edges: [],
    },
    { nodes: [modbusRead, modbusWrite], resources: [modbusDevice], fakeTime: false },
  );
  // The server opens its end a moment after it says it started: the runtime retries until then.
  await until(() => f!.outputs('read').some((m) => m.quality === 'good'), 20_000, 'a good reading');
  const good = f.outputs('read').filter((m) => m.quality === 'good');
  expect(good.slice(0, 2).map((m) => [m.topic, m.payload])).toEqual([
    ['count', 4242],
    ['flow', 12.5],
  ]);
  await f.inject('write', -321);
  expect(f.errors).toEqual([]);
  await until(
    () => serverOutput.includes('"op": "decoded", "address": 10, "value": -321'),
    5000,
    'the write, decoded by pymodbus',
  );
}, 60_000);
