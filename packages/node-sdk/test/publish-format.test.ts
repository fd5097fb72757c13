import { createMessage } from '../src/message';
import { publishBody } from '../src/publish-format';

describe('publishBody', () => {
  it('writes the payload as JSON by default, numbers as JSON.stringify would', () => {
    for (const payload of [41.7, -0, 1e21, 5e-7, 0, NaN, Infinity, 'text', { a: [1, 2] }, null, true])
      expect(publishBody('json', createMessage(payload))).toBe(JSON.stringify(payload));
    expect(publishBody('json', createMessage(undefined))).toBe('null');
  });

  it('writes the payload as text, or the whole message as JSON', () => {
    const msg = { ...createMessage(41.7), topic: 'plant/flow' };
    expect(publishBody('string', msg)).toBe('41.7');
    expect(JSON.parse(publishBody('message', msg))).toEqual(JSON.parse(JSON.stringify(msg)));
  });
});
