import { defineNode, createMessage, NodeError, isNodeError, worstQuality } from '../src';

describe('defineNode', () => {
  it('infers the config type from the JSON Schema, with defaults counted as present', async () => {
    const node = defineNode({
      type: 'gain',
      version: 1,
      category: 'processor',
      description: 'Multiplies the payload',
      configSchema: {
        type: 'object',
        properties: { factor: { type: 'number', default: 2, 'x-ui': { label: 'Factor' } } },
        additionalProperties: false,
      },
      inputs: ['in'],
      outputs: ['out'],
      create(ctx) {
        // Compile-time check: `factor` is a number, not `number | undefined`.
        const factor: number = ctx.config.factor;
        return { onMessage: (msg) => void ctx.send({ ...msg, payload: (msg.payload as number) * factor }) };
      },
    });
    expect(node.type).toBe('gain');
    const sent: unknown[] = [];
    const instance = await node.create({ config: { factor: 3 }, send: (m: unknown) => sent.push(m) } as never);
    await instance.onMessage?.(createMessage(2), 'in');
    expect(sent).toEqual([expect.objectContaining({ payload: 6, quality: 'good' })]);
  });

  it('declares outputs numbered by the config as plain data, which survives JSON', () => {
    const node = defineNode({
      type: 'fan',
      version: 1,
      category: 'processor',
      description: 'Sends each message on the output its payload names.',
      inputs: ['in'],
      outputs: [],
      numberedOutputs: { prefix: 'out', countField: 'outputs' },
      configSchema: {
        type: 'object',
        properties: { outputs: { type: 'integer', minimum: 1, maximum: 32, default: 6 } },
        additionalProperties: false,
      },
      create(ctx) {
        // Compile-time check: the count is a number in the config type.
        const count: number = ctx.config.outputs;
        return { onMessage: (msg) => void ctx.send(msg, `out${Math.min(count, Number(msg.payload))}`) };
      },
    });
    expect(JSON.parse(JSON.stringify(node)).numberedOutputs).toEqual({ prefix: 'out', countField: 'outputs' });
  });

  it('NodeError carries a code and is recognised across package copies', () => {
    const err = new NodeError('NOT_A_NUMBER', 'payload "abc" is not a number');
    expect(isNodeError(err)).toBe(true);
    const foreign = Object.assign(new Error('x'), { name: 'NodeError', code: 'X' });
    expect(isNodeError(foreign)).toBe(true);
    expect(isNodeError(new Error('plain'))).toBe(false);
  });

  it('keeps the worst quality', () => {
    expect(worstQuality('good', 'uncertain')).toBe('uncertain');
    expect(worstQuality('bad', 'uncertain')).toBe('bad');
    expect(worstQuality('good', 'good')).toBe('good');
  });
});

describe('deriveMessage', () => {
  it('copies the message with fields added or replaced, leaving the original untouched', () => {
    const { deriveMessage } = require('../src') as typeof import('../src');
    const original = createMessage(1, { topic: 't', timestamp: 5 });
    const derived = deriveMessage(original, { alarm: 'high', payload: 2 });
    expect(derived).toEqual({ payload: 2, topic: 't', timestamp: 5, quality: 'good', alarm: 'high' });
    expect(original).toEqual({ payload: 1, topic: 't', timestamp: 5, quality: 'good' });
  });
});
