import { NodeError } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import { MAX_BITS_PER_REQUEST, MAX_REGISTERS_PER_REQUEST } from './read-plan';
import type { ModbusTable } from './read-plan';
import type { TagValue } from './register-codec';
import type { ServedTag } from './server-config';
import { span } from './server-config';
import { decodeTagValue, encodeTagValue } from './tag-value';

/** Modbus exception codes a server answers with (Modbus application protocol, section 7). */
export const EXCEPTION = {
  ILLEGAL_DATA_ADDRESS: 2,
  ILLEGAL_DATA_VALUE: 3,
  GATEWAY_TARGET_FAILED: 11,
} as const;

/**
 * A request the server refuses: answered with Modbus exception `modbusErrorCode` (the property
 * modbus-serial's server reads), with `message` saying why in words for the log and the status.
 */
export class ModbusException extends Error {
  constructor(
    readonly modbusErrorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'ModbusException';
  }
}

/** What a served tag holds now. */
interface TagState {
  tag: ServedTag;
  /** The value as the wire holds it; undefined until the tag first has a value. */
  wire?: boolean | number[];
  /** The engineering value of `wire`. */
  value?: TagValue;
  /** The flow said the value is bad (quality bad, or null). */
  bad: boolean;
}

/** A tag a client wrote, with its new engineering value. */
export interface ClientWrite {
  tag: ServedTag;
  value: TagValue;
}

export interface RegisterMapOptions {
  /** exception: a read covering a tag of bad quality answers exception 11; keep-last: its last value. */
  badQuality: 'exception' | 'keep-last';
  /** exception: a read of an address no tag serves answers exception 2; zero: 0 (false), as some devices do. */
  unmapped: 'exception' | 'zero';
}

/**
 * The register image a modbus-server serves: every tag's current value in its wire form, found by
 * table and address. Reads and client writes either succeed whole or throw a ModbusException
 * (nothing is half-written); values from the flow are checked by the same codec modbus-write uses.
 * No I/O: the resource wires it to modbus-serial's server.
 */
export class RegisterMap {
  private readonly byName = new Map<string, TagState>();
  private readonly byAddress = new Map<ModbusTable, Map<number, { state: TagState; offset: number }>>();

  constructor(
    tags: readonly ServedTag[],
    private readonly options: RegisterMapOptions,
  ) {
    for (const tag of tags) {
      const state: TagState = { tag, bad: false };
      if (tag.initial !== undefined) {
        state.wire = encodeTagValue(tag, tag.initial);
        state.value = tag.initial;
      }
      this.byName.set(tag.name, state);
      let table = this.byAddress.get(tag.table);
      if (!table) {
        table = new Map<number, { state: TagState; offset: number }>();
        this.byAddress.set(tag.table, table);
      }
      for (let offset = 0; offset < tag.count; offset++) table.set(tag.address + offset, { state, offset });
    }
  }

  /** The tags served, in config order. */
  tags(): ServedTag[] {
    return [...this.byName.values()].map((s) => s.tag);
  }

  /** The served tag of that name, if any. */
  tag(name: string): ServedTag | undefined {
    return this.byName.get(name)?.tag;
  }

  /** A tag's current engineering value and whether the flow marked it bad (tests, status). */
  valueOf(name: string): { value?: TagValue; bad: boolean } | undefined {
    const state = this.byName.get(name);
    return state && { value: state.value, bad: state.bad };
  }

  /**
   * Sets a tag from the flow. `bad` marks it bad quality (its value, if any, is ignored). Throws a
   * NodeError, changing nothing, when the tag is unknown or the value does not fit its type.
   */
  set(name: string, value: unknown, bad: boolean): void {
    const state = this.byName.get(name);
    if (!state)
      throw new NodeError(
        modbusErrors.code.MODBUS_UNKNOWN_TAG,
        `the modbus-server serves no tag named "${name}" (it serves ${this.nameList()})`,
        { tag: name },
      );
    if (bad) {
      state.bad = true;
      return;
    }
    state.wire = encodeTagValue(state.tag, value);
    state.value = value as TagValue;
    state.bad = false;
  }

  /** Registers for FC 3 / FC 4: `count` words from `address`, or a ModbusException. */
  readRegisters(table: 'holding-register' | 'input-register', address: number, count: number): number[] {
    if (count < 1 || count > MAX_REGISTERS_PER_REQUEST)
      throw new ModbusException(
        EXCEPTION.ILLEGAL_DATA_VALUE,
        `a read of ${count} ${table}s: a request reads 1 to ${MAX_REGISTERS_PER_REQUEST}`,
      );
    const words = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const found = this.byAddress.get(table)?.get(address + i);
      if (!found) {
        words[i] = this.unmapped(table, address + i, 0);
        continue;
      }
      words[i] = (this.readable(found.state) as number[])[found.offset];
    }
    return words;
  }

  /** Coils or discrete inputs for FC 1 / FC 2: `count` bits from `address`, or a ModbusException. */
  readBits(table: 'coil' | 'discrete-input', address: number, count: number): boolean[] {
    if (count < 1 || count > MAX_BITS_PER_REQUEST)
      throw new ModbusException(
        EXCEPTION.ILLEGAL_DATA_VALUE,
        `a read of ${count} ${table}s: a request reads 1 to ${MAX_BITS_PER_REQUEST}`,
      );
    const bits = new Array<boolean>(count);
    for (let i = 0; i < count; i++) {
      const found = this.byAddress.get(table)?.get(address + i);
      bits[i] = found ? (this.readable(found.state) as boolean) : this.unmapped(table, address + i, false);
    }
    return bits;
  }

  /**
   * A client's write of holding registers (FC 6 / FC 16) from `address`: every register must belong
   * to a writable tag, and every tag it touches must be written whole (a float32 half-written would
   * serve a value nobody sent). Applied only when all of it is acceptable; returns the tags written.
   */
  writeRegisters(address: number, words: readonly number[]): ClientWrite[] {
    const touched = this.touched('holding-register', address, words.length);
    const decoded = touched.map((state) => {
      const slice = words.slice(state.tag.address - address, state.tag.address - address + state.tag.count);
      const value = decodeTagValue(state.tag, slice);
      if (typeof value === 'number' && !Number.isFinite(value))
        throw new ModbusException(
          EXCEPTION.ILLEGAL_DATA_VALUE,
          `a client wrote ${value} to tag "${state.tag.name}" (${span(state.tag)}), which is no value`,
        );
      return { state, slice, value };
    });
    return decoded.map(({ state, slice, value }) => {
      state.wire = slice;
      state.value = value;
      state.bad = false;
      return { tag: state.tag, value };
    });
  }

  /** A client's write of coils (FC 5 / FC 15) from `address`; same rules as `writeRegisters`. */
  writeCoils(address: number, bits: readonly boolean[]): ClientWrite[] {
    return this.touched('coil', address, bits.length).map((state) => {
      const value = bits[state.tag.address - address];
      state.wire = value;
      state.value = value;
      state.bad = false;
      return { tag: state.tag, value };
    });
  }

  /** The tags a write of `count` from `address` covers, each whole and writable; else a ModbusException. */
  private touched(table: 'holding-register' | 'coil', address: number, count: number): TagState[] {
    const limit = table === 'coil' ? MAX_BITS_PER_REQUEST : MAX_REGISTERS_PER_REQUEST;
    if (count < 1 || count > limit)
      throw new ModbusException(
        EXCEPTION.ILLEGAL_DATA_VALUE,
        `a write of ${count} ${table}s: a request writes 1 to ${limit}`,
      );
    const states: TagState[] = [];
    for (let i = 0; i < count; i++) {
      const found = this.byAddress.get(table)?.get(address + i);
      if (!found)
        throw new ModbusException(
          EXCEPTION.ILLEGAL_DATA_ADDRESS,
          `a client wrote ${table} ${address + i}, which no tag serves`,
        );
      const { tag } = found.state;
      if (!tag.writable)
        throw new ModbusException(
          EXCEPTION.ILLEGAL_DATA_ADDRESS,
          `a client wrote tag "${tag.name}" (${span(tag)}), which is read-only (writable is off)`,
        );
      if (tag.address < address || tag.address + tag.count > address + count)
        throw new ModbusException(
          EXCEPTION.ILLEGAL_DATA_ADDRESS,
          `a client wrote part of tag "${tag.name}" (${span(tag)}): a ${tag.type} is written whole, in one request (FC 16)`,
        );
      if (states[states.length - 1] !== found.state) states.push(found.state);
    }
    return states;
  }

  /** The wire value a read may serve, or the exception a tag without a good value answers. */
  private readable(state: TagState): boolean | number[] {
    if (state.wire === undefined)
      throw new ModbusException(
        EXCEPTION.GATEWAY_TARGET_FAILED,
        `tag "${state.tag.name}" (${span(state.tag)}) has no value yet`,
      );
    if (state.bad && this.options.badQuality === 'exception')
      throw new ModbusException(
        EXCEPTION.GATEWAY_TARGET_FAILED,
        `tag "${state.tag.name}" (${span(state.tag)}) has bad quality in the flow`,
      );
    return state.wire;
  }

  private unmapped<T>(table: ModbusTable, address: number, zero: T): T {
    if (this.options.unmapped === 'zero') return zero;
    throw new ModbusException(EXCEPTION.ILLEGAL_DATA_ADDRESS, `a client read ${table} ${address}, which no tag serves`);
  }

  private nameList(): string {
    const names = [...this.byName.keys()].map((n) => `"${n}"`);
    return names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
  }
}
