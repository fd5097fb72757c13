// Issue 14, "the function sandbox": one test per way function code could try to escape or take the
// runtime down. Each shows the node reporting an error in plain words, the event loop never held
// longer than the time-limit cap, and the next message processed normally.
import { testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import functionNode from '../src/function.node';
import { MAX_TIMEOUT_MS } from '../src/sandbox/function-sandbox';

const MB = 1024 * 1024;

let open: NodeUnderTest[] = [];
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

/**
 * A node whose code runs `attack` when the payload is "attack" and otherwise doubles the payload,
 * so that each test can show the next message going through.
 */
async function start(attack: string, config: Record<string, unknown> = {}): Promise<NodeUnderTest> {
  const code = `if (msg.payload === 'attack') {\n${attack}\n}\nreturn { ...msg, payload: msg.payload * 2 };`;
  const h = await testNode(functionNode, { config: { code, timeoutMs: 200, ...config } });
  open.push(h);
  return h;
}

/** Watches the event loop: the longest gap between ticks of a 10 ms interval while `run` ran. */
async function longestStall(run: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  try {
    await run();
    await new Promise((resolve) => setTimeout(resolve, 30));
  } finally {
    clearInterval(ticker);
  }
  return Math.max(longest, performance.now() - last);
}

interface Outcome {
  code: string;
  message: string;
  rssGrowthMb: number;
}

/**
 * Sends the attack, then a normal message: returns the one error the attack raised, after checking
 * that the event loop kept turning (never stalled past the time-limit cap) and the next message was
 * processed.
 */
async function attack(h: NodeUnderTest): Promise<Outcome> {
  const rssBefore = process.memoryUsage().rss;
  const stall = await longestStall(() => h.send('attack'));
  const rssGrowthMb = (process.memoryUsage().rss - rssBefore) / MB;
  expect(stall).toBeLessThan(MAX_TIMEOUT_MS);
  await h.send(21);
  expect(h.payloads()).toEqual([42]);
  expect(h.errors).toHaveLength(1);
  return { code: h.errors[0].code ?? '', message: h.errors[0].message, rssGrowthMb };
}

describe('function node attacks', () => {
  describe('reaching the host', () => {
    it.each([
      ['process', 'return { payload: process.pid };', 'process is not defined'],
      ['require', 'require("child_process").execSync("id");', 'require is not defined'],
      ['dynamic import', 'import("node:fs");', 'import() is not available'],
      [
        'this.constructor.constructor',
        'const host = this.constructor.constructor("return process")();\nreturn { payload: host.pid };',
        'process is not defined',
      ],
      [
        'the Function constructor of a built-in',
        'const g = [].constructor.constructor("return globalThis")();\nreturn { payload: g.process.pid };',
        "Cannot read properties of undefined (reading 'pid')",
      ],
    ])('%s is not there, and the error says so', async (_name, code, expected) => {
      const outcome = await attack(await start(code));
      expect(outcome.code).toBe('FUNCTION_ERROR');
      expect(outcome.message).toContain(expected);
    });

    it('names the sandbox when process or require is missing', async () => {
      const outcome = await attack(await start('return { payload: process.env };'));
      expect(outcome.message).toContain('sandbox without Node.js');
    });
  });

  describe('endless loops', () => {
    it.each([
      ['plain', 'while (true) {}'],
      ['in a getter of the returned message', 'return { get payload() { while (true) {} } };'],
      ['in a getter of a nested field', 'return { payload: { deep: [1, { get x() { for (;;) {} } }] } };'],
      ['in the message getter of a thrown object', 'throw { get message() { while (true) {} } };'],
      [
        'in the stack getter of a thrown Error',
        'const e = new Error("x");\nObject.defineProperty(e, "stack", { get() { for (;;) {} } });\nthrow e;',
      ],
      ['in a Proxy trap of the returned message', 'return new Proxy({}, { ownKeys() { while (true) {} } });'],
      ['in a Proxy get trap', 'return new Proxy({ payload: 1 }, { get() { while (true) {} } });'],
      ['in toJSON of a logged value', 'node.warn({ toJSON() { while (true) {} } });\nreturn null;'],
      ['in toJSON of a thrown value', 'throw { toJSON() { while (true) {} } };'],
      ['in Symbol.toPrimitive of a logged value', 'node.log(`${{ [Symbol.toPrimitive]() { while (true) {} } }}`);'],
      ['in a status text', 'node.status({ get text() { while (true) {} } });\nreturn null;'],
    ])('%s is stopped by the time limit', async (_name, code) => {
      const outcome = await attack(await start(code));
      expect(outcome.code).toBe('FUNCTION_TIMEOUT');
      expect(outcome.message).toContain('The function ran longer than its 200 ms limit and was stopped');
    });

    it('a toJSON loop on a returned message is never called: messages are copied, not serialized', async () => {
      const h = await start('return { payload: 5, toJSON() { while (true) {} } };');
      const outcome = await attack(h);
      expect(outcome.code).toBe('FUNCTION_RESULT');
      expect(outcome.message).toContain('it holds a function');
    });

    it('a microtask flood is stopped by the time or the memory limit, whichever it reaches first', async () => {
      const outcome = await attack(
        await start('const again = () => Promise.resolve().then(again);\nagain();\nreturn null;'),
      );
      // Each turn chains one more promise, held by the last: on a fast machine the chain passes the
      // memory limit before 200 ms have gone by (seen on Node.js 24), elsewhere the clock ends it.
      expect(['FUNCTION_TIMEOUT', 'FUNCTION_MEMORY']).toContain(outcome.code);
    });

    it('a microtask queued to loop after the code returned is stopped by the time limit', async () => {
      const outcome = await attack(await start('Promise.resolve().then(() => { while (true) {} });\nreturn null;'));
      expect(outcome.code).toBe('FUNCTION_TIMEOUT');
    });

    it('Atomics.wait is stopped by the time limit', async () => {
      const outcome = await attack(await start('Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);'));
      expect(outcome.code).toBe('FUNCTION_TIMEOUT');
    });

    it('keeps timeoutMs at or below its cap', async () => {
      await expect(
        testNode(functionNode, { config: { code: 'return msg;', timeoutMs: MAX_TIMEOUT_MS + 1 } }),
      ).rejects.toThrow(/timeoutMs/);
    });

    it('holds the event loop no longer than the cap with the largest timeoutMs', async () => {
      const outcome = await attack(await start('while (true) {}', { timeoutMs: MAX_TIMEOUT_MS - 500 }));
      expect(outcome.code).toBe('FUNCTION_TIMEOUT');
    });
  });

  it('deep recursion fails with a RangeError, not a crash', async () => {
    const outcome = await attack(await start('const down = (n) => down(n + 1) + 1;\ndown(0);'));
    expect(outcome.code).toBe('FUNCTION_ERROR');
    expect(outcome.message).toContain('RangeError: Maximum call stack size exceeded');
  });

  describe('memory', () => {
    it('WebAssembly is not there, by any path', async () => {
      const h = await start(
        'return { payload: [typeof WebAssembly, typeof globalThis.WebAssembly, this.constructor.constructor("return typeof WebAssembly")(), Object.getOwnPropertyNames(globalThis).includes("WebAssembly")] };',
      );
      await h.send('attack');
      expect(h.payloads()).toEqual([['undefined', 'undefined', 'undefined', false]]);
    });

    it('WebAssembly.Memory cannot be kept in context', async () => {
      const outcome = await attack(
        await start(
          'context.pages = [];\nfor (let i = 0; i < 3; i++) context.pages.push(new WebAssembly.Memory({ initial: 16384 }));',
          {
            memoryLimitMb: 32,
          },
        ),
      );
      expect(outcome.code).toBe('FUNCTION_ERROR');
      expect(outcome.message).toContain('WebAssembly is not defined');
      expect(outcome.message).toContain('sandbox without Node.js');
      expect(outcome.rssGrowthMb).toBeLessThan(200);
    });

    it('ArrayBuffers count against the memory limit', async () => {
      const outcome = await attack(
        await start(
          'context.buffers = [];\nfor (let i = 0; i < 10; i++) context.buffers.push(new ArrayBuffer(100 * 1024 * 1024));',
          {
            memoryLimitMb: 32,
          },
        ),
      );
      expect(outcome.code).toBe('FUNCTION_ERROR');
      expect(outcome.message).toContain('RangeError: Array buffer allocation failed');
      expect(outcome.rssGrowthMb).toBeLessThan(200);
    });

    it('a 256 MB returned string is refused inside the isolate', async () => {
      const outcome = await attack(await start("return { payload: 'x'.repeat(2 ** 28) };", { memoryLimitMb: 32 }));
      expect(outcome.code).toBe('FUNCTION_RESULT');
      expect(outcome.message).toContain('larger than the limit of 4194304 bytes');
      expect(outcome.rssGrowthMb).toBeLessThan(200);
    });

    it('a 256 MB string kept in context passes the memory limit and stops the function', async () => {
      const h = await start("context.big = 'x'.repeat(2 ** 28);\ncontext.big.indexOf('y');\nreturn null;", {
        memoryLimitMb: 32,
      });
      const outcome = await attack(h);
      expect(outcome.code).toBe('FUNCTION_MEMORY');
      expect(outcome.message).toContain('more than 32 MB of memory');
    });

    it('a returned array too large for maxMessageBytes is refused before it is copied', async () => {
      const outcome = await attack(await start('return { payload: new Array(2 ** 28) };', { memoryLimitMb: 32 }));
      expect(outcome.code).toBe('FUNCTION_RESULT');
      expect(outcome.message).toContain('maxMessageBytes');
    });

    it('a huge Array.fill, which V8 runs without a time check, is refused', async () => {
      const outcome = await attack(await start('context.a = new Array(2 ** 28).fill(1.5);', { memoryLimitMb: 32 }));
      expect(outcome.code).toBe('FUNCTION_ERROR');
      expect(outcome.message).toContain('RangeError: fill on 268435456 items');
    });

    it('a huge Array.from over an array-like is refused', async () => {
      const outcome = await attack(await start('context.a = Array.from({ length: 2 ** 26 });', { memoryLimitMb: 32 }));
      expect(outcome.code).toBe('FUNCTION_ERROR');
      expect(outcome.message).toContain('RangeError: from on 67108864 items');
    });

    it('a growing array is stopped by the memory limit, and the next message starts afresh', async () => {
      const outcome = await attack(
        await start('const all = [];\nwhile (true) all.push(new Array(100000).fill(1.5));', {
          memoryLimitMb: 16,
          timeoutMs: 2000,
        }),
      );
      expect(outcome.code).toBe('FUNCTION_MEMORY');
    });

    it('a message nested past the depth limit, or a cycle, is refused in plain words', async () => {
      const outcome = await attack(await start('const m = { payload: 1 };\nm.self = m;\nreturn m;'));
      expect(outcome.code).toBe('FUNCTION_RESULT');
      expect(outcome.message).toContain('nested deeper than 200 levels, or refers to itself');
    });

    it('maxMessageBytes is configurable', async () => {
      const h = await start("return { payload: 'y'.repeat(5000) };", { maxMessageBytes: 4096 });
      const outcome = await attack(h);
      expect(outcome.code).toBe('FUNCTION_RESULT');
      expect(outcome.message).toContain('4096 bytes');
    });
  });

  describe('floods', () => {
    it.each(['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask'])(
      'a %s flood cannot start: there are no timers',
      async (timer) => {
        const outcome = await attack(await start(`for (let i = 0; i < 1e6; i++) ${timer}(() => {}, 0);`));
        expect(outcome.code).toBe('FUNCTION_ERROR');
        expect(outcome.message).toContain(`${timer} is not defined`);
        expect(outcome.message).toContain('timers');
      },
    );

    it('a log flood keeps 100 lines per message', async () => {
      const h = await start('for (let i = 0; i < 1e5; i++) node.log("line " + i);\nreturn null;');
      await h.send('attack');
      expect(h.logs.filter((l) => l.message.startsWith('line '))).toHaveLength(100);
    });
  });

  it('prototype pollution in one function node does not reach another', async () => {
    const polluter = await start(
      'Object.prototype.polluted = "yes";\nArray.prototype.push = () => { throw new Error("hijacked"); };\nJSON.parse = () => "hijacked";\nreturn null;',
    );
    await polluter.send('attack');
    expect(polluter.errors).toEqual([]);
    const other = await testNode(functionNode, {
      config: { code: 'const a = [];\na.push(1);\nreturn { payload: [({}).polluted, a.length, JSON.parse("2")] };' },
    });
    open.push(other);
    await other.send(0);
    expect(other.errors).toEqual([]);
    expect(other.payloads()).toEqual([[undefined, 1, 2]]);
    // Nor does it reach the host, nor the polluter's own output.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await polluter.send(4);
    expect(polluter.outputs()[0]).toEqual({ payload: 8, timestamp: polluter.now(), quality: 'good' });
  });

  it('Object.prototype takes no new properties, so no setter can intercept a copy', async () => {
    const h = await start('(() => {\n  "use strict";\n  Object.prototype.payloadSetter = 1;\n})();');
    const outcome = await attack(h);
    expect(outcome.code).toBe('FUNCTION_ERROR');
    expect(outcome.message).toContain('TypeError: Cannot add property payloadSetter, object is not extensible');
  });

  it('setters on the names Object.prototype has, and on Array.prototype, do not change what leaves the isolate', async () => {
    const h = await start(
      'Object.defineProperty(Object.prototype, "toString", { set() { throw new Error("setter ran"); }, get() { return () => "x"; }, configurable: true });\nObject.defineProperty(Array.prototype, "0", { get() { while (true) {} }, set() {}, configurable: true });\nreturn { payload: [7, 8], toString: "kept", __proto__: { hidden: 1 }, ["__proto__"]: "own" };',
    );
    await h.send('attack');
    expect(h.errors).toEqual([]);
    const out = h.outputs()[0] as unknown as Record<string, unknown>;
    expect(out.payload).toEqual([7, 8]);
    expect(Object.getOwnPropertyDescriptor(out, 'toString')?.value).toBe('kept');
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('own');
    expect(out.hidden).toBeUndefined();
  });
});
