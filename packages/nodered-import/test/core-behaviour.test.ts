import type { FlowUnderTest } from '@tagflow/node-test';
import { entryOf, oneTab, runConverted } from './helpers';

// Each test writes a small Node-RED export (the fields Node-RED's editor saves), converts it, runs
// the tagflow flow in a real engine and checks the outputs Node-RED documents for the same inputs.

let running: FlowUnderTest[] = [];
async function run(...args: Parameters<typeof runConverted>) {
  const result = await runConverted(...args);
  running.push(result.f);
  return result;
}
afterEach(async () => {
  await Promise.all(running.map((f) => f.stop()));
  running = [];
});

describe('switch', () => {
  it('routes as Node-RED: rule i to output i, "stop after first match"', async () => {
    const { f, report } = await run(
      oneTab([
        {
          id: 'sw',
          type: 'switch',
          property: 'payload',
          propertyType: 'msg',
          rules: [
            { t: 'gt', v: '90', vt: 'num' },
            { t: 'btwn', v: '10', vt: 'num', v2: '20', v2t: 'num' },
            { t: 'regex', v: '^pump', vt: 'str', case: true },
            { t: 'else' },
          ],
          checkall: 'false',
          repair: false,
          outputs: 4,
          wires: [['high'], ['mid'], ['pump'], ['other']],
        },
        { id: 'high', type: 'debug', active: true, complete: 'false' },
        { id: 'mid', type: 'debug', active: true, complete: 'false' },
        { id: 'pump', type: 'debug', active: true, complete: 'false' },
        { id: 'other', type: 'debug', active: true, complete: 'false' },
      ]),
    );
    expect(entryOf(report, 'sw').outcome).toBe('exact');
    for (const p of [95, 15, 'PUMP 3', 50, '12']) await f.inject('sw', p);
    expect(f.payloads('sw', 'out1')).toEqual([95]);
    expect(f.payloads('sw', 'out2')).toEqual([15, '12']);
    expect(f.payloads('sw', 'out3')).toEqual(['PUMP 3']);
    expect(f.payloads('sw', 'out4')).toEqual([50]);
    expect(f.debug.filter((d) => d.nodeId === 'mid').map((d) => d.data)).toEqual([15, '12']);
  });

  it('checks every rule when "checking all rules"', async () => {
    const { f } = await run(
      oneTab([
        {
          id: 'sw',
          type: 'switch',
          property: 'payload.level',
          propertyType: 'msg',
          rules: [
            { t: 'gte', v: '5', vt: 'num' },
            { t: 'lt', v: '100', vt: 'num' },
          ],
          checkall: 'true',
          outputs: 2,
          wires: [['a'], ['b']],
        },
        { id: 'a', type: 'debug' },
        { id: 'b', type: 'debug' },
      ]),
    );
    await f.inject('sw', { level: 7 });
    expect(f.payloads('sw', 'out1')).toHaveLength(1);
    expect(f.payloads('sw', 'out2')).toHaveLength(1);
  });
});

describe('change', () => {
  it('sets, changes, moves and deletes as Node-RED', async () => {
    const { f, report } = await run(
      oneTab([
        {
          id: 'ch',
          type: 'change',
          rules: [
            { t: 'set', p: 'unit', pt: 'msg', to: 'degC', tot: 'str' },
            { t: 'change', p: 'topic', pt: 'msg', from: 'celsius', fromt: 'str', to: 'kelvin', tot: 'str' },
            { t: 'set', p: 'payload', pt: 'msg', to: 'payload + 273', tot: 'jsonata' },
            { t: 'move', p: 'raw', pt: 'msg', to: 'original', tot: 'msg' },
            { t: 'delete', p: 'secret', pt: 'msg' },
            { t: 'set', p: 'last', pt: 'flow', to: 'payload', tot: 'msg' },
          ],
          wires: [['out']],
        },
        { id: 'out', type: 'debug', complete: 'true' },
      ]),
    );
    expect(entryOf(report, 'ch').outcome).toBe('exact');
    await f.inject('ch', { payload: 20, topic: 'tank/celsius', raw: 'x', secret: 's' });
    const [out] = f.outputs('ch');
    expect(out).toMatchObject({ payload: 293, topic: 'tank/kelvin', unit: 'degC', original: 'x' });
    expect(out).not.toHaveProperty('raw');
    expect(out).not.toHaveProperty('secret');
  });
});

describe('range -> scale', () => {
  it.each([
    ['scale', 25, 250],
    ['clamp', 25, 100],
    ['drop', 25, undefined],
    ['roll', 12.5, 25],
  ])('action %s maps %p to %p', async (action, input, expected) => {
    const { f, report } = await run(
      oneTab([
        {
          id: 'r',
          type: 'range',
          minin: '0',
          maxin: '10',
          minout: '0',
          maxout: '100',
          action,
          round: false,
          property: 'payload',
          wires: [['d']],
        },
        { id: 'd', type: 'debug' },
      ]),
    );
    expect(entryOf(report, 'r').tagflowTypes).toEqual(['scale']);
    await f.inject('r', 5);
    await f.inject('r', input);
    await f.inject('r', '2.5'); // Node-RED reads numbers sent as text
    expect(f.payloads('r')).toEqual([50, ...(expected === undefined ? [] : [expected]), 25]);
  });
});

describe('rbe -> deadband', () => {
  it('rbe passes only changes, per topic', async () => {
    const { f } = await run(
      oneTab([
        {
          id: 'rbe',
          type: 'rbe',
          func: 'rbe',
          gap: '',
          start: '',
          inout: 'out',
          septopics: true,
          property: 'payload',
          wires: [['d']],
        },
        { id: 'd', type: 'debug' },
      ]),
    );
    for (const [payload, topic] of [
      [1, 'a'],
      [1, 'a'],
      [1, 'b'],
      [2, 'a'],
      ['on', 'c'],
      ['on', 'c'],
    ] as const)
      await f.inject('rbe', { payload, topic });
    expect(f.outputs('rbe').map((m) => [m.payload, m.topic])).toEqual([
      [1, 'a'],
      [1, 'b'],
      [2, 'a'],
      ['on', 'c'],
    ]);
  });

  it('deadband passes values that moved by more than the gap', async () => {
    const { f } = await run(
      oneTab([
        {
          id: 'db',
          type: 'rbe',
          func: 'deadband',
          gap: '5',
          start: '',
          inout: 'out',
          septopics: true,
          property: 'payload',
          wires: [['d']],
        },
        { id: 'd', type: 'debug' },
      ]),
    );
    for (const v of [10, 12, 15, 16, 21, 20]) await f.inject('db', v);
    expect(f.payloads('db')).toEqual([10, 16]);
  });

  it('rbei ignores the first value', async () => {
    const { f } = await run(
      oneTab([
        {
          id: 'rbei',
          type: 'rbe',
          func: 'rbei',
          gap: '',
          start: '',
          inout: 'out',
          septopics: true,
          property: 'payload',
          wires: [['d']],
        },
        { id: 'd', type: 'debug' },
      ]),
    );
    for (const v of [1, 1, 2]) await f.inject('rbei', v);
    expect(f.payloads('rbei')).toEqual([2]);
  });
});

describe('smooth', () => {
  it('averages the last N values, rounded', async () => {
    const { f } = await run(
      oneTab([
        {
          id: 's',
          type: 'smooth',
          action: 'mean',
          count: '3',
          round: '1',
          mult: 'single',
          reduce: false,
          property: 'payload',
          wires: [['d']],
        },
        { id: 'd', type: 'debug' },
      ]),
    );
    for (const v of [1, 2, 4, 8]) await f.inject('s', v);
    expect(f.payloads('s')).toEqual([1, 1.5, 2.3, 4.7]);
  });
});

describe('inject -> timer', () => {
  it('repeats every N seconds with its payload and topic, and once at start', async () => {
    const { f, report } = await run(
      oneTab([
        {
          id: 'inj',
          type: 'inject',
          props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
          repeat: '5',
          crontab: '',
          once: true,
          onceDelay: 0.1,
          topic: 'poll',
          payload: '{"unit":1}',
          payloadType: 'json',
          wires: [['d']],
        },
        { id: 'd', type: 'debug' },
      ]),
    );
    expect(entryOf(report, 'inj')).toMatchObject({ outcome: 'exact', tagflowTypes: ['timer'] });
    await f.advance(10_000);
    expect(f.outputs('inj').map((m) => [m.payload, m.topic])).toEqual([
      [{ unit: 1 }, 'poll'],
      [{ unit: 1 }, 'poll'],
      [{ unit: 1 }, 'poll'],
    ]);
  });

  it('sets other properties through a change node after the timer', async () => {
    const { f } = await run(
      oneTab([
        {
          id: 'inj',
          type: 'inject',
          props: [
            { p: 'payload', v: 'answer', vt: 'flow' },
            { p: 'site', v: 'north', vt: 'str' },
          ],
          repeat: '1',
          once: false,
          wires: [['d']],
        },
        { id: 'd', type: 'debug', complete: 'true' },
        { id: 'seed', type: 'change', rules: [{ t: 'set', p: 'answer', pt: 'flow', to: '42', tot: 'num' }], wires: [] },
      ]),
    );
    await f.inject('seed', 'go');
    await f.advance(1000);
    expect(f.outputs('inj-set')).toEqual([expect.objectContaining({ payload: 42, site: 'north' })]);
  });
});

describe('function', () => {
  it('keeps the code: node.send, flow.get/set, context, return', async () => {
    const { f, report } = await run(
      oneTab([
        {
          id: 'fn',
          type: 'function',
          func: [
            'const total = (flow.get("total") || 0) + msg.payload;',
            'flow.set("total", total);',
            'node.send({ payload: "running total " + total });',
            'msg.payload = total * 2;',
            'return msg;',
          ].join('\n'),
          outputs: 1,
          noerr: 0,
          initialize: '',
          finalize: '',
          libs: [],
          wires: [['d']],
        },
        { id: 'd', type: 'debug' },
      ]),
    );
    expect(entryOf(report, 'fn').notes.some((n) => /line 3: node\.send/.test(n))).toBe(true);
    await f.inject('fn', 5);
    await f.inject('fn', 7);
    expect(f.errors).toEqual([]);
    expect(f.payloads('fn')).toEqual(['running total 5', 10, 'running total 12', 24]);
  });

  it('sends return [a, b] to outputs 1 and 2, null sends nothing there', async () => {
    const { f } = await run(
      oneTab([
        {
          id: 'fn',
          type: 'function',
          func: 'if (msg.payload > 10) return [msg, null];\nreturn [null, { payload: -msg.payload }];',
          outputs: 2,
          wires: [['hi'], ['lo']],
        },
        { id: 'hi', type: 'debug' },
        { id: 'lo', type: 'debug' },
      ]),
    );
    for (const v of [20, 3]) await f.inject('fn', v);
    expect(f.errors).toEqual([]);
    expect(f.debug.filter((d) => d.nodeId === 'hi').map((d) => d.data)).toEqual([20]);
    expect(f.debug.filter((d) => d.nodeId === 'lo').map((d) => d.data)).toEqual([-3]);
  });

  it('flags lines it cannot handle', async () => {
    const { report } = await run(
      oneTab([
        {
          id: 'fn',
          type: 'function',
          func: 'const host = env.get("HOST");\nsetTimeout(() => node.send(msg), 10);\nreturn null;',
          outputs: 1,
          wires: [],
        },
      ]),
    );
    const notes = entryOf(report, 'fn').notes.join('\n');
    expect(notes).toMatch(/line 1: env\.get.*\[check this line\]/);
    expect(notes).toMatch(/line 2: timers do not exist/);
  });
});

describe('link in / out / call', () => {
  it('carries messages over virtual wires and answers a call', async () => {
    const { f } = await run(
      oneTab([
        { id: 'lo', type: 'link out', mode: 'link', links: ['li'] },
        { id: 'li', type: 'link in', links: ['lo'], wires: [['d']] },
        { id: 'd', type: 'debug' },
        { id: 'call', type: 'link call', links: ['svc'], linkType: 'static', timeout: '5', wires: [['answer']] },
        { id: 'svc', type: 'link in', links: [], wires: [['double']] },
        {
          id: 'double',
          type: 'change',
          rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'payload * 2', tot: 'jsonata' }],
          wires: [['ret']],
        },
        { id: 'ret', type: 'link out', mode: 'return', links: [] },
        { id: 'answer', type: 'debug' },
      ]),
    );
    await f.inject('lo', 'hello');
    await f.inject('call', 21);
    await f.idle();
    expect(f.debug.filter((d) => d.nodeId === 'd').map((d) => d.data)).toEqual(['hello']);
    expect(f.payloads('call')).toEqual([42]);
  });
});

describe('catch', () => {
  it('receives the errors of the nodes in its scope', async () => {
    const { f } = await run(
      oneTab([
        { id: 'fn', type: 'function', func: 'throw new Error("bad reading");', outputs: 1, wires: [] },
        { id: 'c', type: 'catch', scope: ['fn'], uncaught: false, wires: [['d']] },
        { id: 'd', type: 'debug', complete: 'true' },
      ]),
    );
    await f.inject('fn', 1);
    await f.idle();
    expect(f.outputs('c')).toHaveLength(1);
    expect(JSON.stringify(f.outputs('c')[0])).toMatch(/bad reading/);
  });
});

describe('delay in rate mode -> rate-limit', () => {
  it('drops messages over the rate', async () => {
    const { f, report } = await run(
      oneTab([
        {
          id: 'rl',
          type: 'delay',
          pauseType: 'rate',
          timeout: '5',
          timeoutUnits: 'seconds',
          rate: '1',
          nbRateUnits: '1',
          rateUnits: 'second',
          drop: true,
          outputs: 1,
          wires: [['d']],
        },
        { id: 'd', type: 'debug' },
      ]),
    );
    expect(entryOf(report, 'rl').tagflowTypes).toEqual(['rate-limit']);
    for (const v of [1, 2, 3]) await f.inject('rl', v);
    await f.advance(1000);
    await f.inject('rl', 4);
    expect(f.payloads('rl')).toEqual([1, 4]);
  });
});

describe('function env.get on a tab', () => {
  it("reads the tab's env values", async () => {
    const objects = oneTab([
      {
        id: 'fn',
        type: 'function',
        func: 'msg.payload = env.get("SITE") + "/" + msg.payload;\nreturn msg;',
        outputs: 1,
        wires: [['d']],
      },
      { id: 'd', type: 'debug' },
    ]);
    (objects[0] as Record<string, unknown>).env = [{ name: 'SITE', type: 'str', value: 'north' }];
    const { f, report } = await run(objects);
    await f.inject('fn', 'pump3');
    expect(f.errors).toEqual([]);
    expect(f.payloads('fn')).toEqual(['north/pump3']);
    expect(entryOf(report, 'fn').notes.join()).not.toMatch(/check this line/);
  });
});

describe('function node.error(text, msg)', () => {
  it('reaches catch nodes when the code sends nothing for the message', async () => {
    const { f, report } = await run(
      oneTab([
        {
          id: 'fn',
          type: 'function',
          func: 'if (msg.payload < 0) { node.error("negative reading", msg); return null; }\nreturn msg;',
          outputs: 1,
          wires: [['d']],
        },
        { id: 'd', type: 'debug' },
        { id: 'c', type: 'catch', scope: null, uncaught: false, wires: [['e']] },
        { id: 'e', type: 'debug', complete: 'true' },
      ]),
    );
    expect(entryOf(report, 'fn').notes.join()).not.toMatch(/check this line/);
    await f.inject('fn', 5);
    await f.inject('fn', -1);
    await f.idle();
    expect(f.payloads('fn')).toEqual([5]);
    expect(f.outputs('c')).toHaveLength(1);
    expect(JSON.stringify(f.outputs('c')[0])).toMatch(/negative reading/);
  });
});
