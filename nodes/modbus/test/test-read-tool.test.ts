import { runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { modbusDevice } from '../src';
import type { TestReadAnswer } from '../src/test-read-tool';
import { PymodbusServer } from './pymodbus-server';

// The `test-read` tool of modbus-device, run by the runtime's engine as the admin API runs it for
// the editor's test read, against a real Modbus server (pymodbus encodes the values with struct).
let server: PymodbusServer;
const open: FlowUnderTest[] = [];

beforeAll(async () => {
  server = await PymodbusServer.start({
    'holding-register': [
      { address: 100, type: 'int16', value: -1234 },
      { address: 101, type: 'float32', order: 'CDAB', value: 22.5 },
      { address: 103, type: 'uint32', order: 'ABCD', value: 3000000000 },
    ],
    'input-register': [
      { address: 7, type: 'float64', order: 'DCBA', value: -9876.54321 },
      // How many devices flag a faulty sensor.
      { address: 20, type: 'float32', value: 'nan' },
    ],
    coil: [
      { address: 3, value: true },
      { address: 5, value: true },
    ],
  });
});
afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
});
afterAll(async () => {
  await server.kill();
});

async function device(port = server.port): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'test-read',
      resources: [{ id: 'plc', type: 'modbus-device', config: { host: '127.0.0.1', port, connectTimeoutMs: 1000 } }],
      nodes: [],
      edges: [],
    },
    { nodes: [], resources: [modbusDevice], fakeTime: false },
  );
  open.push(f);
  return f;
}

describe('the test-read tool of modbus-device', () => {
  it('decodes each address in every type and byte order, side by side', async () => {
    const f = await device();
    const answer = (await f.tool('plc', 'test-read', {
      function: 'holding-register',
      address: 100,
      count: 5,
    })) as TestReadAnswer;
    expect(answer).toMatchObject({ function: 'holding-register', address: 100, count: 5 });
    expect(answer.rows.map((r) => r.address)).toEqual([100, 101, 102, 103, 104]);
    const at = (address: number) => answer.rows.find((r) => r.address === address)?.values;
    expect(answer.rows[0].word).toBe(-1234 & 0xffff);
    expect(at(100)?.int16?.ABCD).toBe(-1234);
    expect(at(100)?.uint16?.ABCD).toBe(-1234 & 0xffff);
    // The float only reads right word-swapped: that is how a person tells the order by sight.
    expect(at(101)?.float32?.CDAB).toBe(22.5);
    expect(at(101)?.float32?.ABCD).not.toBe(22.5);
    expect(at(103)?.uint32?.ABCD).toBe(3000000000);
    // Wider types only where they fit in the range read.
    expect(at(104)?.int32).toBeUndefined();
    expect(at(104)?.int16).toBeDefined();
    expect(Object.keys(at(101)?.float32 ?? {})).toEqual(['ABCD', 'CDAB', 'BADC', 'DCBA']);
  });

  it('reads input registers and bits too; NaN and infinity come as text', async () => {
    const f = await device();
    const inputs = (await f.tool('plc', 'test-read', {
      function: 'input-register',
      address: 7,
      count: 4,
    })) as TestReadAnswer;
    expect(inputs.rows[0].values?.float64?.DCBA).toBe(-9876.54321);
    const nan = (await f.tool('plc', 'test-read', {
      function: 'input-register',
      address: 20,
      count: 2,
    })) as TestReadAnswer;
    expect(nan.rows[0].values?.float32?.ABCD).toBe('NaN');
    expect(JSON.parse(JSON.stringify(nan))).toEqual(nan);
    const coils = (await f.tool('plc', 'test-read', { function: 'coil', address: 2, count: 4 })) as TestReadAnswer;
    expect(coils.rows).toEqual([
      { address: 2, bit: false },
      { address: 3, bit: true },
      { address: 4, bit: false },
      { address: 5, bit: true },
    ]);
  });

  it('refuses a range it cannot read, in plain words', async () => {
    const f = await device();
    await expect(
      f.tool('plc', 'test-read', { function: 'holding-register', address: 0, count: 500 }),
    ).rejects.toMatchObject({
      code: 'TOOL_FAILED',
      message: 'the count must be a whole number from 1 to 64',
    });
    await expect(f.tool('plc', 'test-read', { function: 'registers', address: 0 })).rejects.toMatchObject({
      code: 'TOOL_FAILED',
      message: expect.stringContaining(
        'the table must be one of coil, discrete-input, holding-register, input-register',
      ),
    });
  });

  it('says that a device that is not there cannot be reached', async () => {
    const closed = await PymodbusServer.start({});
    const port = closed.port;
    await closed.kill();
    const f = await device(port);
    await expect(f.tool('plc', 'test-read', { address: 0, count: 2 }, 5000)).rejects.toMatchObject({
      code: 'TOOL_CONNECT',
      message: expect.stringMatching(new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${port}: `)),
    });
  });
});
