import { runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { defineNode } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { modbusDevice, modbusRead, modbusWrite } from '../src';
import { PymodbusServer, until } from './pymodbus-server';

type Order = 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';
const ORDERS: Order[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];
const SIZES = { int16: 1, uint16: 1, int32: 2, uint32: 2, float32: 2, float64: 4 } as const;
type NumericType = keyof typeof SIZES;
/** Values chosen so that a wrong sign, word or byte order gives a different number. */
const READ_VALUES: Record<NumericType, number> = {
  int16: -12345,
  uint16: 54321,
  int32: -123456789,
  uint32: 3000000000,
  float32: 3.14159,
  float64: -9876.54321,
};
const WRITE_VALUES: Record<NumericType, number> = {
  int16: -2222,
  uint16: 65000,
  int32: -2000000000,
  uint32: 4000000000,
  float32: 12.375,
  float64: Math.PI,
};
/** What a float32 register can hold of a number: the nearest single-precision value. */
const representable = (type: string, v: number) => (type === 'float32' ? Math.fround(v) : v);

interface Spec {
  name: string;
  address: number;
  type: NumericType | 'string';
  order: Order;
  value: number | string;
  length?: number;
}

/** Every type in every order, packed one after the other from `start` (the server encodes them with struct). */
function matrix(start: number, values: Record<NumericType, number>, text: string): Spec[] {
  const specs: Spec[] = [];
  let address = start;
  for (const order of ORDERS) {
    for (const type of Object.keys(SIZES) as NumericType[]) {
      specs.push({ name: `${type}-${order}`, address, type, order, value: values[type] });
      address += SIZES[type];
    }
    specs.push({ name: `string-${order}`, address, type: 'string', order, value: text, length: 4 });
    address += 4;
  }
  return specs;
}

const readMatrix = matrix(0, READ_VALUES, 'PUMP-07');
const writeMatrix = matrix(2000, WRITE_VALUES, 'AB-12');
const COILS = [true, false, true, true, false, false, true, false];
const INPUTS = [false, true, true, false, true, false, false, true];

const layout = {
  'holding-register': [
    ...readMatrix,
    // Batching region with scale and offset: raw 625 * 0.1 - 40 = 22.5 degC, 123456 * 0.001 = 123.456 m3, 55.5 * 2 + 1 = 112.
    { address: 1000, type: 'int16', value: 625 },
    { address: 1002, type: 'uint32', value: 123456 },
    { address: 1010, type: 'float32', order: 'CDAB', value: 55.5 },
    { address: 1050, type: 'uint16', value: 7 },
    { address: 1060, type: 'float32', value: 'nan' }, // how a device signals a faulty sensor
    ...Array.from({ length: 130 }, (_, i) => ({ address: 3000 + i, type: 'uint16', value: i * 3 })),
  ],
  'input-register': [
    { address: 0, type: 'float32', order: 'CDAB', value: -0.75 },
    { address: 2, type: 'int16', order: 'BADC', value: -300 },
  ],
  coil: [
    ...COILS.map((value, address) => ({ address, value })),
    { address: 100, value: true },
    { address: 105, value: true },
    { address: 3000, value: true },
  ],
  'discrete-input': INPUTS.map((value, address) => ({ address, value })),
  watch: [
    ...writeMatrix.map(({ address, type, order, length }) => ({ address, type, order, length })),
    { address: 2100, type: 'int16' },
  ],
};

let server: PymodbusServer;
const open: FlowUnderTest[] = [];

beforeAll(async () => {
  server = await PymodbusServer.start(layout);
});
afterEach(async () => {
  server.resume();
  for (const f of open.splice(0)) await f.stop();
});
afterAll(async () => {
  await server?.kill();
});

async function flow(
  nodes: object[],
  device: Record<string, unknown> = {},
  options: { fakeTime?: boolean } = {},
): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'modbus-test',
      resources: [{ id: 'plc', type: 'modbus-device', config: { host: '127.0.0.1', port: server.port, ...device } }],
      nodes,
      edges: [],
    },
    { nodes: [modbusRead, modbusWrite], resources: [modbusDevice], fakeTime: options.fakeTime ?? false },
  );
  open.push(f);
  return f;
}

const reader = (id: string, config: Record<string, unknown>) => ({
  id,
  type: 'modbus-read',
  typeVersion: 1,
  config: { device: 'plc', ...config },
});
const byTopic = (messages: Message[]) => Object.fromEntries(messages.map((m) => [m.topic, m.payload]));

describe('modbus-read against pymodbus', () => {
  it('decodes every type in every byte/word order, and coils, inputs and input registers', async () => {
    const tags = [
      ...readMatrix.map(({ name, address, type, order, length }) => ({
        name,
        function: 'holding-register',
        address,
        type,
        order,
        length,
      })),
      { name: 'ir-float', function: 'input-register', address: 0, type: 'float32', order: 'CDAB' },
      { name: 'ir-int', function: 'input-register', address: 2, type: 'int16', order: 'BADC' },
      ...COILS.map((_, i) => ({ name: `coil-${i}`, function: 'coil', address: i })),
      ...INPUTS.map((_, i) => ({ name: `di-${i}`, function: 'discrete-input', address: i })),
    ];
    const mark = server.events.length;
    const before = Date.now();
    const f = await flow([reader('read', { intervalMs: 60_000, tags })]);
    await until(() => f.outputs('read').length === tags.length, 10_000, 'one message per tag');
    const messages = f.outputs('read');
    expect(messages.every((m) => m.quality === 'good' && m.timestamp >= before && m.timestamp <= Date.now())).toBe(
      true,
    );
    const expected: Record<string, unknown> = {
      ...Object.fromEntries(readMatrix.map((s) => [s.name, representable(s.type, s.value as number) ?? s.value])),
      ...Object.fromEntries(readMatrix.filter((s) => s.type === 'string').map((s) => [s.name, s.value])),
      'ir-float': -0.75,
      'ir-int': -300,
      ...Object.fromEntries(COILS.map((v, i) => [`coil-${i}`, v])),
      ...Object.fromEntries(INPUTS.map((v, i) => [`di-${i}`, v])),
    };
    expect(byTopic(messages)).toEqual(expected);
    expect(messages.map((m) => m.topic)).toEqual(tags.map((t) => t.name)); // in config order
    // One request per table: coils, discrete inputs, 64 contiguous holding registers, input registers.
    expect(server.reads(mark)).toEqual([
      [1, 0, 8],
      [2, 0, 8],
      [3, 0, 64],
      [4, 0, 3],
    ]);
  });

  const batchTags = [
    { name: 'temp', function: 'holding-register', address: 1000, type: 'int16', scale: 0.1, offset: -40, unit: 'degC' },
    { name: 'total', function: 'holding-register', address: 1002, type: 'uint32', scale: 0.001, unit: 'm3' },
    { name: 'level', function: 'holding-register', address: 1010, type: 'float32', order: 'CDAB', scale: 2, offset: 1 },
    { name: 'far', function: 'holding-register', address: 1050 },
    { name: 'run', function: 'coil', address: 100 },
    { name: 'fault', function: 'coil', address: 105 },
    { name: 'remote', function: 'coil', address: 3000 },
  ];

  it('batches near tags into few requests and applies scale and offset (per-tag output, with units)', async () => {
    const mark = server.events.length;
    const f = await flow([reader('read', { intervalMs: 60_000, tags: batchTags })]);
    await until(() => f.outputs('read').length === batchTags.length, 10_000, 'one message per tag');
    const messages = f.outputs('read');
    expect(messages.map((m) => [m.topic, m.unit, m.quality])).toEqual(batchTags.map((t) => [t.name, t.unit, 'good']));
    const v = byTopic(messages);
    expect(v.temp).toBeCloseTo(625 * 0.1 - 40, 10);
    expect(v.total).toBeCloseTo(123456 * 0.001, 10);
    expect(v).toMatchObject({ level: 55.5 * 2 + 1, far: 7, run: true, fault: true, remote: true });
    // Gaps of up to 10 are bridged (1000-1011 in one read); 1050 and coil 3000 are too far.
    expect(server.reads(mark)).toEqual([
      [1, 100, 6],
      [1, 3000, 1],
      [3, 1000, 12],
      [3, 1050, 1],
    ]);
    await until(
      () => f.statuses('read').some((s) => s.text?.startsWith('7 tags in 4 requests per poll')),
      5000,
      'the status',
    );
  });

  it('splits at 125 registers and honours maxGap 0 and a smaller device limit', async () => {
    const run = async (config: Record<string, unknown>, tags: object[]) => {
      const mark = server.events.length;
      const f = await flow([reader('read', { intervalMs: 60_000, tags, ...config })]);
      await until(() => f.outputs('read').length === tags.length, 10_000, 'one message per tag');
      expect(f.payloads('read')).toEqual(tags.map((t) => ((t as { address: number }).address - 3000) * 3));
      await f.stop();
      return server.reads(mark);
    };
    const all = Array.from({ length: 130 }, (_, i) => ({
      name: `r${i}`,
      function: 'holding-register',
      address: 3000 + i,
    }));
    expect(await run({}, all)).toEqual([
      [3, 3000, 125],
      [3, 3125, 5],
    ]);
    expect(await run({ maxRegistersPerRequest: 50 }, all)).toEqual([
      [3, 3000, 50],
      [3, 3050, 50],
      [3, 3100, 30],
    ]);
    const sparse = [0, 2, 3].map((i) => ({ name: `r${i}`, function: 'holding-register', address: 3000 + i }));
    expect(await run({ maxGap: 0 }, sparse)).toEqual([
      [3, 3000, 1],
      [3, 3002, 2],
    ]);
  });

  it('sends one object per poll in object mode', async () => {
    // Polls run on the flow's fake clock: the first at start, the next only when the test moves
    // time by the interval, so each object is tied to the requests of its own poll.
    const mark = server.events.length;
    const f = await flow(
      [reader('poll', { intervalMs: 200, output: 'object', tags: batchTags })],
      {},
      { fakeTime: true },
    );
    await until(() => f.outputs('poll').length >= 1, 10_000, 'the first poll');
    expect(f.outputs('poll')).toHaveLength(1);
    const firstPoll = server.reads(mark);
    expect(firstPoll.length).toBeGreaterThan(0);
    await f.advance(199);
    expect(server.reads(mark)).toEqual(firstPoll);
    expect(f.outputs('poll')).toHaveLength(1);
    await f.advance(1);
    await until(() => f.outputs('poll').length >= 2, 10_000, 'the second poll');
    expect(f.outputs('poll')).toHaveLength(2);
    expect(server.reads(mark)).toEqual([...firstPoll, ...firstPoll]);
    const [first, second] = f.outputs('poll');
    expect(first).toMatchObject({ topic: 'poll', quality: 'good', units: { temp: 'degC', total: 'm3' } });
    expect(Object.keys(first.payload as object)).toEqual(batchTags.map((t) => t.name));
    expect((first.payload as Record<string, number>).temp).toBeCloseTo(22.5, 10);
    expect(second.payload).toEqual(first.payload);
    expect(second.timestamp - first.timestamp).toBe(200);
  });

  it('serializes requests of several nodes on one connection, keeps minGapMs and skips polls that would overlap', async () => {
    const mark = server.events.length;
    const f = await flow(
      [
        reader('a', {
          intervalMs: 50,
          tags: [
            { name: 'far', function: 'holding-register', address: 1050 },
            { name: 'run', function: 'coil', address: 100 },
          ],
        }),
        reader('b', {
          intervalMs: 50,
          tags: [{ name: 'ir', function: 'input-register', address: 2, type: 'int16', order: 'BADC' }],
        }),
      ],
      { minGapMs: 100 },
    );
    // A poll waits at most half its interval (25 ms) for the connection a deploy makes in the
    // background: on a busy machine the first polls may rightly find it not made yet. What is
    // checked starts once both nodes have read a value.
    const read = (id: string) => f.outputs(id).some((m) => m.quality === 'good');
    await until(() => read('a') && read('b'), 15_000, 'a first value at each node');
    f.clear();
    await until(() => f.outputs('a').length >= 6 && f.outputs('b').length >= 3, 15_000, 'polls of both nodes');
    const skips = f.engine.stats().a.skips;
    await f.stop();
    expect(f.errors).toEqual([]);
    expect(f.payloads('a').every((p, i) => p === (i % 2 === 0 ? 7 : true))).toBe(true);
    expect(f.payloads('b').every((p) => p === -300)).toBe(true);
    const times = server.events
      .slice(mark)
      .filter((e) => e.op === 'get')
      .map((e) => e.t);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(95); // 100 ms, less the server's clock resolution
    // Node a needs 2 requests (>= 200 ms) per poll at a 50 ms interval: ticks are skipped, and said so.
    expect(f.statuses('a').some((s) => /· \d+ skipped/.test(s.text ?? ''))).toBe(true);
    expect(skips.busy).toBeGreaterThan(0);
  });

  it('skips (and counts) the polls due while the flow downstream is full, reading nothing for them', async () => {
    // A publisher stuck on its peer (a broker away, its buffer full under overflow block).
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const stuck = defineNode({
      type: 'stuck',
      version: 1,
      category: 'publisher',
      description: 'holds every message until the test releases it.',
      configSchema: { type: 'object' },
      inputs: ['in'],
      outputs: [],
      create: () => ({ onMessage: () => gate }),
    });
    const mark = server.events.length;
    const f = await runFlow(
      {
        schemaVersion: 1,
        id: 'modbus-held',
        resources: [{ id: 'plc', type: 'modbus-device', config: { host: '127.0.0.1', port: server.port } }],
        nodes: [
          reader('r', {
            intervalMs: 50,
            output: 'object',
            tags: [{ name: 'far', function: 'holding-register', address: 1050 }],
          }),
          { id: 'pub', type: 'stuck', typeVersion: 1, queue: { size: 2 } },
        ],
        edges: [{ source: 'r', target: 'pub' }],
      },
      { nodes: [modbusRead, stuck], resources: [modbusDevice], fakeTime: false },
    );
    open.push(f);
    await until(() => (f.engine.stats().r?.skips.held ?? 0) >= 5, 15_000, 'polls skipped while held');
    // One poll in progress at the publisher, two queued; the polls due since were not read.
    const held = f.engine.stats().r;
    expect(held.out).toBe(3);
    expect(server.reads(mark).length).toBeLessThanOrEqual(3);
    expect(f.statuses('r').some((s) => /· \d+ skipped/.test(s.text ?? ''))).toBe(true);
    release();
    await until(() => f.engine.stats().r.out >= 6, 15_000, 'polling again');
    expect(Object.values(f.engine.stats()).reduce((sum, c) => sum + c.dropped, 0)).toBe(0);
  });

  it('reports a device exception as bad quality for the tags of that request only', async () => {
    const f = await flow([
      reader('read', {
        intervalMs: 60_000,
        tags: [
          { name: 'ok', function: 'holding-register', address: 1050 },
          { name: 'missing', function: 'holding-register', address: 9999, type: 'uint32' }, // past the end of the server's table
        ],
      }),
    ]);
    await until(() => f.outputs('read').length === 2, 10_000, 'two messages');
    const [ok, missing] = f.outputs('read');
    expect(ok).toMatchObject({ topic: 'ok', payload: 7, quality: 'good' });
    expect(missing).toMatchObject({ topic: 'missing', payload: null, quality: 'bad' });
    expect(missing.readError).toMatch(/refused to read 2 holding-registers at 9999: Modbus exception 2/);
    expect(f.errors).toEqual([expect.objectContaining({ code: 'MODBUS_EXCEPTION', nodeId: 'read' })]);
    await until(
      () => f.statuses('read').some((s) => s.state === 'error' && /1 of 2 tags.*exception 2/.test(s.text ?? '')),
      5000,
      'the error status',
    );
  });
  it('in object mode, gives each tag its own quality when one tag fails (issue 16)', async () => {
    const f = await flow([
      reader('read', {
        intervalMs: 60_000,
        output: 'object',
        tags: [
          { name: 'ok', function: 'holding-register', address: 1050, unit: 'bar' },
          { name: 'missing', function: 'holding-register', address: 9999, type: 'uint32' }, // past the end of the server's table
          { name: 'coil', function: 'coil', address: 0 },
        ],
      }),
    ]);
    await until(() => f.outputs('read').length === 1, 10_000, 'one message');
    const [msg] = f.outputs('read');
    expect(msg).toMatchObject({
      payload: { ok: 7, missing: null, coil: true },
      qualities: { ok: 'good', missing: 'bad', coil: 'good' },
      quality: 'bad', // the worst of the tags, for consumers that look at the message only
      units: { ok: 'bar' },
    });
    expect(msg.readError).toMatch(/refused to read 2 holding-registers at 9999: Modbus exception 2/);
  });

  it('sends a float the device reports as NaN as bad quality, never as a value', async () => {
    const f = await flow([
      reader('read', {
        intervalMs: 60_000,
        tags: [{ name: 'faulty', function: 'holding-register', address: 1060, type: 'float32' }],
      }),
    ]);
    await until(() => f.outputs('read').length === 1, 10_000, 'one message');
    expect(f.outputs('read')[0]).toMatchObject({
      topic: 'faulty',
      payload: null,
      quality: 'bad',
      readError: 'faulty: the device reports NaN, which is no measurement',
    });
  });
});

describe('modbus-write against pymodbus', () => {
  it('writes every type in every order (FC 16 for multi-register values), as pymodbus decodes and modbus-read reads back', async () => {
    const writers = writeMatrix.map((s) => ({
      id: `w-${s.name}`,
      type: 'modbus-write',
      typeVersion: 1,
      config: {
        device: 'plc',
        function: 'holding-register',
        address: s.address,
        type: s.type,
        order: s.order,
        length: s.length,
      },
    }));
    const scaled = {
      id: 'w-scaled',
      type: 'modbus-write',
      typeVersion: 1,
      config: { device: 'plc', function: 'holding-register', address: 2100, type: 'int16', scale: 0.1, offset: -40 },
    };
    const coil = {
      id: 'w-coil',
      type: 'modbus-write',
      typeVersion: 1,
      config: { device: 'plc', function: 'coil', address: 500 },
    };
    const f = await flow([...writers, scaled, coil]);
    await until(() => f.statuses('w-coil').some((s) => s.state === 'ok'), 10_000, 'the connection');
    const mark = server.events.length;
    for (const s of writeMatrix) await f.inject(`w-${s.name}`, s.value);
    await f.inject('w-scaled', 22.5);
    await f.inject('w-coil', true);
    expect(f.errors).toEqual([]);
    // The server logs a request after answering it: its last line can come after the answer.
    await until(
      () => server.events.slice(mark).some((e) => e.op === 'set' && e.fc === 5 && e.address === 500),
      5_000,
      'the coil write in the server log',
    );

    const events = server.events.slice(mark);
    const decoded = Object.fromEntries(events.filter((e) => e.op === 'decoded').map((e) => [e.address, e.value]));
    for (const s of writeMatrix)
      expect([s.name, decoded[s.address]]).toEqual([
        s.name,
        typeof s.value === 'number' ? representable(s.type, s.value) : s.value,
      ]);
    expect(decoded[2100]).toBe(625); // (22.5 + 40) / 0.1
    const sets = events.filter((e) => e.op === 'set').map((e) => [e.fc, e.address, e.values?.length]);
    const registers = (s: Spec) => (s.type === 'string' ? (s.length as number) : SIZES[s.type]);
    // One request per value: FC 6 for a single register, FC 16 for the rest.
    expect(sets).toEqual([
      ...writeMatrix.map((s) => [registers(s) === 1 ? 6 : 16, s.address, registers(s)]),
      [6, 2100, 1],
      [5, 500, 1],
    ]);
    expect(events.find((e) => e.op === 'set' && e.fc === 5)?.values).toEqual([true]);

    const back = await flow([
      reader('read', {
        intervalMs: 60_000,
        tags: [
          ...writeMatrix.map(({ name, address, type, order, length }) => ({
            name,
            function: 'holding-register',
            address,
            type,
            order,
            length,
          })),
          { name: 'scaled', function: 'holding-register', address: 2100, type: 'int16', scale: 0.1, offset: -40 },
          { name: 'coil', function: 'coil', address: 500 },
        ],
      }),
    ]);
    await until(() => back.outputs('read').length === writeMatrix.length + 2, 10_000, 'the read-back');
    const read = byTopic(back.outputs('read'));
    for (const s of writeMatrix)
      expect([s.name, read[s.name]]).toEqual([
        s.name,
        typeof s.value === 'number' ? representable(s.type, s.value) : s.value,
      ]);
    expect(read.scaled).toBeCloseTo(22.5, 10);
    expect(read.coil).toBe(true);
  });

  it('refuses values that do not fit, before anything reaches the device', async () => {
    const w = (id: string, config: Record<string, unknown>) => ({
      id,
      type: 'modbus-write',
      typeVersion: 1,
      config: { device: 'plc', function: 'holding-register', address: 2500, ...config },
    });
    const f = await flow([
      w('int16', { type: 'int16' }),
      w('float32', { type: 'float32' }),
      w('coil', { function: 'coil' }),
      w('scaled', { type: 'int16', scale: 0.1 }),
      w('text', { type: 'string', length: 2 }),
    ]);
    await until(() => f.statuses('int16').some((s) => s.state === 'ok'), 10_000, 'the connection');
    const mark = server.events.length;
    await f.inject('int16', 70000);
    await f.inject('int16', 1.5);
    await f.inject('float32', NaN);
    await f.inject('float32', '12');
    await f.inject('coil', 1);
    await f.inject('coil', 'on');
    await f.inject('scaled', 21.55);
    await f.inject('text', 'too long');
    await f.inject('int16', { payload: 5, quality: 'bad' }); // a failed read upstream is no setpoint
    expect(f.errors.map((e) => [e.nodeId, e.code])).toEqual([
      ['int16', 'VALUE_OUT_OF_RANGE'],
      ['int16', 'VALUE_OUT_OF_RANGE'],
      ['float32', 'NOT_A_NUMBER'],
      ['float32', 'NOT_A_NUMBER'],
      ['coil', 'NOT_A_BOOLEAN'],
      ['coil', 'NOT_A_BOOLEAN'],
      ['scaled', 'VALUE_OUT_OF_RANGE'],
      ['text', 'VALUE_OUT_OF_RANGE'],
      ['int16', 'MODBUS_WRITE_BAD_QUALITY'],
    ]);
    expect(f.errors[0].message).toBe('70000 does not fit in int16: it takes whole numbers from -32768 to 32767');
    expect(f.errors[4].message).toBe('coil 2500 takes true or false, but msg.payload is 1');
    expect(server.events.slice(mark).filter((e) => e.op === 'set')).toEqual([]);
  });

  it('refuses a config that cannot work, in plain words', async () => {
    await expect(
      flow([reader('read', { tags: [{ name: 'x', function: 'coil', address: 0, type: 'float32' }] })]),
    ).rejects.toThrow('a coil holds one bit, so its type must be bool, not float32');
    await expect(
      flow([reader('read', { tags: [{ name: 'x', function: 'holding-register', address: 65535, type: 'uint32' }] })]),
    ).rejects.toThrow('runs past the last address, 65535');
    await expect(
      flow([reader('read', { tags: [{ name: 's', function: 'holding-register', address: 0, type: 'string' }] })]),
    ).rejects.toThrow('a string needs length');
  });
});

describe('outages', () => {
  const tags = [{ name: 'far', function: 'holding-register', address: 1050 }];

  it('a device that stops answering gives bad quality and a timeout status, then good values by itself', async () => {
    const f = await flow([reader('read', { intervalMs: 200, tags })], { timeoutMs: 300 });
    await until(() => f.outputs('read').some((m) => m.quality === 'good'), 10_000, 'a good value');
    server.pause();
    // Counted from here, not by the wall clock: an answer already on its way when the server froze
    // may still arrive, and on a busy machine a read may time out just before the freeze.
    const atPause = f.outputs('read').length;
    const badsSincePause = () => f.outputs('read').filter((m, i) => i >= atPause && m.quality === 'bad');
    await until(() => badsSincePause().length >= 3, 10_000, 'bad values');
    await new Promise((r) => setTimeout(r, 1000)); // the device stays silent a while longer
    const firstBad = f.outputs('read').findIndex((m, i) => i >= atPause && m.quality === 'bad');
    const silence = f.outputs('read').slice(firstBad);
    const lastGood = f
      .outputs('read')
      .slice(0, firstBad)
      .filter((m) => m.quality === 'good')
      .at(-1) as Message;
    const resumedAt = Date.now();
    server.resume();
    const bads = badsSincePause();
    expect(bads[0]).toMatchObject({ topic: 'far', payload: null });
    expect(bads[0].readError).toMatch(/did not answer within 300 ms/);
    expect(
      f.statuses('read').some((s) => s.state === 'error' && /did not answer within 300 ms/.test(s.text ?? '')),
    ).toBe(true);
    expect(f.errors[0]).toMatchObject({ code: 'MODBUS_TIMEOUT', nodeId: 'read' });
    // Never a stale number marked good while the device was silent: from its first timeout after
    // the freeze until the resume the server answered nothing, so every message is bad, without a
    // value, and stamped with the time of its failed read, later than the last good value.
    expect(silence.filter((m) => m.quality !== 'bad' || m.payload !== null)).toEqual([]);
    expect(silence.filter((m) => !(m.timestamp > lastGood.timestamp))).toEqual([]);
    await until(
      () =>
        f
          .outputs('read')
          .slice(firstBad)
          .some((m) => m.quality === 'good'),
      20_000,
      'good values after SIGCONT',
    );
    const recovered = f
      .outputs('read')
      .slice(firstBad)
      .find((m) => m.quality === 'good') as Message;
    // Read after the resume: the frozen server could not have answered it earlier.
    expect(recovered.timestamp).toBeGreaterThanOrEqual(resumedAt);
    expect(recovered.payload).toBe(7);
    // Three timeouts in a row dropped the connection; the runtime made a new one.
    expect(
      f
        .statuses('read')
        .some((s) => s.state === 'reconnecting' && /no answer to 3 requests in a row/.test(s.text ?? '')),
    ).toBe(true);
  }, 30_000);

  it('a server killed and restarted on the same port: bad while down, then polling resumes by itself', async () => {
    const f = await flow([reader('read', { intervalMs: 200, tags })], { timeoutMs: 300 });
    await until(() => f.outputs('read').some((m) => m.quality === 'good'), 10_000, 'a good value');
    await server.kill();
    await until(() => f.outputs('read').filter((m) => m.quality === 'bad').length >= 2, 10_000, 'bad values');
    const downFor = f.outputs('read').length;
    await new Promise((r) => setTimeout(r, 1000));
    const restartedAt = Date.now();
    await server.up();
    await until(
      () =>
        f
          .outputs('read')
          .slice(downFor)
          .some((m) => m.quality === 'good'),
      20_000,
      'good values after the restart',
    );
    const bad = f.outputs('read').find((m) => m.quality === 'bad') as Message;
    expect(bad).toMatchObject({ payload: null });
    expect(bad.readError).toMatch(
      /connection to 127\.0\.0\.1:\d+ unit 1 (was closed|was lost)|not connected to the Modbus device "plc"/,
    );
    const good = f
      .outputs('read')
      .slice(downFor)
      .find((m) => m.quality === 'good') as Message;
    expect(good.payload).toBe(7);
    expect(good.timestamp).toBeGreaterThanOrEqual(restartedAt);
    // The runtime reconnected with its backoff: the resource status said so.
    expect(f.statuses('read').some((s) => s.state === 'reconnecting')).toBe(true);
  }, 30_000);
});
