import { flowSizeIssue, utf8Length } from './check-limits';
import { flowErrors } from './error-codes';
import type { FlowIssue } from './issues';
import { findJsonSyntaxError, lineColumn } from './json-syntax';

/** Outcome of `parseFlowJson`: the parsed value, or where and why the text is not JSON. */
export type ParseFlowJsonResult = { ok: true; value: unknown } | { ok: false; error: FlowIssue };

/**
 * Parses a flow file's text. A syntax error comes back as an `INVALID_JSON` issue whose message
 * gives the line and column and says in plain words what is wrong (e.g. a trailing comma); a text
 * over `MAX_FLOW_BYTES` (in UTF-8) as a `FLOW_TOO_LARGE` issue, without parsing it. The other
 * limits (depth, counts, lengths, numbers) are `validateFlow`'s first check.
 */
export function parseFlowJson(text: string): ParseFlowJsonResult {
  const tooLarge = flowSizeIssue(utf8Length(text));
  if (tooLarge) return { ok: false, error: tooLarge };
  // Editors on Windows may save a byte order mark, which JSON.parse refuses.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (err) {
    const found = findJsonSyntaxError(body) ?? { offset: 0, message: err instanceof Error ? err.message : String(err) };
    const { line, column } = lineColumn(body, found.offset);
    return {
      ok: false,
      error: {
        code: flowErrors.code.INVALID_JSON,
        path: '',
        line,
        column,
        message: `line ${line}, column ${column}: ${found.message}`,
      },
    };
  }
}
