import type ModbusRTU from 'modbus-serial';
import { NodeError } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import type { ModbusTable } from './read-plan';

/** How the connection paces and judges requests. */
export interface ConnectionOptions {
  /** Shown in error messages, e.g. `10.0.0.5:502 unit 1`. */
  device: string;
  /** A request without an answer after this long fails with MODBUS_TIMEOUT. */
  timeoutMs: number;
  /** Quiet time between the end of one request and the start of the next (slow devices, RS-485). */
  minGapMs: number;
  /** After this many timeouts in a row the connection is reported lost, so the runtime reconnects. */
  timeoutsBeforeLost: number;
  /** Releases the port or socket; called once. */
  closePort(): Promise<void>;
}

// Our own guard on top of modbus-serial's timeout: a destroyed port leaves its promises pending.
const GUARD_EXTRA_MS = 1000;

/**
 * One live Modbus connection (TCP socket or serial port), shared by every node naming the device.
 * modbus-serial matches one answer to one outstanding request, so requests go through a queue, one
 * at a time, whichever node sent them; `minGapMs` is kept between them. Failures come back as
 * NodeErrors with codes MODBUS_TIMEOUT, MODBUS_EXCEPTION (the device refused), MODBUS_DISCONNECTED
 * or MODBUS_ERROR. Reconnecting is not done here: a closed socket or repeated timeouts call
 * `onLost` once, and the runtime makes a new connection.
 */
export class ModbusConnection {
  /** Requests sent on this connection so far (diagnostics, tests). */
  requestCount = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private lastEnd = 0;
  private timeoutsInRow = 0;
  private lostReason: Error | undefined;
  private closing: Promise<void> | undefined;
  private readonly pending = new Set<(err: Error) => void>();

  constructor(
    private readonly client: ModbusRTU,
    readonly options: ConnectionOptions,
    private readonly onLost: (reason: Error) => void,
  ) {}

  /** Reads `count` coils or discrete inputs from `address` (FC 1 / FC 2). */
  readBits(table: ModbusTable, address: number, count: number): Promise<boolean[]> {
    const what = `read ${count} ${table}${count === 1 ? '' : 's'} at ${address}`;
    return this.request(what, async () => {
      const result =
        table === 'coil'
          ? await this.client.readCoils(address, count)
          : await this.client.readDiscreteInputs(address, count);
      // The answer is padded to whole bytes.
      return result.data.slice(0, count);
    });
  }

  /** Reads `count` holding or input registers from `address` (FC 3 / FC 4). */
  readRegisters(table: ModbusTable, address: number, count: number): Promise<number[]> {
    const what = `read ${count} ${table}${count === 1 ? '' : 's'} at ${address}`;
    return this.request(what, async () => {
      const result =
        table === 'holding-register'
          ? await this.client.readHoldingRegisters(address, count)
          : await this.client.readInputRegisters(address, count);
      return result.data;
    });
  }

  /** Writes one coil (FC 5). */
  async writeCoil(address: number, value: boolean): Promise<void> {
    await this.request(`write coil ${address}`, () => this.client.writeCoil(address, value));
  }

  /** Writes registers: FC 6 for one, FC 16 for several (multi-register values are written at once). */
  async writeRegisters(address: number, words: number[]): Promise<void> {
    const what = `write ${words.length} holding register${words.length === 1 ? '' : 's'} at ${address}`;
    await this.request<unknown>(what, () =>
      words.length === 1 ? this.client.writeRegister(address, words[0]) : this.client.writeRegisters(address, words),
    );
  }

  /** Fails what is queued and in flight, and closes the port. Idempotent. */
  close(): Promise<void> {
    this.fail(
      new NodeError(modbusErrors.code.MODBUS_DISCONNECTED, `the connection to ${this.options.device} was closed`),
    );
    this.closing ??= this.options.closePort();
    return this.closing;
  }

  /** Marks the connection dead (socket closed, device silent) and tells the runtime, once. */
  lose(reason: Error): void {
    if (this.lostReason) return;
    this.fail(
      new NodeError(
        modbusErrors.code.MODBUS_DISCONNECTED,
        `the connection to ${this.options.device} was lost: ${reason.message}`,
      ),
    );
    this.onLost(reason);
  }

  private fail(reason: Error): void {
    if (this.lostReason) return;
    this.lostReason = reason;
    for (const reject of this.pending) reject(reason);
    this.pending.clear();
  }

  private request<T>(what: string, operation: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => this.send(what, operation));
    // The queue carries on after a failed request; the failure goes to the caller of `run`.
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async send<T>(what: string, operation: () => Promise<T>): Promise<T> {
    const wait = this.lastEnd + this.options.minGapMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (this.lostReason) throw this.lostReason;
    this.requestCount++;
    try {
      const result = await this.guarded(operation);
      this.timeoutsInRow = 0;
      return result;
    } catch (err) {
      throw this.classify(err, what);
    } finally {
      this.lastEnd = Date.now();
    }
  }

  /** Runs the operation, failing it when the connection dies or modbus-serial never answers. */
  private guarded<T>(operation: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(Object.assign(new Error('Timed out'), { errno: 'ETIMEDOUT' })),
        this.options.timeoutMs + GUARD_EXTRA_MS,
      );
      const settle = () => {
        clearTimeout(timer);
        this.pending.delete(reject);
      };
      this.pending.add(reject);
      operation().then(
        (value) => {
          settle();
          resolve(value);
        },
        (err: unknown) => {
          settle();
          reject(err);
        },
      );
    });
  }

  private classify(err: unknown, what: string): Error {
    if (err instanceof NodeError) return err;
    const e = err as { message?: string; errno?: string; modbusCode?: number };
    const device = this.options.device;
    if (e.errno === 'ETIMEDOUT') {
      this.timeoutsInRow++;
      const error = new NodeError(
        modbusErrors.code.MODBUS_TIMEOUT,
        `${device} did not answer within ${this.options.timeoutMs} ms (${what})`,
        { timeoutsInRow: this.timeoutsInRow },
      );
      if (this.timeoutsInRow >= this.options.timeoutsBeforeLost)
        this.lose(new Error(`no answer to ${this.timeoutsInRow} requests in a row`));
      return error;
    }
    if (typeof e.modbusCode === 'number') {
      // An exception is an answer: the device is alive.
      this.timeoutsInRow = 0;
      return new NodeError(modbusErrors.code.MODBUS_EXCEPTION, `${device} refused to ${what}: ${e.message}`, {
        modbusCode: e.modbusCode,
      });
    }
    if (e.errno === 'ECONNREFUSED' && e.message === 'Port Not Open') {
      const error = new NodeError(modbusErrors.code.MODBUS_DISCONNECTED, `${device} is not connected (${what})`);
      this.lose(new Error('port not open'));
      return error;
    }
    return new NodeError(modbusErrors.code.MODBUS_ERROR, `${what} on ${device} failed: ${e.message ?? String(err)}`);
  }
}
