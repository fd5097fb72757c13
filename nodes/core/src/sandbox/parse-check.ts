import { compileFunction } from 'node:vm';
import type { ConfigProblem } from '@tagflow/node-sdk';
import { USER_CODE_FILE } from './isolate-source';
import { syntaxError } from './sandbox-errors';

/**
 * Parses a function node's code without running it, so that `validate`, the editor and a deploy
 * refuse a syntax error before any isolate exists. The code is compiled (never called) as the
 * body of a function of `msg, node, context`, the form the sandbox gives it; compiling the body on
 * its own also refuses code that closes that function early (`}); (function () {`), which the
 * sandbox's wrapper alone would accept. The words are the sandbox's (`syntaxError`).
 */
export function functionCodeProblems(code: string): ConfigProblem[] {
  try {
    compileFunction(code, ['msg', 'node', 'context'], { filename: USER_CODE_FILE });
    return [];
  } catch (err) {
    // By name: under a test runner the error may come from another realm's SyntaxError.
    const failure = err as Partial<Error> | null;
    if (typeof failure !== 'object' || failure === null || failure.name !== 'SyntaxError') throw err;
    const error = syntaxError(`${String(failure.message)}${position(failure.stack)}`);
    return [{ path: '/code', message: error.message, code: error.code }];
  }
}

/**
 * ` [function-code.js:line:column]`, as isolated-vm appends to a compile error, from V8's
 * SyntaxError stack: `function-code.js:2`, the line's text, then a caret under the column.
 */
function position(stack: string | undefined): string {
  const lines = (stack ?? '').split('\n');
  const line = new RegExp(`^${USER_CODE_FILE.replace(/\./g, '\\.')}:(\\d+)$`).exec(lines[0] ?? '');
  if (!line) return '';
  const caret = (lines[2] ?? '').indexOf('^');
  return ` [${USER_CODE_FILE}:${line[1]}:${caret >= 0 ? caret + 1 : 1}]`;
}
