import type ModbusRTU from 'modbus-serial';
import { isNodeError } from '@tagflow/node-sdk';
import { ModbusConnection } from '../src/modbus-connection';

/** A stand-in for modbus-serial that answers each read after `delayMs`, or fails as told. */
function fakeClient(delayMs: number, answers: Array<'ok' | 'timeout' | 'exception'> = []) {
  const stats = { inFlight: 0, maxInFlight: 0, order: [] as number[] };
  const client = {
    readHoldingRegisters: (address: number, count: number) => {
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      stats.order.push(address);
      const answer = answers.shift() ?? 'ok';
      return new Promise((resolve, reject) =>
        setTimeout(() => {
          stats.inFlight--;
          if (answer === 'timeout') reject(Object.assign(new Error('Timed out'), { errno: 'ETIMEDOUT' }));
          else if (answer === 'exception')
            reject(Object.assign(new Error('Modbus exception 2: Illegal data address'), { modbusCode: 2 }));
          else resolve({ data: Array.from({ length: count }, (_, i) => address + i), buffer: Buffer.alloc(0) });
        }, delayMs),
      );
    },
  };
  return { client: client as unknown as ModbusRTU, stats };
}

const options = {
  device: 'test:502 unit 1',
  timeoutMs: 200,
  minGapMs: 0,
  timeoutsBeforeLost: 3,
  closePort: async () => undefined,
};

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isNodeError(err) ? err.code : `not a NodeError: ${String(err)}`;
  }
}

describe('modbus-connection', () => {
  it('sends one request at a time, in call order, whoever calls', async () => {
    const { client, stats } = fakeClient(20);
    const conn = new ModbusConnection(client, options, () => undefined);
    const results = await Promise.all([10, 20, 30, 40].map((a) => conn.readRegisters('holding-register', a, 2)));
    expect(results).toEqual([
      [10, 11],
      [20, 21],
      [30, 31],
      [40, 41],
    ]);
    expect(stats).toMatchObject({ maxInFlight: 1, order: [10, 20, 30, 40] });
    expect(conn.requestCount).toBe(4);
  });

  it('keeps minGapMs between the end of one request and the start of the next', async () => {
    const { client } = fakeClient(5);
    const conn = new ModbusConnection(client, { ...options, minGapMs: 80 }, () => undefined);
    const started = Date.now();
    await Promise.all([1, 2, 3].map((a) => conn.readRegisters('holding-register', a, 1)));
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 80 + 3 * 5 - 5);
  });

  it('reports the connection lost after timeoutsBeforeLost timeouts in a row, once; a success resets the count', async () => {
    const { client } = fakeClient(1, [
      'timeout',
      'timeout',
      'ok',
      'timeout',
      'timeout',
      'exception',
      'timeout',
      'timeout',
      'timeout',
    ]);
    const lost: Error[] = [];
    const conn = new ModbusConnection(client, options, (reason) => lost.push(reason));
    const codes = [];
    for (let i = 0; i < 8; i++) codes.push(await codeOf(conn.readRegisters('holding-register', i, 1)));
    // An exception is an answer: the device is alive, so it does not count towards the loss.
    expect(codes).toEqual([
      'MODBUS_TIMEOUT',
      'MODBUS_TIMEOUT',
      'resolved',
      'MODBUS_TIMEOUT',
      'MODBUS_TIMEOUT',
      'MODBUS_EXCEPTION',
      'MODBUS_TIMEOUT',
      'MODBUS_TIMEOUT',
    ]);
    expect(lost).toEqual([]);
    expect(await codeOf(conn.readRegisters('holding-register', 8, 1))).toBe('MODBUS_TIMEOUT');
    expect(lost.map((e) => e.message)).toEqual(['no answer to 3 requests in a row']);
    // A lost connection fails at once, without sending.
    expect(await codeOf(conn.readRegisters('holding-register', 9, 1))).toBe('MODBUS_DISCONNECTED');
    expect(lost).toHaveLength(1);
  });

  it('fails queued and in-flight requests when closed', async () => {
    const { client } = fakeClient(100);
    let closed = 0;
    const conn = new ModbusConnection(client, { ...options, closePort: async () => void closed++ }, () => undefined);
    const pending = [1, 2, 3].map((a) => codeOf(conn.readRegisters('holding-register', a, 1)));
    await new Promise((r) => setTimeout(r, 10));
    await Promise.all([conn.close(), conn.close()]);
    expect(await Promise.all(pending)).toEqual(['MODBUS_DISCONNECTED', 'MODBUS_DISCONNECTED', 'MODBUS_DISCONNECTED']);
    expect(closed).toBe(1);
  });
});
