/** Longest error message a person is expected to read; longer ones carry a value they should not. */
export const MAX_MESSAGE_LENGTH = 2000;

/**
 * What is wrong with an error message meant for people, or undefined when it reads as plain words:
 * a non-empty string, with no accidental `undefined` or `[object Object]` from a template, no
 * stack trace or raw JavaScript error name, and bounded in length.
 * Quoted text is left out (it is data); `missing (undefined)` is the deliberate wording of the core nodes for a missing payload.
 */
export function plainWordsProblem(message: unknown): string | undefined {
  if (typeof message !== 'string') return `the message is not text but ${typeof message}`;
  if (message.trim() === '') return 'the message is empty';
  if (message.length > MAX_MESSAGE_LENGTH) return `the message is ${message.length} characters long`;
  // Quoted text is the user's own data (a payload of "undefined" is shown as such): look outside it.
  const words = message.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  if (/\[object \w+\]/.test(words)) return 'the message shows "[object ...]" (an object put into text)';
  if (/(?<!missing \()\bundefined\b/.test(words))
    return 'the message shows "undefined" (a missing value put into text)';
  if (/\n\s+at .+:\d+/.test(message)) return 'the message holds a stack trace';
  if (/\b(TypeError|ReferenceError|RangeError|SyntaxError): /.test(message))
    return 'the message is a raw JavaScript error';
  return undefined;
}

/** Fails with the message's problem, quoting it (cut), when it is not plain words. */
export function expectPlainWords(message: unknown, where: string): void {
  const problem = plainWordsProblem(message);
  if (problem === undefined) return;
  const shown = typeof message === 'string' ? JSON.stringify(message.slice(0, 300)) : String(message);
  throw new Error(`${where}: ${problem}: ${shown}`);
}
