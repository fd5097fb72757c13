import { convert, entryOf, oneTab } from './helpers';

// delay, trigger, status, json, split and join convert to the core nodes of the same names (helper
// "nodered-nodes"). Until those are on main these tests check the converted configs against the
// nodes' schemas as written there; behaviour tests follow once the nodes can run here.

function configOf(node: Record<string, unknown> & { id: string; type: string }) {
  const { flows, report } = convert(oneTab([node]));
  const converted = flows[0].nodes.find((n) => n.id === node.id);
  return { type: converted?.type, config: converted?.config, entry: entryOf(report, node.id) };
}

describe('delay', () => {
  it('fixed, random and msg.delay modes, in milliseconds', () => {
    expect(
      configOf({ id: 'd', type: 'delay', pauseType: 'delay', timeout: '2', timeoutUnits: 'seconds' }),
    ).toMatchObject({
      type: 'delay',
      config: { mode: 'fixed', delayMs: 2000 },
    });
    expect(
      configOf({
        id: 'd',
        type: 'delay',
        pauseType: 'random',
        randomFirst: '1',
        randomLast: '3',
        randomUnits: 'minutes',
      }).config,
    ).toEqual({ mode: 'random', randomMinMs: 60_000, randomMaxMs: 180_000 });
    expect(
      configOf({ id: 'd', type: 'delay', pauseType: 'delayv', timeout: '500', timeoutUnits: 'milliseconds' }).config,
    ).toEqual({
      mode: 'message',
      delayMs: 500,
    });
  });

  it('rate limits per topic become rate-limit per topic, with the difference reported', () => {
    const { type, config, entry } = configOf({
      id: 'd',
      type: 'delay',
      pauseType: 'queue',
      rate: '2',
      nbRateUnits: '1',
      rateUnits: 'minute',
    });
    expect(type).toBe('rate-limit');
    expect(config).toEqual({ rate: 2, perSeconds: 60, mode: 'drop', perTopic: true });
    expect(entry.outcome).toBe('different');
  });
});

describe('trigger', () => {
  it('send 1, wait 250 ms, send 0 (Node-RED defaults)', () => {
    const { config, entry } = configOf({
      id: 't',
      type: 'trigger',
      op1: '1',
      op2: '0',
      op1type: 'str',
      op2type: 'str',
      duration: '250',
      extend: false,
      overrideDelay: false,
      units: 'ms',
      reset: '',
      bytopic: 'all',
      topic: 'topic',
      outputs: 1,
    });
    expect(config).toEqual({
      firstSend: 'value',
      firstValue: '1',
      then: 'wait',
      durationMs: 250,
      secondSend: 'value',
      secondValue: '0',
    });
    expect(entry.outcome).toBe('exact');
  });

  it('a watchdog: nothing first, extend, the latest message after 30 s on a second output, per topic', () => {
    const { flows } = convert(
      oneTab([
        {
          id: 't',
          type: 'trigger',
          op1: '',
          op2: '',
          op1type: 'nul',
          op2type: 'payl',
          duration: '30',
          extend: true,
          units: 's',
          reset: 'stop',
          bytopic: 'topic',
          topic: 'topic',
          outputs: 2,
          wires: [['a'], ['b']],
        },
        { id: 'a', type: 'debug' },
        { id: 'b', type: 'debug' },
      ]),
    );
    expect(flows[0].nodes[0].config).toEqual({
      firstSend: 'nothing',
      then: 'wait',
      durationMs: 30_000,
      extend: true,
      secondSend: 'latest',
      secondOutput: true,
      resetPayload: 'stop',
      perTopic: true,
    });
    expect(flows[0].edges).toContainEqual({ source: 't', sourcePort: 'second', target: 'b', targetPort: 'in' });
  });

  it('0 waits for a reset; a negative time resends', () => {
    expect(
      configOf({ id: 't', type: 'trigger', op1type: 'pay', op2type: 'nul', duration: '0', units: 'ms' }).config,
    ).toMatchObject({ firstSend: 'message', then: 'block' });
    expect(
      configOf({ id: 't', type: 'trigger', op1type: 'pay', op2type: 'nul', duration: '-2', units: 's' }).config,
    ).toMatchObject({ then: 'resend', durationMs: 2000 });
  });
});

describe('status, json, split, join', () => {
  it('status keeps its scope', () => {
    const { flows } = convert(
      oneTab([
        { id: 's', type: 'status', scope: ['f'] },
        { id: 'f', type: 'function', func: 'return msg;', outputs: 1 },
      ]),
    );
    expect(flows[0].nodes[0]).toMatchObject({ type: 'status', config: { scope: ['f'] } });
  });

  it('json keeps its action', () => {
    expect(configOf({ id: 'j', type: 'json', action: '', property: 'payload', pretty: false }).config).toEqual({
      action: 'auto',
      property: 'payload',
    });
    expect(configOf({ id: 'j', type: 'json', action: 'str', property: 'payload', pretty: true }).config).toEqual({
      action: 'str',
      property: 'payload',
      pretty: true,
    });
  });

  it('split at a newline, or in pieces of a length, with a key property', () => {
    expect(
      configOf({
        id: 's',
        type: 'split',
        splt: '\\n',
        spltType: 'str',
        arraySplt: 1,
        arraySpltType: 'len',
        stream: false,
        addname: '',
      }).config,
    ).toEqual({
      delimiter: '\n',
      arrayLength: 1,
    });
    expect(
      configOf({
        id: 's',
        type: 'split',
        splt: '4',
        spltType: 'len',
        arraySplt: 2,
        stream: true,
        addname: 'topic',
        property: 'payload',
      }).config,
    ).toEqual({
      property: 'payload',
      stringMode: 'length',
      length: 4,
      arrayLength: 2,
      stream: true,
      keyProperty: 'topic',
    });
  });

  it('join: automatic, or manual with count and timeout', () => {
    expect(configOf({ id: 'j', type: 'join', mode: 'auto', build: 'object' }).config).toEqual({ mode: 'auto' });
    expect(
      configOf({
        id: 'j',
        type: 'join',
        mode: 'custom',
        build: 'string',
        property: 'payload',
        propertyType: 'msg',
        key: 'topic',
        joiner: ',',
        joinerType: 'str',
        accumulate: false,
        timeout: '5',
        count: '3',
      }).config,
    ).toEqual({ mode: 'manual', build: 'string', property: 'payload', joiner: ',', count: 3, timeoutMs: 5000 });
    expect(configOf({ id: 'j', type: 'join', mode: 'reduce' }).type).toBe('nodered-placeholder');
  });
});
