import { frameFlowId, statusIsFor } from '../src/state';

describe('frameFlowId', () => {
  it('names the flow of status, debug and node-error frames', () => {
    expect(frameFlowId({ flowId: 'alarms' })).toBe('alarms');
  });

  it('leaves runtime-wide frames (and those of a one-flow runtime) to every tab', () => {
    expect(frameFlowId({})).toBeUndefined();
    expect(frameFlowId({ flowId: '' })).toBeUndefined();
    expect(frameFlowId({ flowId: 42 })).toBeUndefined();
  });
});

describe('statusIsFor', () => {
  it('accepts only an answer about that flow', () => {
    expect(statusIsFor({ flow: { id: 'a' } }, 'a')).toBe(true);
    expect(statusIsFor({ flow: { id: 'a' } }, 'b')).toBe(false);
    expect(statusIsFor({ flow: null }, 'b')).toBe(false);
  });
});
