import { isNodeError } from '@tagflow/node-sdk';
import type { Message, NodeError, NodeStatus } from '@tagflow/node-sdk';
import { FunctionSandbox, MAX_LOG_LINES_PER_MESSAGE } from '../src/sandbox/function-sandbox';
import type { SandboxOptions } from '../src/sandbox/function-sandbox';
import { toOutputMessages } from '../src/sandbox/function-result';
import { toNodeStatus } from '../src/sandbox/sandbox-bridge';
import { userCodePosition } from '../src/sandbox/sandbox-errors';

const sandboxes: FunctionSandbox[] = [];
afterEach(() => {
  for (const s of sandboxes.splice(0)) s.dispose();
});

interface Recorded {
  sandbox: FunctionSandbox;
  logs: Array<[string, string]>;
  statuses: NodeStatus[];
}

function sandbox(code: string, options: Partial<SandboxOptions> = {}): Recorded {
  const logs: Array<[string, string]> = [];
  const statuses: NodeStatus[] = [];
  const s = new FunctionSandbox({
    code,
    memoryLimitMb: 16,
    timeoutMs: 200,
    nodeId: 'fn1',
    nodeName: 'Doubler',
    onLog: (level, text) => logs.push([level, text]),
    onStatus: (status) => statuses.push(status),
    ...options,
  });
  sandboxes.push(s);
  return { sandbox: s, logs, statuses };
}

const message = (payload: unknown, extra: Record<string, unknown> = {}): Message => ({
  payload,
  timestamp: 1_767_225_600_000,
  quality: 'good',
  ...extra,
});

/** Runs and returns the NodeError it threw; fails the test if it did not throw one. */
function failure(s: FunctionSandbox, msg: Message): NodeError {
  try {
    s.run(msg);
  } catch (err) {
    if (isNodeError(err)) return err;
    throw err;
  }
  throw new Error('expected the run to fail');
}

function createFailure(code: string): NodeError {
  try {
    sandbox(code);
  } catch (err) {
    if (isNodeError(err)) return err;
    throw err;
  }
  throw new Error('expected the sandbox to refuse the code');
}

describe('FunctionSandbox', () => {
  it('runs the user function on the message and returns its result', () => {
    const { sandbox: s } = sandbox('return { ...msg, payload: msg.payload * 2 + 1 };');
    expect(s.run(message(21, { topic: 'pump3/flow' }))).toEqual({
      payload: 43,
      topic: 'pump3/flow',
      timestamp: 1_767_225_600_000,
      quality: 'good',
    });
    expect(s.run(message(-1))).toMatchObject({ payload: -1 });
  });

  it('never changes the host message, even when user code assigns to it', () => {
    const { sandbox: s } = sandbox('msg.payload.level = 99; msg.topic = "changed"; delete msg.quality; return msg;');
    const input = message({ level: 1, nested: { a: [1, 2] } }, { topic: 'tank' });
    const before = structuredClone(input);
    const out = s.run(input) as Record<string, unknown>;
    expect(input).toEqual(before);
    expect(out).toMatchObject({ payload: { level: 99 }, topic: 'changed' });
    expect(out.payload).not.toBe(input.payload);
  });

  it('keeps data types JSON would lose: NaN, Infinity, Date, bytes, undefined fields', () => {
    const { sandbox: s } = sandbox(
      'return { payload: [msg.payload, 1 / 0, new Date(5), new Uint8Array([1, 2]), msg.bytes.length], gone: undefined };',
    );
    const out = s.run(message(Number.NaN, { bytes: Buffer.from('abc') })) as { payload: unknown[]; gone: unknown };
    expect(out.payload[0]).toBeNaN();
    expect(out.payload[1]).toBe(Infinity);
    expect(out.payload[2]).toEqual(new Date(5));
    expect(Array.from(out.payload[3] as Uint8Array)).toEqual([1, 2]);
    expect(out.payload[4]).toBe(3);
    expect(Object.keys(out)).toContain('gone');
  });

  describe('isolation', () => {
    it.each([
      'process',
      'require',
      'Buffer',
      'setTimeout',
      'setInterval',
      'setImmediate',
      'fetch',
      'module',
      '__dirname',
    ])('has no host global %s', (name) => {
      const { sandbox: s } = sandbox(`return { payload: typeof ${name} };`);
      expect(s.run(message(null))).toMatchObject({ payload: 'undefined' });
    });

    it('reports process as unavailable, with the reason', () => {
      const err = failure(sandbox('const env = process.env;\nreturn { payload: env.HOME };').sandbox, message(1));
      expect(err.code).toBe('FUNCTION_ERROR');
      expect(err.message).toContain('process is not defined');
      expect(err.message).toContain('line 1');
      expect(err.message).toContain('sandbox without Node.js');
    });

    it('reports require as unavailable', () => {
      const err = failure(
        sandbox('const fs = require("fs");\nreturn { payload: fs.readFileSync("/etc/passwd", "utf8") };').sandbox,
        message(1),
      );
      expect(err.code).toBe('FUNCTION_ERROR');
      expect(err.message).toContain('require is not defined');
      expect(err.message).toContain('sandbox without Node.js');
    });

    it('reports globalThis.fetch as unavailable', () => {
      const err = failure(sandbox('globalThis.fetch("http://127.0.0.1:1/");\nreturn msg;').sandbox, message(1));
      expect(err.code).toBe('FUNCTION_ERROR');
      expect(err.message).toContain('globalThis.fetch is not a function');
      expect(err.message).toContain('network');
    });

    it('reports import() as unavailable', () => {
      const err = failure(sandbox('const p = import("fs");\nreturn msg;').sandbox, message(1));
      expect(err.code).toBe('FUNCTION_ERROR');
      expect(err.message).toContain('import() is not available');
    });

    it('cannot reach the host through the Function constructor or the global object', () => {
      const { sandbox: s } = sandbox(
        'const g = Function("return this")();\nreturn { payload: [typeof g.process, this.constructor.constructor("return typeof process")()] };',
      );
      expect(s.run(message(null))).toMatchObject({ payload: ['undefined', 'undefined'] });
    });
  });

  describe('limits', () => {
    it('stops an endless loop with FUNCTION_TIMEOUT and runs the next message normally', () => {
      const { sandbox: s } = sandbox(
        'if (msg.payload === "hang") {\n  while (true) {}\n}\nreturn { ...msg, payload: msg.payload + 1 };',
      );
      const err = failure(s, message('hang'));
      expect(err.code).toBe('FUNCTION_TIMEOUT');
      expect(err.message).toContain('200 ms');
      expect(err.details).toMatchObject({ line: 2 });
      expect(s.run(message(1))).toMatchObject({ payload: 2 });
      expect(s.generation).toBe(1);
    });

    it('stops a memory bomb with FUNCTION_MEMORY, builds a new isolate and runs the next message', () => {
      const { sandbox: s } = sandbox(
        'if (msg.payload === "bomb") {\n  const hoard = [];\n  while (true) hoard.push(new Array(100000).fill(1.5));\n}\nreturn { ...msg, payload: msg.payload * 10 };',
        { timeoutMs: 2000 },
      );
      const err = failure(s, message('bomb'));
      expect(err.code).toBe('FUNCTION_MEMORY');
      expect(err.message).toContain('16 MB');
      expect(s.run(message(4))).toMatchObject({ payload: 40 });
      expect(s.generation).toBe(2);
    });
  });

  describe('syntax', () => {
    it('refuses code that does not parse, naming the line', () => {
      const err = createFailure('const a = 1;\nconst b = 2;\nlet c = ;\nreturn msg;');
      expect(err.code).toBe('FUNCTION_SYNTAX');
      expect(err.message).toMatch(/^Syntax error in the function code at line 3: /);
      expect(err.message).not.toContain('function-code.js');
      expect(err.details).toMatchObject({ line: 3 });
    });

    it('refuses code that closes the function wrapper early', () => {
      const err = createFailure('return msg;\n}); (function () {');
      expect(err.code).toBe('FUNCTION_SYNTAX');
    });

    it('accepts an empty body, which sends nothing', () => {
      expect(sandbox('').sandbox.run(message(1))).toBeUndefined();
    });

    it('accepts a trailing line comment', () => {
      expect(sandbox('return msg; // done').sandbox.run(message(7))).toMatchObject({ payload: 7 });
    });
  });

  describe('errors in user code', () => {
    it('reports the error type, message and line', () => {
      const err = failure(
        sandbox('const limit = 10;\nreturn { payload: msg.payload.reading.value };').sandbox,
        message({}),
      );
      expect(err.code).toBe('FUNCTION_ERROR');
      expect(err.message).toMatch(/^TypeError: Cannot read properties of undefined \(reading 'value'\) \(line 2\)$/);
      expect(err.details).toMatchObject({ line: 2 });
    });

    it('reports a thrown Error with the user message', () => {
      const err = failure(
        sandbox('\n\nthrow new Error("sensor " + msg.payload + " out of range");').sandbox,
        message(7),
      );
      expect(err.message).toBe('Error: sensor 7 out of range (line 3)');
    });

    it('reports a thrown string', () => {
      expect(failure(sandbox('throw "no luck";').sandbox, message(1)).message).toBe('The function threw "no luck"');
    });

    it('reports a returned Promise as a result problem', () => {
      const err = failure(sandbox('return Promise.resolve(msg);').sandbox, message(1));
      expect(err.code).toBe('FUNCTION_RESULT');
      expect(err.message).toContain('Promise');
      expect(err.message).toContain('synchronously');
    });

    it('reports a returned function as a result problem', () => {
      const err = failure(sandbox('return { payload: () => 1 };').sandbox, message(1));
      expect(err.code).toBe('FUNCTION_RESULT');
      expect(err.message).toContain('not plain data');
    });
  });

  describe('flow state: context.get/set/keys, flow and global', () => {
    /** Scopes that record what reaches the host, as the runtime's stores would hold it. */
    function recordingState() {
      const make = () => {
        const values = new Map<string, unknown>();
        return {
          values,
          get: (key: string) => values.get(key),
          set(key: string, value: unknown) {
            if (JSON.stringify(value)?.length > 50)
              throw Object.assign(new Error(`node "fn1": storing context key "${key}" would pass its limit`), {
                code: 'CONTEXT_FULL',
                name: 'NodeError',
              });
            if (value === undefined) values.delete(key);
            else values.set(key, value);
          },
          keys: () => [...values.keys()],
        };
      };
      return { node: make(), flow: make(), global: make() };
    }

    it('reads and writes the node, flow and global scopes the host gives, as JSON data', () => {
      const state = recordingState();
      state.global.values.set('site', 'plant-3');
      const { sandbox: s } = sandbox(
        'context.set("n", (context.get("n") || 0) + 1);\nflow.set("last", { v: msg.payload });\nreturn { payload: [context.get("n"), global.get("site"), flow.keys(), context.keys()] };',
        { context: state },
      );
      s.run(message(4));
      expect(s.run(message(5))).toMatchObject({ payload: [2, 'plant-3', ['last'], ['n']] });
      expect(state.flow.values.get('last')).toEqual({ v: 5 });
    });

    it('keeps get/set values through a memory-limit rebuild; property-style state stays in the isolate', () => {
      const state = recordingState();
      const { sandbox: s } = sandbox(
        'if (msg.payload === "bomb") { const a = []; while (true) a.push(new Array(100000).fill(1)); }\ncontext.local = (context.local || 0) + 1;\ncontext.set("saved", (context.get("saved") || 0) + 1);\nreturn { payload: [context.local, context.get("saved")] };',
        { timeoutMs: 2000, context: state },
      );
      s.run(message(0));
      s.run(message(0));
      expect(failure(s, message('bomb')).code).toBe('FUNCTION_MEMORY');
      expect(s.run(message(0))).toMatchObject({ payload: [1, 3] });
      expect([...state.node.values.keys()]).toEqual(['saved']);
    });

    it.each([
      ['a function', 'context.set("f", { run: () => 1 })', '"run" is a function'],
      ['NaN', 'flow.set("x", [1, NaN])', '"1" is NaN'],
      ['a Date', 'global.set("d", new Date())', 'not a plain object'],
      ['a cycle', 'const a = {}; a.self = a; context.set("a", a)', 'nested deeper'],
      ['a key that is not a string', 'context.set(42, 1)', 'non-empty string'],
    ])('refuses %s inside the sandbox, naming it, and stores nothing', (_name, code, words) => {
      const state = recordingState();
      const err = failure(sandbox(`${code};\nreturn null;`, { context: state }).sandbox, message(1));
      expect(err.code).toBe('FUNCTION_ERROR');
      expect(err.message).toContain(words);
      expect(err.message).toContain('line 1');
      for (const scope of [state.node, state.flow, state.global]) expect(scope.values.size).toBe(0);
    });

    it('runs a getter of a stored value in the isolate, under the time limit, never on the host', () => {
      const state = recordingState();
      const err = failure(
        sandbox('context.set("x", { get loop() { while (true); } });\nreturn null;', { context: state }).sandbox,
        message(1),
      );
      expect(err.code).toBe('FUNCTION_TIMEOUT');
      expect(state.node.values.size).toBe(0);
    });

    it("passes the host's refusal (a full scope) to the code, which may catch it", () => {
      const state = recordingState();
      const { sandbox: s } = sandbox(
        'try { context.set("big", "x".repeat(100)); } catch (e) { return { payload: e.message }; }\nreturn null;',
        { context: state },
      );
      expect((s.run(message(1)) as Message).payload).toMatch(/would pass its limit \(CONTEXT_FULL\)/);
    });

    it('lets code declare its own flow and global, as in Node-RED (they are globals, not parameters)', () => {
      const { sandbox: s } = sandbox(
        'const flow = msg.payload * 2;\nlet global = 1;\nreturn { payload: flow + global };',
      );
      expect(s.run(message(4))).toMatchObject({ payload: 9 });
    });

    it('gives global only the context API: nothing of the host behind it', () => {
      const { sandbox: s } = sandbox(
        'return { payload: [Object.keys(global).sort(), typeof global.process, typeof global.constructor, Object.isFrozen(global)] };',
      );
      expect(s.run(message(1))).toMatchObject({ payload: [['get', 'keys', 'set'], 'undefined', 'undefined', true] });
    });
  });

  describe('node, console and context', () => {
    it('keeps state in context across messages', () => {
      const { sandbox: s } = sandbox(
        'context.count = (context.count || 0) + msg.payload;\nreturn { payload: context.count };',
      );
      expect([1, 2, 3].map((n) => (s.run(message(n)) as Message).payload)).toEqual([1, 3, 6]);
    });

    it('offers Node-RED style context.get and context.set (saved apart from property-style state)', () => {
      const { sandbox: s } = sandbox(
        'const seen = context.get("seen") || [];\nseen.push(msg.payload);\ncontext.set("seen", seen);\nreturn { payload: seen.length };',
      );
      s.run(message('a'));
      expect(s.run(message('b'))).toMatchObject({ payload: 2 });
    });

    it('starts with an empty context after the memory limit rebuilt the isolate', () => {
      const { sandbox: s } = sandbox(
        'if (msg.payload === "bomb") { const a = []; while (true) a.push(new Array(100000).fill(1)); }\ncontext.n = (context.n || 0) + 1;\nreturn { payload: context.n };',
        { timeoutMs: 2000 },
      );
      s.run(message(0));
      s.run(message(0));
      expect(failure(s, message('bomb')).code).toBe('FUNCTION_MEMORY');
      expect(s.run(message(0))).toMatchObject({ payload: 1 });
    });

    it('forwards node.log, node.warn, node.error and console to the host log', () => {
      const { sandbox: s, logs } = sandbox(
        'node.log("value", msg.payload);\nnode.warn({ high: true });\nnode.error("bad", 1);\nconsole.log("via console");\nconsole.debug("details");\nreturn null;',
      );
      s.run(message(42));
      expect(logs).toEqual([
        ['info', 'value 42'],
        ['warn', '{"high":true}'],
        ['error', 'bad 1'],
        ['info', 'via console'],
        ['debug', 'details'],
      ]);
    });

    it('keeps at most MAX_LOG_LINES_PER_MESSAGE log lines per message, and says so', () => {
      const { sandbox: s, logs } = sandbox('for (let i = 0; i < 500; i++) node.log("line " + i);\nreturn null;');
      s.run(message(1));
      expect(logs).toHaveLength(MAX_LOG_LINES_PER_MESSAGE + 1);
      expect(logs[MAX_LOG_LINES_PER_MESSAGE - 1]).toEqual(['info', `line ${MAX_LOG_LINES_PER_MESSAGE - 1}`]);
      expect(logs[MAX_LOG_LINES_PER_MESSAGE][0]).toBe('warn');
      s.run(message(2));
      expect(logs[MAX_LOG_LINES_PER_MESSAGE + 1]).toEqual(['info', 'line 0']);
    });

    it('delivers logs written before a timeout', () => {
      const { sandbox: s, logs } = sandbox('node.warn("starting");\nwhile (true) {}');
      expect(failure(s, message(1)).code).toBe('FUNCTION_TIMEOUT');
      expect(logs).toEqual([['warn', 'starting']]);
    });

    it('exposes the node id and name', () => {
      expect(sandbox('return { payload: [node.id, node.name] };').sandbox.run(message(0))).toMatchObject({
        payload: ['fn1', 'Doubler'],
      });
    });

    it('forwards node.status, and reports a bad one at the line that made it', () => {
      const { sandbox: s, statuses } = sandbox(
        'if (msg.payload === "bad") {\n  node.status({ state: "purple" });\n}\nnode.status({ state: "ok", text: "seen " + msg.payload });\nreturn null;',
      );
      s.run(message(3));
      expect(statuses).toEqual([{ state: 'ok', text: 'seen 3' }]);
      const err = failure(s, message('bad'));
      expect(err.code).toBe('FUNCTION_ERROR');
      expect(err.message).toContain('node.status: state must be one of');
      expect(err.details).toMatchObject({ line: 2 });
    });
  });

  describe('dispose', () => {
    it('is idempotent and makes later runs fail', () => {
      const { sandbox: s } = sandbox('return msg;');
      s.dispose();
      s.dispose();
      expect(() => s.run(message(1))).toThrow('disposed');
    });
  });
});

describe('toOutputMessages', () => {
  const input = message(1, { topic: 'in' });

  it('sends nothing for null and undefined', () => {
    expect(toOutputMessages(null, input)).toEqual([]);
    expect(toOutputMessages(undefined, input)).toEqual([]);
  });

  it('fills a missing timestamp and quality from the input message', () => {
    expect(toOutputMessages({ payload: 2 }, { ...input, quality: 'uncertain' })).toEqual([
      { payload: 2, timestamp: input.timestamp, quality: 'uncertain' },
    ]);
  });

  it('keeps a timestamp and quality the function set', () => {
    expect(toOutputMessages({ payload: 2, timestamp: 5, quality: 'bad' }, input)).toEqual([
      { payload: 2, timestamp: 5, quality: 'bad' },
    ]);
  });

  it('sends each message of an array in order, skipping nulls', () => {
    const out = toOutputMessages([{ payload: 'a' }, null, { payload: 'b' }], input);
    expect(out.map((m) => m.payload)).toEqual(['a', 'b']);
  });

  it.each([
    [42, 'The function returned a number (42)'],
    ['text', 'The function returned a string ("text")'],
    [{ value: 3 }, 'The function returned an object (fields: value) without a payload'],
    [[{ payload: 1 }, 7], 'Item 1 of the returned array is a number (7)'],
    [[[{ payload: 1 }]], 'Item 0 of the returned array is itself an array'],
    [{ payload: 1, quality: 'great' }, 'quality is a string ("great")'],
    [{ payload: 1, timestamp: 'now' }, 'timestamp is a string ("now")'],
    [{ payload: 1, topic: 5 }, 'topic is a number (5)'],
  ])('refuses %j with FUNCTION_RESULT', (result, expected) => {
    expect(() => toOutputMessages(result, input)).toThrow(expected);
    try {
      toOutputMessages(result, input);
    } catch (err) {
      expect((err as NodeError).code).toBe('FUNCTION_RESULT');
    }
  });
});

describe('toNodeStatus', () => {
  it('accepts a tagflow status and maps Node-RED fill colours', () => {
    expect(toNodeStatus({ state: 'error', text: 'jam' })).toEqual({ state: 'error', text: 'jam' });
    expect(toNodeStatus({ fill: 'red', shape: 'dot', text: 'jam' })).toEqual({ state: 'error', text: 'jam' });
    expect(toNodeStatus({ text: 12 })).toEqual({ state: 'ok', text: '12' });
  });

  it('refuses what is not a status', () => {
    expect(() => toNodeStatus(5)).toThrow('node.status expects an object');
    expect(() => toNodeStatus({ state: 'purple' })).toThrow('state must be one of');
  });
});

describe('userCodePosition', () => {
  it('finds the innermost user frame in a stack', () => {
    expect(
      userCodePosition(
        'TypeError: x\n    at JSON.parse (<anonymous>)\n    at function-code.js:4:12\n    at function-code.js:9:1',
      ),
    ).toEqual({ line: 4, column: 12 });
    expect(userCodePosition('Error: x\n    at host.js:1:1')).toBeUndefined();
  });
});
