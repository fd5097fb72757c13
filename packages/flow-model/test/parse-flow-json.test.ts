import { parseFlowJson } from '../src';
import type { FlowIssue } from '../src';

function errorOf(text: string): FlowIssue {
  const result = parseFlowJson(text);
  if (result.ok) throw new Error('expected a syntax error');
  return result.error;
}

describe('parseFlowJson', () => {
  it('parses valid JSON, also with a byte order mark', () => {
    expect(parseFlowJson('{"id": "a", "nodes": [1, 2.5e3, -0.5, true, null, "x\\n\\u00e9"]}')).toEqual({
      ok: true,
      value: { id: 'a', nodes: [1, 2500, -0.5, true, null, 'x\né'] },
    });
    expect(parseFlowJson('\uFEFF{"id": "a"}')).toEqual({ ok: true, value: { id: 'a' } });
  });

  it('locates a trailing comma and says what to do', () => {
    const text = '{\n  "id": "a",\n  "nodes": [1, 2],\n}';
    expect(errorOf(text)).toEqual({
      code: 'INVALID_JSON',
      path: '',
      line: 3,
      column: 18,
      message: 'line 3, column 18: trailing comma: remove the "," before "}"',
    });
  });

  it('points at a missing comma between fields', () => {
    const error = errorOf('{\n  "id": "a"\n  "name": "b"\n}');
    expect(error).toMatchObject({ line: 3, column: 3 });
    expect(error.message).toBe(
      'line 3, column 3: expected "," or "}" after the value of "id", found "\\"" (is a comma missing?)',
    );
  });

  it.each([
    ["{'id': 'a'}", 1, 2, 'field names must be in double quotes ("), not single quotes (\')'],
    ['{"id": \'a\'}', 1, 8, 'text must be in double quotes ("), not single quotes (\')'],
    ['{id: "a"}', 1, 2, 'field names must be in double quotes, e.g. "name": ...'],
    ['{\n  // pump\n  "id": "a"\n}', 2, 3, 'comments are not allowed in JSON'],
    ['{"n": [1, 2,]}', 1, 12, 'trailing comma: remove the "," before "]"'],
    ['{"n": 07}', 1, 7, 'numbers must not start with 0'],
    ['{"path": "C:\\data"}', 1, 13, 'invalid escape "\\d" in text; write a backslash as "\\\\"'],
    ['{"id": "a"', 1, 11, 'the text ends before the object opened at line 1, column 1 is closed: a "}" is missing'],
    ['{"id": "abc', 1, 8, 'the text in quotes starting at line 1, column 8 is never closed'],
    ['{"on": yes}', 1, 8, 'unexpected word "yes"'],
    ['{"a": 1}}', 1, 9, 'unexpected "}" after the end of the JSON data'],
    ['   ', 1, 1, 'the text is empty'],
  ])('explains %j at line %i, column %i', (text, line, column, words) => {
    const error = errorOf(text);
    expect([error.line, error.column]).toEqual([line, column]);
    expect(error.message).toContain(words);
    expect(error.message.startsWith(`line ${line}, column ${column}: `)).toBe(true);
  });
});
