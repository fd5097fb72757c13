import { formatIssue, formatIssues, validateFlow } from '../src';
import { smallFlow } from './helpers';
import { mapCatalog } from './test-catalog';

describe('formatIssue', () => {
  it('prints one readable line with the path in front, ending with the code', () => {
    const flow = smallFlow();
    flow.nodes[1].config = { window: { count: 0 } };
    const result = validateFlow(flow, mapCatalog());
    if (result.ok) throw new Error('expected errors');
    expect(formatIssue(result.errors[0])).toBe(
      '/nodes/1/config/window/count: node "avg" (moving-average): Window › Values must be at least 1 (you typed 0) [CONFIG_INVALID]',
    );
  });

  it('adds the path when the message does not give it, and keeps to one line', () => {
    expect(
      formatIssue({
        code: 'RESOURCE_START_FAILED',
        path: '/resources/0',
        message: 'resource "b" could not start:\n  connection refused',
      }),
    ).toBe('/resources/0: resource "b" could not start: connection refused [RESOURCE_START_FAILED]');
    expect(formatIssue({ code: 'X', path: '', message: 'whole flow' })).toBe('whole flow [X]');
  });

  it('prints several issues one per line', () => {
    const text = formatIssues([
      { code: 'A', path: '/a', message: 'first at /a' },
      { code: 'B', path: '/b', message: 'second at /b' },
    ]);
    expect(text).toBe('first at /a [A]\nsecond at /b [B]');
    expect(formatIssues([])).toBe('');
  });
});
