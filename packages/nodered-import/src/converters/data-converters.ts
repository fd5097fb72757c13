import type { ConverterResult } from '../conversion';
import { defined, simple, tagflowNode } from '../conversion';
import type { NodeRedObject } from '../nodered-export';
import { booleanOf, numberOf, textOf } from '../nodered-export';
import { durationMs } from './timing-converters';

/** json -> `json` (nodes/core): converts between a JSON text and an object, both ways by default. */
export function convertJson(node: NodeRedObject): ConverterResult {
  const action = textOf(node.action) ?? '';
  const config = defined({
    action: action === 'str' ? 'toText' : action === 'obj' ? 'toObject' : 'auto',
    property: textOf(node.property) ?? 'payload',
    pretty: booleanOf(node.pretty) === true || undefined,
  });
  return simple(tagflowNode(node.id, 'json', config, node));
}

/** split -> `split` (nodes/core): a text, list or object into one message per part. */
export function convertSplit(node: NodeRedObject): ConverterResult {
  const differences: string[] = [];
  const textType = textOf(node.spltType) ?? 'str';
  if (textType === 'bin') return { notConverted: 'it splits bytes on a byte sequence', useInstead: 'a function node' };
  if (booleanOf(node.stream) === true)
    differences.push('"handle as a stream" is not kept: each message is split on its own');
  const config = defined({
    property: textOf(node.property) ?? 'payload',
    textSeparator: textType === 'str' ? unescape(textOf(node.splt) ?? '\\n') : undefined,
    textLength: textType === 'len' ? numberOf(node.splt) : undefined,
    arrayLength: Math.max(1, numberOf(node.arraySplt) ?? 1),
    keyProperty: textOf(node.addname) || undefined,
  });
  return simple(tagflowNode(node.id, 'split', config, node), differences);
}

/** join -> `join` (nodes/core): the automatic mode (undoes a split) and the manual modes. */
export function convertJoin(node: NodeRedObject): ConverterResult {
  const mode = textOf(node.mode) ?? 'auto';
  if (mode === 'reduce')
    return { notConverted: 'it reduces a sequence with a JSONata expression', useInstead: 'an aggregate node' };
  const differences: string[] = [];
  const timeout = numberOf(node.timeout);
  const config = defined({
    mode: mode === 'auto' ? 'auto' : 'manual',
    build: mode === 'auto' ? undefined : (textOf(node.build) ?? 'array'),
    property: textOf(node.property) || undefined,
    key: textOf(node.key) || undefined,
    joiner: textOf(node.build) === 'string' ? unescape(textOf(node.joiner) ?? '\\n') : undefined,
    count: numberOf(node.count),
    timeoutMs: timeout !== undefined && timeout > 0 ? durationMs(timeout, 'seconds') : undefined,
    accumulate: booleanOf(node.accumulate) === true || undefined,
  });
  if (textOf(node.build) === 'buffer') differences.push('bytes are joined as lists of byte values');
  return simple(tagflowNode(node.id, 'join', config, node), differences);
}

/** file (write) -> `file-out`: appends to a file in the runtime's files folder. */
export function convertFile(node: NodeRedObject): ConverterResult {
  const name = textOf(node.filename) ?? '';
  if (name === '' || textOf(node.filenameType) === 'msg' || textOf(node.filenameType) === 'env')
    return {
      notConverted: 'it takes its file name from the message',
      useInstead: 'a file-out node with its file written in it',
    };
  const overwrite = String(node.overwriteFile ?? 'false');
  if (overwrite !== 'false')
    return {
      notConverted: overwrite === 'delete' ? 'it deletes the file' : 'it overwrites the file',
      useInstead: 'a file-out node (it appends)',
    };
  const differences = ['each payload is written as one line of JSON (a text in quotes), not as raw text'];
  // Files live under the runtime's files folder: an absolute Node-RED path becomes relative to it.
  const path = name.replace(/^([A-Za-z]:)?[\\/]+/, '');
  if (path !== name) differences.push(`the file is ${path} in the runtime's files folder, not ${name}`);
  const config = defined({ path, property: 'payload', createDir: booleanOf(node.createDir) === true ? true : false });
  return simple(tagflowNode(node.id, 'file-out', config, node), differences, false);
}

/** Node-RED keeps `\n`, `\t` as two characters in the separator field. */
function unescape(text: string): string {
  return text.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\r/g, '\r');
}
