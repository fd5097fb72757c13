import type { ConverterResult } from '../conversion';
import { defined, simple, tagflowNode } from '../conversion';
import type { NodeRedObject } from '../nodered-export';
import { booleanOf, numberOf, textOf } from '../nodered-export';
import { durationMs } from './timing-converters';

/** json -> `json` (nodes/core): converts between a JSON text and an object, both ways by default. */
export function convertJson(node: NodeRedObject): ConverterResult {
  const action = textOf(node.action) ?? '';
  const config = defined({
    action: action === 'str' || action === 'obj' ? action : 'auto',
    property: textOf(node.property) ?? 'payload',
    pretty: booleanOf(node.pretty) === true || undefined,
  });
  return simple(tagflowNode(node.id, 'json', config, node));
}

/** split -> `split` (nodes/core): a text, list or object into one message per part, with msg.parts. */
export function convertSplit(node: NodeRedObject): ConverterResult {
  const textType = textOf(node.spltType) ?? 'str';
  if (textType === 'bin')
    return {
      notConverted: 'it splits bytes at a byte sequence',
      useInstead: 'a split node at a text delimiter, or a function node',
    };
  const length = Math.round(numberOf(node.splt) ?? 1);
  const config = defined({
    property: textOf(node.property) || undefined,
    stringMode: textType === 'len' ? 'length' : undefined,
    delimiter: textType === 'str' ? unescape(textOf(node.splt) ?? '\\n') || undefined : undefined,
    length: textType === 'len' ? Math.max(1, length) : undefined,
    arrayLength: Math.max(1, Math.round(numberOf(node.arraySplt) ?? 1)),
    stream: booleanOf(node.stream) === true || undefined,
    keyProperty: textOf(node.addname) || undefined,
  });
  return simple(tagflowNode(node.id, 'split', config, node));
}

/** join -> `join` (nodes/core): the automatic mode (undoes a split) and the manual modes. */
export function convertJoin(node: NodeRedObject): ConverterResult {
  const mode = textOf(node.mode) ?? 'auto';
  if (mode === 'reduce')
    return { notConverted: 'it reduces a sequence with a JSONata expression', useInstead: 'an aggregate node' };
  const timeout = numberOf(node.timeout);
  const build = textOf(node.build) ?? 'array';
  const config =
    mode === 'auto'
      ? { mode: 'auto' }
      : defined({
          mode: 'manual',
          build,
          property: textOf(node.propertyType) === 'full' ? undefined : textOf(node.property) || undefined,
          wholeMessage: textOf(node.propertyType) === 'full' || undefined,
          keyProperty: build === 'object' ? textOf(node.key) || undefined : undefined,
          joiner: build === 'string' || build === 'buffer' ? unescape(textOf(node.joiner) ?? '\\n') : undefined,
          count: numberOf(node.count),
          accumulate: booleanOf(node.accumulate) === true || undefined,
          timeoutMs: timeout !== undefined && timeout > 0 ? durationMs(timeout, 'seconds') : undefined,
        });
  return simple(tagflowNode(node.id, 'join', config, node));
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
