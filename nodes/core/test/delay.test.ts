import { testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import delay from '../src/delay.node';

// Behaviour of Node-RED's delay node in its "delay each message" modes (its help and
// test/nodes/core/function/89-delay_spec.js), restated for tagflow's config; each names the
// Node-RED case it covers.

let h: NodeUnderTest | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(config: Record<string, unknown> = {}): Promise<NodeUnderTest> {
  h = await testNode(delay, { config });
  return h;
}

describe('delay: fixed', () => {
  it('holds each message for delayMs from its own arrival, unchanged', async () => {
    // "delays the message in seconds / milliseconds".
    const node = await start({ delayMs: 1000 });
    await node.send({ payload: 'a', topic: 't', timestamp: 5, quality: 'uncertain', extra: 1 });
    await node.advance(400);
    await node.send('b');
    await node.advance(599);
    expect(node.payloads()).toEqual([]);
    await node.advance(1);
    expect(node.outputs()).toEqual([{ payload: 'a', topic: 't', timestamp: 5, quality: 'uncertain', extra: 1 }]);
    await node.advance(399);
    expect(node.payloads()).toEqual(['a']);
    await node.advance(1);
    expect(node.payloads()).toEqual(['a', 'b']);
  });

  it('defaults to one second', async () => {
    const node = await start();
    await node.send(1);
    await node.advance(999);
    expect(node.payloads()).toEqual([]);
    await node.advance(1);
    expect(node.payloads()).toEqual([1]);
  });

  it('shows how many messages it holds', async () => {
    const node = await start({ delayMs: 5000 });
    for (let i = 0; i < 3; i++) await node.send(i);
    await node.advance(1000);
    expect(node.status).toMatchObject({ text: '3 held', backlog: 3 });
    await node.advance(4000);
    await node.advance(1000);
    expect(node.status).toMatchObject({ text: '0 held', backlog: 0 });
  });
});

describe('delay: random', () => {
  it('holds every message between randomMinMs and randomMaxMs', async () => {
    // "randomly delays the message in seconds / milliseconds".
    const node = await start({ mode: 'random', randomMinMs: 100, randomMaxMs: 300 });
    for (let i = 0; i < 20; i++) await node.send(i);
    await node.advance(99);
    expect(node.payloads()).toEqual([]);
    await node.advance(201);
    expect([...(node.payloads() as number[])].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  });
});

describe('delay: message (msg.delay overrides)', () => {
  it('uses msg.delay in milliseconds, numeric text included; else delayMs', async () => {
    // "handles delay override" / "handles delay override as string".
    const node = await start({ mode: 'message', delayMs: 1000 });
    await node.send({ payload: 'long', delay: 3000 });
    await node.send({ payload: 'short', delay: '200' });
    await node.send({ payload: 'default' });
    await node.send({ payload: 'not a number', delay: 'soon' });
    await node.send({ payload: 'negative', delay: -5 });
    await node.advance(0);
    expect(node.payloads()).toEqual(['negative']);
    await node.advance(200);
    expect(node.payloads()).toEqual(['negative', 'short']);
    await node.advance(800);
    expect(node.payloads()).toEqual(['negative', 'short', 'default', 'not a number']);
    await node.advance(2000);
    expect(node.payloads()).toEqual(['negative', 'short', 'default', 'not a number', 'long']);
  });

  it('ignores msg.delay in the fixed mode', async () => {
    const node = await start({ mode: 'fixed', delayMs: 1000 });
    await node.send({ payload: 'x', delay: 10 });
    await node.advance(10);
    expect(node.payloads()).toEqual([]);
    await node.advance(990);
    expect(node.payloads()).toEqual(['x']);
  });
});

describe('delay: msg.reset and msg.flush', () => {
  it('msg.reset drops every held message, itself included, and counts them', async () => {
    // "can reset a delayed message" (the reset message is not sent either).
    const node = await start({ delayMs: 1000 });
    await node.send('a');
    await node.send('b');
    await node.send({ payload: 'c', reset: true });
    await node.advance(5000);
    expect(node.payloads()).toEqual([]);
    expect(node.status).toMatchObject({ text: '0 held · 2 dropped' });
    await node.send('d');
    await node.advance(1000);
    expect(node.payloads()).toEqual(['d']);
  });

  it('msg.flush without a payload sends all held messages at once, oldest first, and is not sent', async () => {
    // "can flush delayed messages".
    const node = await start({ mode: 'message', delayMs: 1000 });
    await node.send({ payload: 'late', delay: 2000 });
    await node.send({ payload: 'early', delay: 500 });
    await node.send({ payload: undefined, flush: true });
    expect(node.payloads()).toEqual(['late', 'early']);
    await node.advance(3000);
    expect(node.payloads()).toEqual(['late', 'early']);
  });

  it('a numeric msg.flush sends that many of the oldest; a flush with a payload is held first', async () => {
    // "can part-flush delayed messages" / "can flush delayed messages and the flush message".
    const node = await start({ delayMs: 1000 });
    for (const p of ['a', 'b', 'c']) await node.send(p);
    await node.send({ payload: undefined, flush: 2 });
    expect(node.payloads()).toEqual(['a', 'b']);
    await node.send({ payload: 'd', flush: true });
    expect(node.payloads()).toEqual(['a', 'b', 'c', 'd']);
    await node.advance(2000);
    expect(node.payloads()).toHaveLength(4);
  });
});

describe('delay: limits and stopping', () => {
  it('drops the oldest held message past maxHeld, counted', async () => {
    const node = await start({ delayMs: 1000, maxHeld: 2 });
    for (let i = 0; i < 5; i++) await node.send(i);
    await node.advance(1000);
    expect(node.payloads()).toEqual([3, 4]);
    await node.advance(1000);
    expect(node.status).toMatchObject({ text: '0 held · 3 dropped' });
  });

  it('drops what it holds when it stops, with a warning giving the count', async () => {
    const node = await start({ delayMs: 60_000 });
    await node.send('a');
    await node.send('b');
    await node.close();
    h = undefined;
    expect(node.payloads()).toEqual([]);
    const warning = node.logs.find((l) => l.level === 'warn' && l.message.includes('held messages were dropped'));
    expect(warning?.message).toBe('2 held messages were dropped: the node stopped');
    await node.advance(60_000);
    expect(node.payloads()).toEqual([]);
  });
});
