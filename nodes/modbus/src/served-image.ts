import type { IServiceVector } from 'modbus-serial';
import type { NodeLogger } from '@tagflow/node-sdk';
import { ModbusException } from './register-map';
import type { ClientWrite, RegisterMap } from './register-map';

/** Server device failure: what a request answers when the server itself failed (a bug, logged with its stack). */
const SERVER_DEVICE_FAILURE = 4;

/** One per-bit call of modbus-serial's server, waiting for the rest of its request. */
interface BitCall {
  kind: 'coil' | 'discrete-input' | 'write-coil';
  address: number;
  value: boolean;
  resolve(result: boolean | undefined): void;
  reject(err: Error): void;
}

/** What the modbus-serve nodes read off a server for their status. */
export interface ServerCounters {
  /** Requests from Modbus clients answered with data. */
  answered: number;
  /** Requests from Modbus clients answered with an exception. */
  refused: number;
  /** Why the last refused request was refused, in words with its exception code. */
  lastRefusal?: string;
  /** Tags written by clients (one per tag a write covered). */
  clientWrites: number;
}

/**
 * A listening modbus-server as its nodes see it: the register image, the writes clients make, and
 * counts of what was answered and refused. The resource creates one per listening socket; it knows
 * nothing of sockets itself (its `vector` is handed to modbus-serial's ServerTCP).
 */
export class ServedImage {
  readonly counters: ServerCounters = { answered: 0, refused: 0, clientWrites: 0 };
  private readonly writeListeners = new Set<(writes: ClientWrite[]) => void>();
  private pendingBits: BitCall[] = [];
  private readonly logged = new Set<string>();

  constructor(
    readonly map: RegisterMap,
    /** `127.0.0.1:5020`: where clients reach it. */
    readonly endpoint: string,
    private readonly log: NodeLogger,
  ) {}

  /** Calls `listener` with the tags each accepted client write changed. Returns a remover. */
  onWrite(listener: (writes: ClientWrite[]) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /** The callbacks modbus-serial's server calls for each request (synchronous, or a Promise for coil writes). */
  vector(): IServiceVector {
    return {
      getCoil: (address: number) => this.bitCall('coil', address) as Promise<boolean>,
      getDiscreteInput: (address: number) => this.bitCall('discrete-input', address) as Promise<boolean>,
      getHoldingRegister: (address: number) =>
        this.answer(() => this.map.readRegisters('holding-register', address, 1)[0]),
      getMultipleHoldingRegisters: (address: number, length: number) =>
        this.answer(() => this.map.readRegisters('holding-register', address, length)),
      getInputRegister: (address: number) => this.answer(() => this.map.readRegisters('input-register', address, 1)[0]),
      getMultipleInputRegisters: (address: number, length: number) =>
        this.answer(() => this.map.readRegisters('input-register', address, length)),
      setRegister: (address: number, value: number) => {
        this.answer(() => this.written(this.map.writeRegisters(address, [value])));
      },
      setRegisterArray: (address: number, values: number[]) => {
        this.answer(() => this.written(this.map.writeRegisters(address, values)));
      },
      setCoil: (address: number, value: boolean) => this.bitCall('write-coil', address, value) as Promise<void>,
    };
  }

  /**
   * modbus-serial calls getCoil, getDiscreteInput or setCoil once per bit of a request, all in one
   * synchronous loop. Collecting the calls of that loop and answering them in a microtask makes a
   * request one unit: counted once, checked against the protocol's limit, and for FC 15 written
   * whole (either every coil is written or the request is refused and none is).
   */
  private bitCall(kind: BitCall['kind'], address: number, value = false): Promise<boolean | void> {
    return new Promise((resolve, reject) => {
      if (this.pendingBits.length === 0) queueMicrotask(() => this.flushBits());
      this.pendingBits.push({ kind, address, value, resolve, reject });
    });
  }

  private flushBits(): void {
    const batch = this.pendingBits;
    this.pendingBits = [];
    const { kind, address } = batch[0];
    let results: boolean[] | undefined;
    try {
      if (kind === 'write-coil')
        this.answer(() =>
          this.written(
            this.map.writeCoils(
              address,
              batch.map((c) => c.value),
            ),
          ),
        );
      else results = this.answer(() => this.map.readBits(kind, address, batch.length));
    } catch (err) {
      for (const call of batch) call.reject(err as Error);
      return;
    }
    batch.forEach((call, i) => call.resolve(results?.[i]));
  }

  private written(writes: ClientWrite[]): void {
    this.counters.clientWrites += writes.length;
    for (const listener of this.writeListeners) {
      try {
        listener(writes);
      } catch (err) {
        this.log.error('a modbus-serve node failed to take a client write', { error: String(err) });
      }
    }
  }

  /** Runs one request against the image, counting it; what it refuses becomes a Modbus exception. */
  private answer<T>(request: () => T): T {
    try {
      const result = request();
      this.counters.answered++;
      return result;
    } catch (err) {
      this.counters.refused++;
      const refusal =
        err instanceof ModbusException
          ? err
          : new ModbusException(SERVER_DEVICE_FAILURE, `the server failed: ${(err as Error).message}`);
      if (!(err instanceof ModbusException))
        this.log.error('modbus-server failed to answer a request', { stack: (err as Error).stack });
      this.counters.lastRefusal = `${refusal.message} (exception ${refusal.modbusErrorCode})`;
      // A client polling a wrong address does so every second: each reason is logged once.
      if (!this.logged.has(refusal.message) && this.logged.size < 100) {
        this.logged.add(refusal.message);
        this.log.warn(`refused a client request: ${this.counters.lastRefusal}`, { endpoint: this.endpoint });
      }
      throw refusal;
    }
  }
}
