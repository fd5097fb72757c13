/**
 * Node-RED function code in tagflow's sandbox. The sandbox offers msg, node (id, name, log, warn,
 * error, status), context/flow/global get/set/keys and plain JavaScript; it runs synchronously
 * and has one output. So the code is kept as written and wrapped: `node.send` and `node.done`
 * are given by the wrapper (what was sent is sent when the code returns), several outputs become
 * a field `_nrOutput` a switch after the function routes on, `msg._msgid` is made up when missing.
 * What cannot be handled is flagged, line by line, in the report.
 */

/** One line of the code that behaves differently in tagflow, and how. */
export interface CodeNote {
  /** 1-based line in the Node-RED code. */
  line: number;
  /** Plain words: what happens to it. */
  note: string;
  /** true: handled by the wrapper (works as in Node-RED); false: behaves differently. */
  handled: boolean;
}

/** The field a multi-output function sets on each message, for the switch after it. */
export const OUTPUT_FIELD = '_nrOutput';
/**
 * The field carrying a subflow instance's properties to a function inside the subflow that calls
 * env.get: a change node before it sets it, the wrapper reads and removes it.
 */
export const ENV_FIELD = '_nrEnv';

interface LinePattern {
  test: RegExp;
  note: string;
  handled: boolean;
}

const PATTERNS: LinePattern[] = [
  {
    test: /\bnode\.send\s*\(/,
    note: 'node.send: collected and sent when the code returns (a send from a callback or timer is lost)',
    handled: true,
  },
  {
    test: /\bnode\.done\s*\(/,
    note: 'node.done: accepted; tagflow completes the message when the code returns',
    handled: true,
  },
  {
    test: /\bmsg\._msgid\b/,
    note: 'msg._msgid: tagflow messages have no id; the converted code gives each message one',
    handled: true,
  },
  {
    test: /\bnode\.error\s*\([^)]*,/,
    note: "node.error(text, msg): when the code sends nothing else for the message, catch nodes receive it as the message's error, as in Node-RED; otherwise it is only logged",
    handled: true,
  },
  {
    test: /\benv\.get\s*\(/,
    note: 'env.get: the sandbox has no environment; it returns undefined (write the value, or pass it in a message property set by a change node from a runtime variable)',
    handled: false,
  },
  {
    test: /\b(setTimeout|setInterval|clearTimeout|clearInterval|setImmediate)\s*\(/,
    note: 'timers do not exist in the sandbox (the code runs synchronously): use a delay or trigger node',
    handled: false,
  },
  {
    test: /\b(async|await)\b|\.then\s*\(|new\s+Promise\b/,
    note: 'asynchronous code: the sandbox runs synchronously, a returned Promise is an error',
    handled: false,
  },
  { test: /\bRED\./, note: 'RED.util and the RED object do not exist in the sandbox', handled: false },
  {
    test: /\b(require|Buffer|process)\b/,
    note: 'Node.js (require, Buffer, process) does not exist in the sandbox',
    handled: false,
  },
  {
    test: /\b(context|flow|global)\.(get|set)\s*\([^)]*,\s*(['"][^'"]*['"]|function|\(|[A-Za-z_$][\w$]*\s*=>)/,
    note: 'named context stores and callbacks are not supported: tagflow has one store and synchronous calls',
    handled: false,
  },
  {
    test: /\b(context|flow|global)\.(get|set)\s*\(\s*['"][^'"]*[.[][^'"]*['"]/,
    note: 'context keys are whole names in tagflow, not paths ("a.b" is one key)',
    handled: false,
  },
  {
    test: /\bnode\.(outputCount|path|alias)\b/,
    note: 'node.outputCount, node.path and node.alias do not exist in tagflow',
    handled: false,
  },
];

const TAB_ENV: LinePattern = {
  test: /\benv\.get\s*\(/,
  note: "env.get: reads the tab's env values, copied into the code (other names give undefined)",
  handled: true,
};

const SUBFLOW_ENV: LinePattern = {
  test: /\benv\.get\s*\(/,
  note: `env.get: reads the subflow instance's properties, which a change node before the function puts in ${ENV_FIELD} (other names give undefined)`,
  handled: true,
};

/**
 * The notes for each line of `code`. `env`: where env.get reads from, `tab` the tab's env values
 * copied into the code, `subflow` the instance's properties carried by the message.
 */
export function scanFunctionCode(code: string, env?: 'tab' | 'subflow'): CodeNote[] {
  const notes: CodeNote[] = [];
  const given = env === 'tab' ? TAB_ENV : env === 'subflow' ? SUBFLOW_ENV : undefined;
  const patterns = given ? PATTERNS.map((p) => (p.test.source === given.test.source ? given : p)) : PATTERNS;
  code.split(/\r?\n/).forEach((text, i) => {
    for (const pattern of patterns) {
      if (pattern.test.test(text)) notes.push({ line: i + 1, note: pattern.note, handled: pattern.handled });
    }
  });
  return notes;
}

/**
 * The Node-RED code wrapped for tagflow's function node. The original code runs unchanged as the
 * body of an inner function receiving a `node` that adds send and done; the wrapper turns what it
 * returned and sent into tagflow's answer: a list of messages (tagged with `_nrOutput` = output
 * number when `outputs` > 1). `env`: the values env.get answers (a tab's), or `message` to read
 * them from the message's ENV_FIELD (a subflow instance's, see ENV_FIELD).
 */
export function wrapFunctionCode(
  code: string,
  outputs: number,
  usesMsgId: boolean,
  env?: Record<string, unknown> | 'message',
): string {
  const multi = outputs > 1;
  const envLines =
    env === undefined || !/\benv\.get\s*\(/.test(code)
      ? []
      : env === 'message'
        ? [
            `const __env = msg.${ENV_FIELD} ?? {};`,
            `delete msg.${ENV_FIELD};`,
            'const env = { get: (name) => __env[name] };',
          ]
        : [`const env = { get: (name) => (${JSON.stringify(env)})[name] };`];
  return [
    '// Converted from a Node-RED function by tagflow import-nodered. The code between the markers is',
    "// the original; the lines around it give it Node-RED's node.send, node.done and outputs.",
    'const __sent = [];',
    'let __error;',
    'const __node = { id: node.id, name: node.name, log: node.log, warn: node.warn, status: node.status,',
    '  error: (...args) => { node.error(...args); if (args.length > 1 && __error === undefined) __error = args[0]; },',
    '  send: (m) => { __sent.push(m); }, done: () => {} };',
    ...envLines,
    ...(usesMsgId
      ? [
          "if (msg._msgid === undefined) msg._msgid = Math.random().toString(16).slice(2, 10) + '.' + Math.random().toString(16).slice(2, 8);",
        ]
      : []),
    'const __returned = (function (msg, node) {',
    '// ---- Node-RED code ----',
    code,
    '// ---- end of Node-RED code ----',
    '})(msg, __node);',
    '__sent.push(__returned);',
    '// Node-RED: a result is a message, or a list with one entry per output (each a message, a list or null).',
    'const __out = [];',
    'for (const result of __sent) {',
    '  if (result === null || result === undefined) continue;',
    '  const perOutput = Array.isArray(result) ? result : [result];',
    `  for (let i = 0; i < Math.min(perOutput.length, ${outputs}); i++) {`,
    '    const entry = perOutput[i];',
    '    for (const m of Array.isArray(entry) ? entry : [entry]) {',
    '      if (m === null || m === undefined) continue;',
    multi ? `      __out.push({ ...m, ${OUTPUT_FIELD}: i + 1 });` : '      __out.push(m);',
    '    }',
    '  }',
    '}',
    "// Node-RED's node.error(err, msg) reaches catch nodes: here a thrown error does, when nothing was sent.",
    'if (__out.length === 0 && __error !== undefined) throw __error instanceof Error ? __error : new Error(String(__error));',
    'return __out;',
  ].join('\n');
}
