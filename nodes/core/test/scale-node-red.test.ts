import { runFlow, testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import scale from '../src/scale.node';

// Cases from Node-RED's range tests (test/nodes/core/function/16-range_spec.js), restated for
// tagflow's scale config. Each names the Node-RED case it covers.

let open: NodeUnderTest[] = [];
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

async function start(config: Record<string, unknown>): Promise<NodeUnderTest> {
  const h = await testNode(scale, { config });
  open.push(h);
  return h;
}

/** The payload sent for one input, with `in` and `out` given as [min, max]. */
async function scaled(
  [inMin, inMax]: [number, number],
  [outMin, outMax]: [number, number],
  options: Record<string, unknown>,
  payload: unknown,
): Promise<unknown> {
  const h = await start({ in: { min: inMin, max: inMax }, out: { min: outMin, max: outMax }, ...options });
  await h.send(payload);
  expect(h.errors).toEqual([]);
  expect(h.payloads()).toHaveLength(1);
  return h.payloads()[0];
}

describe('scale: Node-RED range cases', () => {
  it('scales up and down', async () => {
    // "ranges numbers up tenfold", "ranges numbers down such as centimetres to metres".
    expect(await scaled([0, 100], [0, 1000], { outside: 'extend' }, 50)).toBe(500);
    expect(await scaled([0, 100], [0, 1], { outside: 'extend' }, 55)).toBeCloseTo(0.55, 12);
  });

  it('wraps a rotation: the input range is one turn', async () => {
    // "wraps numbers down/around say for degree/rotation reading 1/2, 1/3, 1/4, -1/4, 0".
    const wrap = { outside: 'wrap', round: true };
    expect(await scaled([0, 10], [0, 360], wrap, 15)).toBe(180);
    expect(await scaled([0, 10], [0, 360], wrap, 13.3333)).toBe(120);
    expect(await scaled([0, 10], [0, 360], wrap, 12.5)).toBe(90);
    expect(await scaled([0, 10], [0, 360], wrap, -12.5)).toBe(270);
    expect(await scaled([0, 10], [0, 360], wrap, -10)).toBe(0);
  });

  it('limits to the output range, rounded within it', async () => {
    // "clamps numbers within a range - over max / below min / above max fp / below min fp".
    expect(await scaled([0, 10], [0, 1000], { outside: 'limit' }, 111)).toBe(1000);
    expect(await scaled([0, 10], [0, 1000], { outside: 'limit' }, -1)).toBe(0);
    expect(await scaled([0, 9.5], [0.5, 100.5], { outside: 'limit', round: true }, 13.1)).toBe(100);
    expect(await scaled([0, 9.5], [0.3, 100.5], { outside: 'limit', round: true }, -13.1)).toBe(1);
  });

  it('handles an input range given high to low', async () => {
    // "handles input range where max < min" (both cases).
    expect(await scaled([100, 0], [0, -100], { outside: 'extend' }, 40)).toBe(-60);
    expect(await scaled([100, 0], [-100, 0], { outside: 'extend' }, 10)).toBe(-10);
  });

  it('drops values outside the input range, counting them in the status', async () => {
    // "drops msg if in drop mode and input outside range".
    const h = await start({ in: { min: 2, max: 8 }, out: { min: 20, max: 80 }, outside: 'drop', round: true });
    for (const v of [1, 9, 5, 2, 8]) await h.send(v);
    expect(h.payloads()).toEqual([50, 20, 80]);
    expect(h.status).toMatchObject({ text: '2 dropped outside 2…8' });
  });

  it('reads numeric text with acceptText, and reports other text', async () => {
    // "reports if input is not a number"; Node-RED reads numeric text, tagflow when asked to.
    expect(await scaled([0, 10], [0, 100], { acceptText: true }, '2.5')).toBe(25);
    const strict = await start({ in: { min: 0, max: 10 }, out: { min: 0, max: 100 } });
    await strict.send('2.5');
    const lenient = await start({ in: { min: 0, max: 10 }, out: { min: 0, max: 100 }, acceptText: true });
    await lenient.send('banana');
    expect([...strict.errors, ...lenient.errors].map((e) => e.code)).toEqual(['NOT_A_NUMBER', 'NOT_A_NUMBER']);
  });

  it('scales another property, keeping the payload', async () => {
    const h = await start({ in: { min: 0, max: 10 }, out: { min: 0, max: 100 }, property: 'payload.raw' });
    await h.send({ payload: { raw: 3, unit: 'V' } });
    expect(h.payloads()).toEqual([{ raw: 30, unit: 'V' }]);
  });

  it('migrates a version 1 config: clamp false extends, clamp true (or none) limits', async () => {
    const node = (id: string, config: Record<string, unknown>) => ({
      id,
      type: 'scale',
      typeVersion: 1,
      config: { in: { min: 0, max: 10 }, out: { min: 0, max: 100 }, ...config },
    });
    const f = await runFlow(
      {
        schemaVersion: 1,
        id: 'scale-v1',
        nodes: [node('extend', { clamp: false }), node('limit', { clamp: true }), node('default', {})],
        edges: [],
      },
      { nodes: [scale] },
    );
    for (const id of ['extend', 'limit', 'default']) await f.inject(id, 12);
    expect([f.payloads('extend'), f.payloads('limit'), f.payloads('default')]).toEqual([[120], [100], [100]]);
    await f.stop();
  });
});
