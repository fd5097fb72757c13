import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineNode } from '@tagflow/node-sdk';
import { runFlow, testNode } from '@tagflow/node-test';
import type { FlowUnderTest, NodeUnderTest } from '@tagflow/node-test';
import __NODE_IDENT__ from '../src/__NODE_TYPE__.node';

let h: NodeUnderTest | undefined;
let f: FlowUnderTest | undefined;
afterEach(async () => {
  await h?.close();
  await f?.stop();
  h = undefined;
  f = undefined;
});

describe('__NODE_TYPE__', () => {
  it('converts each value and sets the unit, keeping the other fields', async () => {
    h = await testNode(__NODE_IDENT__, { config: { from: 'degF', to: 'degC' } });
    for (const v of [32, 212, -40]) await h.send(v);
    expect(h.payloads().map((v) => Number((v as number).toFixed(9)))).toEqual([0, 100, -40]);

    await h.send({ payload: 98.6, topic: 'line1/oven/temp', timestamp: 42, quality: 'uncertain' });
    expect(h.outputs()[3]).toEqual({
      payload: expect.closeTo(37, 9),
      unit: 'degC',
      topic: 'line1/oven/temp',
      timestamp: 42,
      quality: 'uncertain',
    });
    expect(h.status).toEqual({ state: 'ok', text: expect.stringMatching(/^4 converted, last 37(\.0+\d*)? degC$/) });
  });

  it('rounds to the configured decimals', async () => {
    h = await testNode(__NODE_IDENT__, { config: { from: 'bar', to: 'psi', decimals: 2 } });
    await h.send(1);
    await h.send(2.5);
    expect(h.payloads()).toEqual([14.5, 36.26]);
  });

  it('reports a payload that is not a number as NOT_A_NUMBER and sends nothing for it', async () => {
    h = await testNode(__NODE_IDENT__, { config: { from: 'kPa', to: 'bar' } });
    await h.send('101.3');
    await h.send(null);
    await h.send(250);
    expect(h.errors.map((e) => e.code)).toEqual(['NOT_A_NUMBER', 'NOT_A_NUMBER']);
    expect(h.errors[0].message).toBe('msg.payload must be a number in kPa, but it is "101.3"');
    expect(h.payloads()).toEqual([2.5]);
  });

  it('refuses units of different quantities, and a unit it does not know', async () => {
    await expect(testNode(__NODE_IDENT__, { config: { from: 'degC', to: 'bar' } })).rejects.toThrow(
      'cannot convert degC (a temperature) to bar (a pressure)',
    );
    await expect(testNode(__NODE_IDENT__, { config: { from: 'degC', to: 'furlong' } })).rejects.toThrow(
      /config\/to: .*To unit must be one of "degC", .* \(you typed "furlong"\)/,
    );
    await expect(testNode(__NODE_IDENT__, { config: { from: 'degC' } })).rejects.toThrow(
      /config\/to: .*To unit is required: fill it in/,
    );
  });
});

/** A source for the flow fixture: emits 20, 21, 22... every `intervalMs`, on the engine's clock. */
const ramp = defineNode({
  type: 'test-ramp',
  version: 1,
  category: 'source',
  description: 'Test source: a rising value',
  inputs: [],
  outputs: ['out'],
  configSchema: {
    type: 'object',
    properties: { intervalMs: { type: 'integer', minimum: 1 }, start: { type: 'number' } },
    required: ['intervalMs', 'start'],
    additionalProperties: false,
  },
  create(ctx) {
    let next = ctx.config.start;
    return {
      start() {
        ctx.clock.setInterval(() => {
          ctx.send({ payload: next, timestamp: ctx.clock.now(), quality: 'good', topic: 'oven/temp' });
          next += 1;
        }, ctx.config.intervalMs);
      },
    };
  },
});

describe('__NODE_TYPE__ in a flow', () => {
  it('converts what a source sends, on fake time: one value per second', async () => {
    const flow = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'convert.flow.json'), 'utf8'));
    f = await runFlow(flow, { nodes: [ramp, __NODE_IDENT__] });
    expect(f.payloads('to-kelvin')).toEqual([]);

    await f.advance(3_000);
    expect(f.payloads('to-kelvin')).toEqual([293.15, 294.15, 295.15]);
    expect(f.outputs('to-kelvin').map((m) => m.timestamp - f!.outputs('to-kelvin')[0].timestamp)).toEqual([
      0, 1_000, 2_000,
    ]);
    expect(f.errors).toEqual([]);
    expect(f.statuses('to-kelvin').at(-1)).toEqual({ state: 'ok', text: '3 converted, last 295.15 K' });
  });
});
