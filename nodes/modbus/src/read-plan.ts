/** The four Modbus data tables a tag can live in. */
export type ModbusTable = 'coil' | 'discrete-input' | 'holding-register' | 'input-register';

/** Protocol limits per request (Modbus application protocol spec, FC 1-4). */
export const MAX_REGISTERS_PER_REQUEST = 125;
export const MAX_BITS_PER_REQUEST = 2000;

/** One tag to read: where it is and how many registers (or bits) it spans. */
export interface PlannedTag {
  table: ModbusTable;
  /** 0-based protocol address of its first register or bit. */
  address: number;
  /** Registers (or bits, for coils and discrete inputs) it spans. */
  count: number;
}

/** One read request, and which tags it serves. */
export interface ReadRequest<T extends PlannedTag = PlannedTag> {
  table: ModbusTable;
  address: number;
  count: number;
  /** The tags this request covers, each with its position within the response. */
  tags: Array<{ tag: T; offset: number }>;
}

export interface PlanLimits {
  /** Unused registers (or bits) a request may read between two tags to save a request. */
  maxGap: number;
  /** At most this many registers per request (1-125; some devices take fewer). */
  maxRegisters: number;
  /** At most this many bits per request (1-2000). */
  maxBits: number;
}

export function isBitTable(table: ModbusTable): boolean {
  return table === 'coil' || table === 'discrete-input';
}

/**
 * Groups tags into as few requests as the limits allow: per table, sorted by address, a tag joins
 * the current request when the hole before it is at most `maxGap` and the request stays within the
 * size limit. Overlapping tags share registers. Requests come out by table, then address.
 */
export function planReads<T extends PlannedTag>(tags: readonly T[], limits: PlanLimits): Array<ReadRequest<T>> {
  const tables: ModbusTable[] = ['coil', 'discrete-input', 'holding-register', 'input-register'];
  const requests: Array<ReadRequest<T>> = [];
  for (const table of tables) {
    const max = isBitTable(table) ? limits.maxBits : limits.maxRegisters;
    const sorted = tags.filter((t) => t.table === table).sort((a, b) => a.address - b.address || b.count - a.count);
    let current: ReadRequest<T> | undefined;
    for (const tag of sorted) {
      if (tag.count > max)
        throw new Error(`a tag of ${tag.count} registers at ${tag.address} exceeds the limit of ${max} per request`);
      const end = tag.address + tag.count;
      const currentEnd = current ? current.address + current.count : 0;
      if (current && tag.address - currentEnd <= limits.maxGap && Math.max(end, currentEnd) - current.address <= max) {
        current.count = Math.max(end, currentEnd) - current.address;
        current.tags.push({ tag, offset: tag.address - current.address });
      } else {
        current = { table, address: tag.address, count: tag.count, tags: [{ tag, offset: 0 }] };
        requests.push(current);
      }
    }
  }
  return requests;
}
