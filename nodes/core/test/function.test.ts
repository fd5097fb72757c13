import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import functionNode from '../src/function.node';

let open: NodeUnderTest[] = [];
async function start(code: string, config: Record<string, unknown> = {}, dataDir?: string): Promise<NodeUnderTest> {
  const h = await testNode(functionNode, { config: { code, ...config }, ...(dataDir ? { dataDir } : {}) });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

describe('function', () => {
  it('sends what the code returns, keeping the fields it spreads from msg', async () => {
    const h = await start('return { ...msg, payload: msg.payload * 2 + 1 };');
    await h.send({ payload: 21, topic: 'pump3/flow', quality: 'uncertain' });
    await h.send(-4);
    expect(h.errors).toEqual([]);
    expect(h.outputs()).toEqual([
      { payload: 43, topic: 'pump3/flow', timestamp: h.now(), quality: 'uncertain' },
      { payload: -7, timestamp: h.now(), quality: 'good' },
    ]);
  });

  it('takes timestamp and quality from the input when the code leaves them out', async () => {
    const h = await start('return { payload: "level " + msg.payload };');
    await h.send({ payload: 3, timestamp: 1234, quality: 'bad', topic: 'tank' });
    expect(h.outputs()).toEqual([{ payload: 'level 3', timestamp: 1234, quality: 'bad' }]);
  });

  it('sends every message of a returned array, in order', async () => {
    const h = await start('return msg.payload.map((v, i) => ({ payload: v, topic: "part/" + i }));');
    await h.send([10, 20, 30]);
    expect(h.payloads()).toEqual([10, 20, 30]);
    expect(h.outputs().map((m) => m.topic)).toEqual(['part/0', 'part/1', 'part/2']);
  });

  it('sends nothing when the code returns null or nothing', async () => {
    const h = await start('if (msg.payload < 0) return null;\nif (msg.payload === 0) return;\nreturn msg;');
    await h.send(-1);
    await h.send(0);
    await h.send(5);
    expect(h.payloads()).toEqual([5]);
    expect(h.errors).toEqual([]);
  });

  it('never changes the message it received', async () => {
    const h = await start('msg.payload.level = 99;\nmsg.payload.history.push(1);\nmsg.topic = "changed";\nreturn msg;');
    const payload = { level: 1, history: [0] };
    await h.send({ payload, topic: 'tank' });
    expect(payload).toEqual({ level: 1, history: [0] });
    expect(h.outputs()[0]).toMatchObject({ payload: { level: 99, history: [0, 1] }, topic: 'changed' });
  });

  it('keeps state in context from one message to the next', async () => {
    const h = await start(
      'context.total = (context.total || 0) + msg.payload;\nreturn { ...msg, payload: context.total };',
    );
    for (const v of [5, 7, 1]) await h.send(v);
    expect(h.payloads()).toEqual([5, 12, 13]);
  });

  it('keeps context.get/set, flow and global values in the data dir: a restart finds them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-function-context-'));
    const code =
      'context.set("count", (context.get("count") || 0) + 1);\nflow.set("sum", (flow.get("sum") || 0) + msg.payload);\nglobal.set("last", msg.payload);\ncontext.local = (context.local || 0) + 1;\nreturn { payload: [context.get("count"), flow.get("sum"), global.get("last"), context.local] };';
    const first = await testNode(functionNode, { config: { code }, dataDir });
    await first.send(5);
    await first.send(7);
    await first.close();
    const second = await start(code, {}, dataDir);
    await second.send(1);
    // Property-style state is the isolate's own: it starts again at each deploy.
    expect(second.payloads()).toEqual([[3, 13, 1, 1]]);
  });

  it('logs node.warn and console.log, and sets the status', async () => {
    const h = await start(
      'node.warn("high level", msg.payload);\nconsole.log("seen");\nnode.status({ state: "ok", text: "last " + msg.payload });\nreturn null;',
    );
    await h.send(88);
    expect(h.logs).toEqual(
      expect.arrayContaining([expect.objectContaining({ level: 'warn', message: 'high level 88' })]),
    );
    expect(h.logs).toEqual(expect.arrayContaining([expect.objectContaining({ level: 'info', message: 'seen' })]));
    expect(h.status).toEqual({ state: 'ok', text: 'last 88' });
  });

  describe('sandbox', () => {
    it.each([
      ['process', 'return { payload: process.env.HOME };', 'process is not defined'],
      ['require', 'const fs = require("fs");\nreturn { payload: fs.readdirSync("/") };', 'require is not defined'],
      [
        'globalThis.fetch',
        'globalThis.fetch("http://127.0.0.1:9/");\nreturn msg;',
        'globalThis.fetch is not a function',
      ],
      ['import()', 'import("node:fs");\nreturn msg;', 'import() is not available'],
    ])('has no %s, and says so', async (_name, code, expected) => {
      const h = await start(code);
      await h.send(1);
      expect(h.payloads()).toEqual([]);
      expect(h.errors).toHaveLength(1);
      expect(h.errors[0].code).toBe('FUNCTION_ERROR');
      expect(h.errors[0].message).toContain(expected);
    });

    it('stops an endless loop with FUNCTION_TIMEOUT, then processes the next message', async () => {
      const h = await start(
        'if (msg.payload === "spin") {\n  while (true) {}\n}\nreturn { ...msg, payload: msg.payload * 3 };',
        { timeoutMs: 100 },
      );
      await h.send('spin');
      await h.send(2);
      expect(h.errors).toHaveLength(1);
      expect(h.errors[0].code).toBe('FUNCTION_TIMEOUT');
      expect(h.errors[0].message).toContain('100 ms');
      expect(h.errors[0].message).toContain('line 2');
      expect(h.payloads()).toEqual([6]);
    });

    it('stops runaway memory with FUNCTION_MEMORY, then processes the next message', async () => {
      const h = await start(
        'if (msg.payload === "hoard") {\n  const all = [];\n  while (true) all.push(new Array(100000).fill(msg.payload));\n}\nreturn { ...msg, payload: msg.payload + 1 };',
        { memoryLimitMb: 16, timeoutMs: 2000 },
      );
      await h.send('hoard');
      await h.send(41);
      expect(h.errors).toHaveLength(1);
      expect(h.errors[0].code).toBe('FUNCTION_MEMORY');
      expect(h.errors[0].message).toContain('16 MB');
      expect(h.payloads()).toEqual([42]);
    });
  });

  describe('errors', () => {
    it('refuses code with a syntax error at deploy, naming the line', async () => {
      await expect(
        testNode(functionNode, { config: { code: 'const a = 1;\nif (a > 0 {\n  return msg;\n}' } }),
      ).rejects.toThrow(/Syntax error in the function code at line 2/);
    });

    it('reports an exception in the code with its message and line', async () => {
      const h = await start(
        'const limit = 50;\nif (msg.payload > limit) throw new Error("level " + msg.payload + " above " + limit);\nreturn msg;',
      );
      await h.send(70);
      await h.send(20);
      expect(h.errors).toHaveLength(1);
      expect(h.errors[0]).toMatchObject({ code: 'FUNCTION_ERROR', message: 'Error: level 70 above 50 (line 2)' });
      expect(h.payloads()).toEqual([20]);
    });

    it('reports a returned value that is not a message', async () => {
      const h = await start('return msg.payload * 2;');
      await h.send(4);
      expect(h.errors).toHaveLength(1);
      expect(h.errors[0].code).toBe('FUNCTION_RESULT');
      expect(h.errors[0].message).toContain('a number (8)');
      expect(h.payloads()).toEqual([]);
    });

    it('refuses limits outside the allowed range', async () => {
      await expect(testNode(functionNode, { config: { code: 'return msg;', memoryLimitMb: 4 } })).rejects.toThrow(
        /memoryLimitMb/,
      );
    });
  });

  it('passes messages through unchanged with the default code', async () => {
    const h = await testNode(functionNode, {});
    open.push(h);
    await h.send({ payload: 'unchanged', topic: 't' });
    expect(h.outputs()).toEqual([{ payload: 'unchanged', topic: 't', timestamp: h.now(), quality: 'good' }]);
  });

  it('can be closed twice', async () => {
    const instance = await functionNode.create(minimalContext('return msg;'));
    await instance.close?.();
    await expect(Promise.resolve(instance.close?.())).resolves.toBeUndefined();
  });
});

/** Just enough of a context for create/close, for the lifecycle test the harness does not expose. */
function minimalContext(code: string): Parameters<typeof functionNode.create>[0] {
  const log = { debug() {}, info() {}, warn() {}, error() {} };
  return {
    id: 'fn',
    type: 'function',
    flowId: 'f',
    config: { code, timeoutMs: 1000, memoryLimitMb: 32 },
    send: () => true,
    drain: async () => undefined,
    held: false,
    skipped() {},
    dropped() {},
    status() {},
    error() {},
    debug() {},
    log,
    clock: { now: () => 0, setTimeout: () => ({ cancel() {} }), setInterval: () => ({ cancel() {} }) },
    signal: new AbortController().signal,
    resource() {
      throw new Error('no resources here');
    },
    outbox() {
      throw new Error('no outbox here');
    },
    dataDir: '/nonexistent',
    files: {
      dir: '/nonexistent/files',
      resolve() {
        throw new Error('no files here');
      },
      open() {
        throw new Error('no files here');
      },
    },
    context: { node: noContext, flow: noContext, global: noContext },
    variable: () => undefined,
  };
}

const noContext = {
  get: () => undefined,
  set() {
    throw new Error('no context here');
  },
  keys: () => [],
};
