import { createMessage, defineNode } from '@tagflow/node-sdk';
import type { HandledOutcome, Message } from '@tagflow/node-sdk';
import { flow, makeEngine, received, until } from './helpers';

/** Sends what the test asks with `onHandled`, and resolves with the outcome (see `emit`). */
const emitters = new Map<string, (payload: unknown) => Promise<HandledOutcome>>();
const emitter = defineNode({
  type: 'emitter',
  version: 1,
  category: 'source',
  description: 'test tracked source',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: [],
  outputs: ['out'],
  create(ctx) {
    emitters.set(
      ctx.id,
      (payload) =>
        new Promise<HandledOutcome>((resolve) => {
          let calls = 0;
          ctx.send(createMessage(payload), 'out', {
            onHandled: (outcome) => {
              calls++;
              if (calls > 1) throw new Error('onHandled called twice');
              resolve(outcome);
            },
          });
        }),
    );
    return {};
  },
});

/** Holds each message in `onMessage` until the test opens it (`gates`). */
interface Gate {
  received: Message[];
  waiters: Array<() => void>;
  open: boolean;
}
const gates = new Map<string, Gate>();
const gated = defineNode({
  type: 'gated',
  version: 1,
  category: 'publisher',
  description: 'test node the test lets finish',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    const gate: Gate = { received: [], waiters: [], open: false };
    gates.set(ctx.id, gate);
    return {
      async onMessage(msg) {
        gate.received.push(msg);
        if (!gate.open) await new Promise<void>((resolve) => gate.waiters.push(resolve));
        ctx.send(msg);
      },
    };
  },
});

function openGate(id: string): void {
  const gate = gates.get(id) as Gate;
  gate.open = true;
  for (const w of gate.waiters.splice(0)) w();
}

/** Passes each message on later, from a timer, after its `onMessage` returned. */
const later = defineNode({
  type: 'later',
  version: 1,
  category: 'processor',
  description: 'test node sending from a timer',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    return {
      onMessage(msg) {
        ctx.clock.setTimeout(() => ctx.send(msg), 5);
      },
    };
  },
});

/** Sends each message on with an `onHandled` of its own, recording the outcomes. */
const relayOutcomes: HandledOutcome[] = [];
const relay = defineNode({
  type: 'relay',
  version: 1,
  category: 'processor',
  description: 'test node tracking what it sends',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    return { onMessage: (msg) => void ctx.send(msg, 'out', { onHandled: (o) => relayOutcomes.push(o) }) };
  },
});

const nodeTypes = [emitter, gated, later, relay];

function emit(id: string, payload: unknown): Promise<HandledOutcome> {
  return (emitters.get(id) as (payload: unknown) => Promise<HandledOutcome>)(payload);
}

/** Resolves with whether `promise` has settled by the time pending callbacks and I/O have run. */
async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('the engine tells a source when its message was handled', () => {
  afterEach(() => {
    received.clear();
    gates.clear();
    emitters.clear();
    relayOutcomes.length = 0;
  });

  it('reports handled once a linear chain, async node included, has finished', async () => {
    const { engine } = makeEngine(nodeTypes);
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'emitter' },
          { id: 'plus', type: 'adder', config: { add: 1 } },
          { id: 'io', type: 'slow', config: { delayMs: 2 } },
          { id: 'out', type: 'sink' },
        ],
        ['src->plus', 'plus->io', 'io->out'],
      ),
    );
    const outcome = await emit('src', 1);
    expect(outcome).toEqual({ handled: true });
    // Handled means the last node had it: the sink holds it when the source hears.
    expect(received.get('out')?.map((m) => m.payload)).toEqual([2]);
    await engine.stop();
  });

  it('waits for what an async node sends after an await, down to the end of the flow', async () => {
    const { engine } = makeEngine(nodeTypes);
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'emitter' },
          { id: 'io', type: 'slow', config: { delayMs: 1 } },
          { id: 'gate', type: 'gated' },
        ],
        ['src->io', 'io->gate'],
      ),
    );
    const outcome = emit('src', 'x');
    await until(() => (gates.get('gate')?.received.length ?? 0) === 1);
    expect(await settledYet(outcome)).toBe(false);
    openGate('gate');
    expect(await outcome).toEqual({ handled: true });
    await engine.stop();
  });

  it('waits for every branch of a fan-out, and reports a failing branch once', async () => {
    const { engine } = makeEngine(nodeTypes);
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'emitter' },
          { id: 'fast', type: 'sink' },
          { id: 'gate', type: 'gated' },
          { id: 'p1', type: 'picky', config: { failOn: 7 } },
          { id: 'p2', type: 'picky', config: { failOn: 7 } },
        ],
        ['src->fast', 'src->gate', 'src->p1', 'src->p2'],
      ),
    );
    const ok = emit('src', 1);
    await until(() => (gates.get('gate')?.received.length ?? 0) === 1);
    expect(received.get('fast')).toHaveLength(1);
    expect(await settledYet(ok)).toBe(false);
    openGate('gate');
    expect(await ok).toEqual({ handled: true });

    // Both picky nodes fail: one report (the emitter throws on a second call), naming the first.
    const failed = await emit('src', 7);
    expect(failed).toMatchObject({ handled: false, reason: 'error', nodeId: 'p1', message: 'refuses 7' });
    await engine.idle();
    expect(engine.stats().src.errors).toBe(0);
    await engine.stop();
  });

  it('reports an error thrown mid-way, with the node and the error', async () => {
    const { engine } = makeEngine(nodeTypes);
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'emitter' },
          { id: 'io', type: 'slow', config: { delayMs: 1 } },
          { id: 'check', type: 'picky', config: { failOn: 3 } },
          { id: 'out', type: 'sink' },
        ],
        ['src->io', 'io->check', 'check->out'],
      ),
    );
    const outcome = await emit('src', 3);
    expect(outcome).toMatchObject({ handled: false, reason: 'error', nodeId: 'check' });
    expect((outcome as { error?: { code?: string } }).error?.code).toBe('PICKY');
    expect(received.get('out')).toEqual([]);
    expect(await emit('src', 4)).toEqual({ handled: true });
    await engine.stop();
  });

  it('reports a message dropped by a full queue', async () => {
    const { engine } = makeEngine(nodeTypes);
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'emitter' },
          { id: 'gate', type: 'gated', queue: { size: 1, overflow: 'drop-newest' } },
        ],
        ['src->gate'],
      ),
    );
    const first = emit('src', 1); // in progress
    const second = emit('src', 2); // queued
    const third = await emit('src', 3); // dropped
    expect(third).toMatchObject({ handled: false, reason: 'dropped', nodeId: 'gate' });
    openGate('gate');
    expect(await first).toEqual({ handled: true });
    expect(await second).toEqual({ handled: true });
    await engine.stop();
  });

  it('reports the oldest queued message dropped under drop-oldest', async () => {
    const { engine } = makeEngine(nodeTypes);
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'emitter' },
          { id: 'gate', type: 'gated', queue: { size: 1, overflow: 'drop-oldest' } },
        ],
        ['src->gate'],
      ),
    );
    const first = emit('src', 1);
    const second = emit('src', 2);
    const third = emit('src', 3);
    expect(await second).toMatchObject({ handled: false, reason: 'dropped', nodeId: 'gate' });
    openGate('gate');
    expect(await first).toEqual({ handled: true });
    expect(await third).toEqual({ handled: true });
    await engine.stop();
  });

  it('reports closed when the flow stops before the message was finished', async () => {
    const { engine } = makeEngine(nodeTypes, 50);
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'emitter' },
          { id: 'gate', type: 'gated' },
        ],
        ['src->gate'],
      ),
    );
    const inProgress = emit('src', 1);
    const queued = emit('src', 2);
    await engine.stop();
    expect(await inProgress).toMatchObject({ handled: false, reason: 'closed', nodeId: 'gate' });
    expect(await queued).toMatchObject({ handled: false, reason: 'closed', nodeId: 'gate' });
  });

  it('reports closed when a redeploy removes a node holding it; a replaced node carries on', async () => {
    const { engine } = makeEngine(nodeTypes, 50);
    const nodes = [
      { id: 'src', type: 'emitter' },
      { id: 'gate', type: 'gated' },
      { id: 'keep', type: 'gated' },
    ];
    await engine.deploy(flow(nodes, ['src->gate', 'src->keep']));
    const inProgress = emit('src', 1);
    const queued = emit('src', 2);
    // `keep` is replaced (new config), `gate` removed: the replacement takes `keep`'s queue.
    const changed = [
      { id: 'src', type: 'emitter' },
      { id: 'keep', type: 'gated', queue: { size: 10 } },
    ];
    await engine.deploy(flow(changed, ['src->keep']));
    expect(await inProgress).toMatchObject({ handled: false, reason: 'closed' });
    expect(await queued).toMatchObject({ handled: false, reason: 'closed' });
    openGate('keep');
    expect(await emit('src', 3)).toEqual({ handled: true });
    await engine.stop();
  });

  it('does not wait for what a node sends from a timer after its onMessage returned', async () => {
    const { engine } = makeEngine(nodeTypes);
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'emitter' },
          { id: 'delay', type: 'later' },
          { id: 'gate', type: 'gated' },
        ],
        ['src->delay', 'delay->gate'],
      ),
    );
    expect(await emit('src', 1)).toEqual({ handled: true });
    expect(gates.get('gate')?.received).toEqual([]);
    await until(() => gates.get('gate')?.received.length === 1);
    openGate('gate');
    await engine.stop();
  });

  it('reports handled at once for a port wired to nothing', async () => {
    const { engine } = makeEngine(nodeTypes);
    await engine.deploy(flow([{ id: 'src', type: 'emitter' }], []));
    expect(await emit('src', 1)).toEqual({ handled: true });
    await engine.stop();
  });

  it('a node tracking what it sends holds the message it handles until that is handled', async () => {
    const { engine } = makeEngine(nodeTypes);
    await engine.deploy(
      flow(
        [
          { id: 'src', type: 'emitter' },
          { id: 'mid', type: 'relay' },
          { id: 'gate', type: 'gated' },
        ],
        ['src->mid', 'mid->gate'],
      ),
    );
    const outcome = emit('src', 1);
    await until(() => gates.get('gate')?.received.length === 1);
    expect(await settledYet(outcome)).toBe(false);
    openGate('gate');
    expect(await outcome).toEqual({ handled: true });
    expect(relayOutcomes).toEqual([{ handled: true }]);
    await engine.stop();
  });

  it('follows a message injected with onHandled (what the test harness uses)', async () => {
    const { engine } = makeEngine(nodeTypes);
    await engine.deploy(
      flow(
        [
          { id: 'check', type: 'picky', config: { failOn: 2 } },
          { id: 'out', type: 'sink' },
        ],
        ['check->out'],
      ),
    );
    const outcomes: HandledOutcome[] = [];
    await engine.inject('check', createMessage(1), 'in', { onHandled: (o) => outcomes.push(o) });
    await engine.inject('check', createMessage(2), 'in', { onHandled: (o) => outcomes.push(o) });
    await until(() => outcomes.length === 2);
    expect(outcomes).toMatchObject([{ handled: true }, { handled: false, reason: 'error', nodeId: 'check' }]);
    await engine.stop();
  });
});
