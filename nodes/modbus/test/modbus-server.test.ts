import { createServer } from 'node:net';
import { freePort, runFlow, until } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import type { Message } from '@tagflow/node-sdk';
import { modbusDevice, modbusRead, modbusServe, modbusServer } from '../src';
import { pymodbusClient } from './pymodbus-client';

type Order = 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';
const ORDERS: Order[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];
const SIZES = { int16: 1, uint16: 1, int32: 2, uint32: 2, float32: 2, float64: 4 } as const;
type NumericType = keyof typeof SIZES;
/** Values chosen so that a wrong sign, word or byte order gives a different number. */
const VALUES: Record<NumericType, number> = {
  int16: -12345,
  uint16: 54321,
  int32: -123456789,
  uint32: 3000000000,
  float32: 3.14159,
  float64: -9876.54321,
};
const representable = (type: string, v: unknown) => (type === 'float32' ? Math.fround(v as number) : v);

interface Spec {
  name: string;
  address: number;
  type: NumericType | 'string';
  order: Order;
  value: number | string;
  length?: number;
}

/** Every type in every order, one after the other from `start`, named with a prefix. */
function matrix(prefix: string, start: number): Spec[] {
  const specs: Spec[] = [];
  let address = start;
  for (const order of ORDERS) {
    for (const type of Object.keys(SIZES) as NumericType[]) {
      specs.push({ name: `${prefix}${type}-${order}`, address, type, order, value: VALUES[type] });
      address += SIZES[type];
    }
    specs.push({ name: `${prefix}string-${order}`, address, type: 'string', order, value: 'PUMP-07', length: 4 });
    address += 4;
  }
  return specs;
}

const holding = matrix('hr/', 0);
const input = matrix('ir/', 0);
const COILS = [true, false, true, true, false];
const INPUTS = [false, true, true, false, true];

const open: FlowUnderTest[] = [];
afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
});

const tagOf = (s: Spec, fn: string) => ({
  name: s.name,
  function: fn,
  address: s.address,
  type: s.type,
  order: s.order,
  length: s.length,
});

async function flow(resources: object[], nodes: object[], edges: Array<[string, string]> = []): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'modbus-server-test',
      resources,
      nodes,
      edges: edges.map(([source, target]) => ({ source, sourcePort: 'out', target, targetPort: 'in' })),
    },
    {
      nodes: [modbusRead, modbusServe],
      resources: [modbusDevice, modbusServer],
      fakeTime: false,
    },
  );
  open.push(f);
  return f;
}

const server = (id: string, port: number, tags: object[], extra: object = {}) => ({
  id,
  type: 'modbus-server',
  config: { port, tags, ...extra },
});
const serve = (id: string, serverId: string, extra: object = {}) => ({
  id,
  type: 'modbus-serve',
  typeVersion: 1,
  config: { server: serverId, ...extra },
});
const byTopic = (messages: Message[]) => Object.fromEntries(messages.map((m) => [m.topic, m.payload]));

describe('modbus-server read by our own modbus-read', () => {
  it('serves every type in every order, from initial values and from the flow, with coils and inputs', async () => {
    const port = await freePort();
    const tags: Array<Record<string, unknown>> = [
      ...holding.map((s) => ({ ...tagOf(s, 'holding-register'), initial: s.value })),
      ...input.map((s) => tagOf(s, 'input-register')),
      ...COILS.map((value, i) => ({ name: `coil-${i}`, function: 'coil', address: i, initial: value })),
      ...INPUTS.map((_, i) => ({ name: `di-${i}`, function: 'discrete-input', address: i })),
    ];
    const readerTags = tags.map(({ initial: _initial, ...t }) => t);
    const f = await flow(
      [server('gateway', port, tags), { id: 'plc', type: 'modbus-device', config: { host: '127.0.0.1', port } }],
      [
        serve('serve', 'gateway'),
        {
          id: 'read',
          type: 'modbus-read',
          typeVersion: 1,
          config: { device: 'plc', intervalMs: 200, tags: readerTags },
        },
      ],
    );
    // Input registers and discrete inputs have no initial value: they come from the flow, one object.
    await f.inject('serve', {
      payload: {
        ...Object.fromEntries(input.map((s) => [s.name, s.value])),
        ...Object.fromEntries(INPUTS.map((v, i) => [`di-${i}`, v])),
      },
    });
    await until(
      () =>
        f
          .outputs('read')
          .slice(-tags.length)
          .every((m) => m.quality === 'good') && f.outputs('read').length >= tags.length,
      10_000,
      'a poll with every tag good',
    );
    const values = byTopic(f.outputs('read').slice(-tags.length));
    for (const s of [...holding, ...input])
      expect([s.name, values[s.name]]).toEqual([s.name, representable(s.type, s.value)]);
    COILS.forEach((v, i) => expect(values[`coil-${i}`]).toBe(v));
    INPUTS.forEach((v, i) => expect(values[`di-${i}`]).toBe(v));
  });

  it('takes modbus-read messages without glue, per tag and as one object, bad quality included', async () => {
    const sourcePort = await freePort();
    const gatewayPort = await freePort();
    const tags = [
      { name: 'flow', function: 'holding-register', address: 0, type: 'float32', order: 'CDAB' },
      { name: 'temp', function: 'holding-register', address: 2, type: 'int16', scale: 0.1 },
      { name: 'running', function: 'coil', address: 0 },
    ];
    const f = await flow(
      [
        // The "device": a server with initial values, read by two readers (per-tag and object).
        server('device', sourcePort, [
          { ...tags[0], initial: 12.5 },
          { ...tags[1], initial: 21.5 },
          { ...tags[2], initial: true },
        ]),
        { id: 'device-link', type: 'modbus-device', config: { host: '127.0.0.1', port: sourcePort } },
        server('gateway', gatewayPort, [
          ...tags,
          { name: 'gone', function: 'holding-register', address: 10, initial: 7 },
        ]),
        { id: 'gateway-link', type: 'modbus-device', config: { host: '127.0.0.1', port: gatewayPort } },
      ],
      [
        {
          id: 'read-device',
          type: 'modbus-read',
          typeVersion: 1,
          config: { device: 'device-link', intervalMs: 200, output: 'object', tags },
        },
        serve('serve', 'gateway'),
        {
          id: 'read-gateway',
          type: 'modbus-read',
          typeVersion: 1,
          config: { device: 'gateway-link', intervalMs: 200, tags },
        },
      ],
      [['read-device', 'serve']],
    );
    await until(
      () => f.outputs('read-gateway').some((m) => m.topic === 'flow' && m.quality === 'good'),
      10_000,
      'the gateway serving what the device reader read',
    );
    await until(() => f.outputs('read-gateway').length >= 6, 10_000, 'two polls');
    expect(byTopic(f.outputs('read-gateway').slice(-3))).toEqual({ flow: 12.5, temp: 21.5, running: true });

    // A per-tag bad message (what modbus-read sends for a failed read) marks only that tag bad.
    await f.inject('serve', { topic: 'gone', payload: null, quality: 'bad', timestamp: Date.now() });
    const answers = await pymodbusClient(gatewayPort, [
      { op: 'read', fc: 3, address: 10, count: 1 },
      { op: 'read', fc: 3, address: 2, count: 1 },
    ]);
    expect(answers).toEqual([{ exception: 11 }, { words: [215] }]);
    // (The gateway's reader met exception 11 before the first values arrived: that is its error, not serve's.)
    expect(f.errors.filter((e) => e.nodeId === 'serve')).toEqual([]);
  });
});

describe('modbus-server with the pymodbus client', () => {
  const tags = [
    { name: 'flow', function: 'input-register', address: 0, type: 'float32', order: 'CDAB', initial: -0.75 },
    {
      name: 'serial',
      function: 'input-register',
      address: 2,
      type: 'string',
      length: 4,
      order: 'BADC',
      initial: 'AB-12',
    },
    { name: 'total', function: 'holding-register', address: 0, type: 'uint32', scale: 0.001, initial: 123.456 },
    {
      name: 'setpoint',
      function: 'holding-register',
      address: 2,
      type: 'int16',
      scale: 0.1,
      writable: true,
      initial: 40,
    },
    {
      name: 'limit',
      function: 'holding-register',
      address: 3,
      type: 'float32',
      order: 'DCBA',
      writable: true,
      unit: 'bar',
    },
    { name: 'speed', function: 'holding-register', address: 5, type: 'uint16', initial: 1450 },
    {
      name: 'big',
      function: 'holding-register',
      address: 6,
      type: 'float64',
      order: 'CDAB',
      writable: true,
      initial: 1,
    },
    { name: 'run', function: 'coil', address: 0, writable: true, initial: false },
    { name: 'auto', function: 'coil', address: 1, writable: true, initial: true },
    { name: 'locked', function: 'coil', address: 2, initial: true },
    { name: 'alarm', function: 'discrete-input', address: 0, initial: true },
    { name: 'pending', function: 'holding-register', address: 20 },
  ];
  let f: FlowUnderTest;
  let port: number;

  beforeEach(async () => {
    port = await freePort();
    f = await flow([server('gateway', port, tags)], [serve('serve', 'gateway')]);
    await f.engine.idle();
    await until(() => f.statuses('serve').some((s) => s.text?.startsWith('serving')), 10_000, 'the server listening');
  });

  it('answers reads decoded independently, with struct', async () => {
    const answers = await pymodbusClient(port, [
      { op: 'read-value', fc: 4, address: 0, type: 'float32', order: 'CDAB' },
      { op: 'read-value', fc: 4, address: 2, type: 'string', order: 'BADC', length: 4 },
      { op: 'read-value', fc: 3, address: 0, type: 'uint32' },
      { op: 'read-value', fc: 3, address: 2, type: 'int16' },
      { op: 'read-value', fc: 3, address: 6, type: 'float64', order: 'CDAB' },
      { op: 'read', fc: 1, address: 0, count: 3 },
      { op: 'read', fc: 2, address: 0, count: 1 },
      // One request across several tags.
      { op: 'read', fc: 3, address: 0, count: 3 },
    ]);
    expect(answers).toEqual([
      { value: -0.75 },
      { value: 'AB-12' },
      { value: 123456 },
      { value: 400 },
      { value: 1 },
      { bits: [false, true, true] },
      { bits: [true] },
      { words: [1, 57920, 400] },
    ]);
  });

  it('sends client writes into the flow, decoded and scaled, and serves them back', async () => {
    const answers = await pymodbusClient(port, [
      { op: 'write-register', address: 2, value: 455 }, // FC 6: 45.5 after scale 0.1
      { op: 'write-value', address: 3, type: 'float32', order: 'DCBA', value: 6.25 }, // FC 16
      { op: 'write-value', address: 6, type: 'float64', order: 'CDAB', value: -2.5 },
      { op: 'write-coil', address: 0, value: true }, // FC 5
      { op: 'write-coils', address: 0, values: [false, false] }, // FC 15
      { op: 'read-value', fc: 3, address: 3, type: 'float32', order: 'DCBA' },
      { op: 'read', fc: 1, address: 0, count: 2 },
    ]);
    expect(answers).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: true },
      { value: 6.25 },
      { bits: [false, false] },
    ]);
    await until(() => f.outputs('serve').length === 6, 5000, 'one message per tag written');
    const messages = f.outputs('serve');
    expect(messages.map((m) => [m.topic, m.payload, m.quality])).toEqual([
      ['setpoint', 45.5, 'good'],
      ['limit', 6.25, 'good'],
      ['big', -2.5, 'good'],
      ['run', true, 'good'],
      ['run', false, 'good'],
      ['auto', false, 'good'],
    ]);
    expect(messages[1].unit).toBe('bar');
    expect(messages.every((m) => typeof m.timestamp === 'number' && m.timestamp > 0)).toBe(true);
  });

  it('refuses with the exceptions an integrator expects, changing nothing, and counts them', async () => {
    const answers = await pymodbusClient(port, [
      { op: 'read', fc: 3, address: 100, count: 1 }, // unmapped
      { op: 'read', fc: 3, address: 5, count: 3 }, // runs into float64 "big", then fine... (6-7 mapped)
      { op: 'read', fc: 3, address: 9, count: 3 }, // 10 and 11 unmapped
      { op: 'read', fc: 1, address: 2, count: 2 }, // coil 3 unmapped
      { op: 'write-register', address: 5, value: 1 }, // read-only tag
      { op: 'write-register', address: 3, value: 1 }, // half a float32
      { op: 'write-registers', address: 2, values: [1, 2, 3, 4] }, // setpoint + limit, then read-only speed
      { op: 'write-coils', address: 1, values: [false, false] }, // auto, then read-only locked: none written
      { op: 'write-value', address: 3, type: 'float32', order: 'DCBA', value: 'nan' },
      { op: 'read', fc: 3, address: 20, count: 1 }, // no value yet
      { op: 'read', fc: 3, address: 0, count: 126 }, // more than a request reads
      { op: 'read', fc: 3, address: 2, count: 1 }, // unchanged by the refused writes
      { op: 'read', fc: 1, address: 1, count: 1 },
    ]);
    expect(answers).toEqual([
      { exception: 2 },
      { words: expect.any(Array) },
      { exception: 2 },
      { exception: 2 },
      { exception: 2 },
      { exception: 2 },
      { exception: 2 },
      { exception: 2 },
      { exception: 3 },
      { exception: 11 },
      { exception: 3 },
      { words: [400] },
      { bits: [true] },
    ]);
    expect(f.outputs('serve')).toEqual([]);
    await until(
      () => /10 client requests refused: /.test(f.statuses('serve').at(-1)?.text ?? ''),
      5000,
      'the refusals counted in the status',
    );
    expect(f.logs.some((l) => String(l.message).includes('which is read-only (writable is off) (exception 2)'))).toBe(
      true,
    );
  });

  it('refuses values from the flow that do not fit, keeps the previous one, counts them', async () => {
    await f.inject('serve', { topic: 'speed', payload: 1500 });
    await expect(f.inject('serve', { topic: 'speed', payload: 70000 })).resolves.toBeUndefined();
    await f.inject('serve', { topic: 'run', payload: 1 });
    await f.inject('serve', { topic: 'nosuch', payload: 1 });
    await f.inject('serve', { payload: { speed: 1600, setpoint: 'fast', total: -1 } });
    await f.inject('serve', { topic: 'pending', payload: 9, quality: 'bad' });
    expect(f.errors.map((e) => [e.code, e.message])).toEqual([
      ['VALUE_OUT_OF_RANGE', 'tag "speed": 70000 does not fit in uint16: it takes whole numbers from 0 to 65535'],
      ['NOT_A_BOOLEAN', 'tag "run" (a coil) takes true or false, but the value is 1'],
      [
        'MODBUS_UNKNOWN_TAG',
        expect.stringContaining('the modbus-server serves no tag named "nosuch" (it serves "flow",'),
      ],
      [
        'NOT_A_NUMBER',
        'tag "setpoint": a int16 register needs a number, but the value is the text "fast" (and 1 more value of this message refused)',
      ],
    ]);
    const answers = await pymodbusClient(port, [
      { op: 'read-value', fc: 3, address: 5, type: 'uint16' },
      { op: 'read-value', fc: 3, address: 2, type: 'int16' },
      { op: 'read', fc: 1, address: 0, count: 1 },
      { op: 'read', fc: 3, address: 20, count: 1 },
    ]);
    // speed took 1500, refused 70000, took 1600 from the object; setpoint kept 40 (raw 400).
    expect(answers).toEqual([{ value: 1600 }, { value: 400 }, { bits: [false] }, { exception: 11 }]);
    await until(
      () => /: 3 values set, 5 refused;/.test(f.statuses('serve').at(-1)?.text ?? ''),
      5000,
      'the refusals counted in the status',
    );
  });

  it('marks only the null tags of a bad object message bad, and every tag of a bad one without nulls', async () => {
    // What modbus-read sends in object mode when one of its reads failed: the failed tag is null.
    await f.inject('serve', { payload: { speed: 1700, setpoint: null }, quality: 'bad' });
    expect(
      await pymodbusClient(port, [
        { op: 'read', fc: 3, address: 5, count: 1 },
        { op: 'read', fc: 3, address: 2, count: 1 },
      ]),
    ).toEqual([{ words: [1700] }, { exception: 11 }]);
    // A bad message with values only: none of them can be trusted.
    await f.inject('serve', { payload: { speed: 1800, setpoint: 41 }, quality: 'bad' });
    expect(
      await pymodbusClient(port, [
        { op: 'read', fc: 3, address: 5, count: 1 },
        { op: 'read', fc: 3, address: 2, count: 1 },
      ]),
    ).toEqual([{ exception: 11 }, { exception: 11 }]);
    // A good value makes the tag good again; uncertain counts as good (Modbus carries no quality).
    await f.inject('serve', { topic: 'speed', payload: 1900, quality: 'uncertain' });
    expect(await pymodbusClient(port, [{ op: 'read', fc: 3, address: 5, count: 1 }])).toEqual([{ words: [1900] }]);
    expect(f.errors).toEqual([]);
  });

  it('takes each value of an object message with its own quality from qualities (issue 16)', async () => {
    // What modbus-read sends in object mode: the message is bad (its worst tag), speed is good.
    await f.inject('serve', {
      payload: { speed: 1750, setpoint: 42 },
      quality: 'bad',
      qualities: { speed: 'good', setpoint: 'bad' },
    });
    expect(
      await pymodbusClient(port, [
        { op: 'read', fc: 3, address: 5, count: 1 },
        { op: 'read', fc: 3, address: 2, count: 1 },
      ]),
    ).toEqual([{ words: [1750] }, { exception: 11 }]);
    await f.inject('serve', { payload: { setpoint: 43 }, quality: 'good', qualities: { setpoint: 'good' } });
    expect(await pymodbusClient(port, [{ op: 'read', fc: 3, address: 2, count: 1 }])).toEqual([{ words: [430] }]);
    expect(f.errors).toEqual([]);
  });

  it('serves the last good value of a bad tag with badQuality keep-last', async () => {
    const keepPort = await freePort();
    const g = await flow(
      [
        server('keep', keepPort, [{ name: 'level', function: 'holding-register', address: 0 }], {
          badQuality: 'keep-last',
        }),
      ],
      [serve('serve-keep', 'keep')],
    );
    await until(() => g.statuses('serve-keep').some((s) => s.text?.startsWith('serving')), 10_000, 'listening');
    await g.inject('serve-keep', { topic: 'level', payload: 42 });
    await g.inject('serve-keep', { topic: 'level', payload: null, quality: 'bad' });
    expect(await pymodbusClient(keepPort, [{ op: 'read', fc: 3, address: 0, count: 1 }])).toEqual([{ words: [42] }]);
  });
});

describe('modbus-server when it cannot listen', () => {
  it('says the port is taken, keeps the values, and serves once the runtime retries on a free port', async () => {
    const port = await freePort();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    const f = await flow(
      [server('gateway', port, [{ name: 'level', function: 'holding-register', address: 0, type: 'int16' }])],
      [serve('serve', 'gateway')],
    );
    await until(
      () =>
        f
          .statuses('serve')
          .some((s) =>
            s.text?.includes('cannot listen on 127.0.0.1:' + port + ': the port is in use by another program'),
          ),
      10_000,
      'the status naming the taken port',
    );
    // Set while the server is away: held, and served once it listens.
    await f.inject('serve', { topic: 'level', payload: -5 });
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    await until(
      () => f.statuses('serve').some((s) => s.text?.startsWith('serving 1 tag')),
      20_000,
      'listening after a retry',
    );
    expect(await pymodbusClient(port, [{ op: 'read-value', fc: 3, address: 0, type: 'int16' }])).toEqual([
      { value: -5 },
    ]);
  });
});

describe('modbus-read started before its device listens', () => {
  it('waits for the first connection on its first poll instead of starting with bad values', async () => {
    const port = await freePort();
    // The reader's flow first: its device's first connection attempt is refused.
    const reader = await flow(
      [{ id: 'plc', type: 'modbus-device', config: { host: '127.0.0.1', port } }],
      [
        {
          id: 'read',
          type: 'modbus-read',
          typeVersion: 1,
          config: {
            device: 'plc',
            intervalMs: 250,
            tags: [{ name: 'level', function: 'holding-register', address: 0 }],
          },
        },
      ],
    );
    // Then the device comes up, well before the runtime's first retry.
    await flow(
      [server('gateway', port, [{ name: 'level', function: 'holding-register', address: 0, initial: 7 }])],
      [serve('serve', 'gateway')],
    );
    await until(() => reader.outputs('read').length >= 3, 10_000, 'three polls');
    expect(reader.outputs('read').map((m) => [m.payload, m.quality])).toEqual(
      reader.outputs('read').map(() => [7, 'good']),
    );
    expect(reader.errors).toEqual([]);
    expect(reader.statuses('read').at(-1)?.text).toBe('1 tag in 1 request per poll');
  });
});

describe('modbus-server options', () => {
  it('answers only its unit id when given one, and 0 for unmapped addresses with unmapped "zero"', async () => {
    const port = await freePort();
    const f = await flow(
      [
        server('gateway', port, [{ name: 'level', function: 'holding-register', address: 1, initial: 9 }], {
          unitId: 7,
          unmapped: 'zero',
        }),
      ],
      [serve('serve', 'gateway')],
    );
    await until(() => f.statuses('serve').some((s) => s.text?.startsWith('serving')), 10_000, 'listening');
    const answers = await pymodbusClient(port, [
      { op: 'read', fc: 3, address: 0, count: 3, slave: 7 },
      { op: 'read', fc: 1, address: 0, count: 2, slave: 7 },
      { op: 'write-register', address: 0, value: 1, slave: 7 }, // writes to unmapped addresses stay refused
      { op: 'read', fc: 3, address: 1, count: 1, slave: 1 }, // another unit id: no answer
    ]);
    expect(answers.slice(0, 3)).toEqual([{ words: [0, 9, 0] }, { bits: [false, false] }, { exception: 2 }]);
    expect(answers[3]).toEqual({ error: expect.any(String) });
  });
});

describe('several modbus-serve nodes on one server', () => {
  it('take values from each, and send client writes from those with sendWrites only', async () => {
    const port = await freePort();
    const f = await flow(
      [
        server('gateway', port, [
          { name: 'a', function: 'holding-register', address: 0 },
          { name: 'b', function: 'holding-register', address: 1 },
          { name: 'sp', function: 'holding-register', address: 2, writable: true, initial: 0 },
        ]),
      ],
      [serve('serve-a', 'gateway'), serve('serve-b', 'gateway', { sendWrites: false })],
    );
    await until(() => f.statuses('serve-a').some((s) => s.text?.startsWith('serving')), 10_000, 'listening');
    await f.inject('serve-a', { topic: 'a', payload: 11 });
    await f.inject('serve-b', { topic: 'b', payload: 22 });
    const answers = await pymodbusClient(port, [
      { op: 'read', fc: 3, address: 0, count: 2 },
      { op: 'write-register', address: 2, value: 33 },
    ]);
    expect(answers).toEqual([{ words: [11, 22] }, { ok: true }]);
    await until(() => f.outputs('serve-a').length === 1, 5000, 'the write from serve-a');
    expect(f.payloads('serve-a')).toEqual([33]);
    expect(f.outputs('serve-b')).toEqual([]);
  });
});
