import { connectionLoss } from '../src/connection-loss';

describe('connectionLoss', () => {
  it('settles as the work does while the connection lasts', async () => {
    const loss = connectionLoss();
    await expect(loss.unlessLost(Promise.resolve('acked'))).resolves.toBe('acked');
    await expect(loss.unlessLost(Promise.reject(new Error('refused')))).rejects.toThrow('refused');
  });

  it('fails the wait under way the moment the connection is lost, and every later one', async () => {
    const loss = connectionLoss();
    const never = new Promise<never>(() => undefined);
    const waiting = loss.unlessLost(never);
    loss.fail(new Error('connection closed'));
    await expect(waiting).rejects.toThrow('connection closed');
    await expect(loss.unlessLost(Promise.resolve(1))).rejects.toThrow('connection closed');
  });

  it('keeps the first reason, and a late failure of the work after the loss is no unhandled rejection', async () => {
    const loss = connectionLoss();
    let failWork: (err: Error) => void = () => undefined;
    const work = new Promise<never>((_, reject) => (failWork = reject));
    const waiting = loss.unlessLost(work);
    loss.fail(new Error('first'));
    loss.fail(new Error('second'));
    await expect(waiting).rejects.toThrow('first');
    failWork(new Error('publish timed out'));
    await new Promise((resolve) => setImmediate(resolve));
  });
});
