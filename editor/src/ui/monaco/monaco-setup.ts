// Monaco is bundled with its workers (no CDN at edge sites) and handed to @monaco-editor/react.
import * as monaco from './monaco-slim';
import { loader } from '@monaco-editor/react';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/language/json/json.worker?worker';
import TsWorker from 'monaco-editor/language/typescript/ts.worker?worker';

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    if (label === 'json') return new JsonWorker();
    if (label === 'typescript' || label === 'javascript') return new TsWorker();
    return new EditorWorker();
  },
};

/** What a function node's code sees: declared so completion and hover work in the code field. */
const FUNCTION_NODE_TYPINGS = `
interface TagflowMessage {
  /** The value carried by the message (a number from a sensor, an object, text...). */
  payload: any;
  /** Tag or topic name, e.g. "pump3/flow". */
  topic?: string;
  /** Source time, milliseconds since 1970 (UTC). */
  timestamp?: number;
  /** Data quality of the value. */
  quality?: 'good' | 'uncertain' | 'bad';
  /** Engineering unit, e.g. "m3/h". */
  unit?: string;
  [key: string]: any;
}
interface TagflowNodeApi {
  /** Writes a line to the runtime log. */
  log(...args: any[]): void;
  warn(...args: any[]): void;
  error(...args: any[]): void;
  /** Sets the status shown under the node in the editor. */
  status(status: { state: 'ok' | 'idle' | 'connecting' | 'reconnecting' | 'disconnected' | 'error'; text?: string }): void;
  /** This node's id and name. */
  readonly id: string;
  readonly name?: string;
}
interface TagflowContextStore {
  /** A copy of the value kept under key (JSON data), or undefined; several keys give an array. */
  get(key: string | string[]): any;
  /** Keeps a copy of value (JSON data: no functions, NaN, dates or cycles) under key; undefined deletes it. */
  set(key: string | string[], value: any): void;
  /** The keys kept. */
  keys(): string[];
}
interface TagflowContext extends TagflowContextStore {
  /** Property style: kept in the sandbox only, emptied at each deploy. Use set/get to keep a value. */
  [key: string]: any;
}
/** The incoming message (a copy: changing it does not affect other nodes). Return a message, an array of messages, or null. */
declare const msg: TagflowMessage;
/** Logging and status for this node. */
declare const node: TagflowNodeApi;
/** This node's state: get/set/keys are kept by the runtime across redeploys and restarts. */
declare const context: TagflowContext;
/** State shared by every node of the flow, kept by the runtime. */
declare const flow: TagflowContextStore;
/** State shared by every flow of the runtime, kept by the runtime. */
declare const global: TagflowContextStore;
`;

monaco.typescript.javascriptDefaults.setCompilerOptions({
  target: monaco.typescript.ScriptTarget.ES2020,
  allowNonTsExtensions: true,
  noLib: false,
  lib: ['es2020'],
});
// The code is a function body: a top-level `return` is right, so TS error 1108 is not shown. And
// `flow` and `global` are globals that code may shadow (`const flow = msg.payload` runs), which
// Monaco, seeing one script, reports as a redeclaration (2451); the runtime's parse check still
// refuses a real duplicate declaration at deploy.
monaco.typescript.javascriptDefaults.setDiagnosticsOptions({
  noSemanticValidation: false,
  noSyntaxValidation: false,
  diagnosticCodesToIgnore: [1108, 2451],
});
monaco.typescript.javascriptDefaults.addExtraLib(FUNCTION_NODE_TYPINGS, 'ts:tagflow/function-node.d.ts');

loader.config({ monaco });

export { monaco };
