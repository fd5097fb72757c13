import type { ReplayRow } from './csv-replay';

/**
 * Walks through the rows of a replay file, once or in a loop. On each new pass the file's
 * timestamps move forward by the file's span plus one average step, so replayed time never goes
 * backwards (time windows downstream keep working).
 */
export class ReplayCursor {
  private index = 0;
  private pass = 0;
  private readonly shiftPerPass: number;

  constructor(
    private readonly rows: readonly ReplayRow[],
    private readonly loop: boolean,
  ) {
    const first = rows[0].timestamp;
    const last = rows[rows.length - 1].timestamp;
    const span = Math.max(0, last - first);
    this.shiftPerPass = rows.length > 1 ? span + span / (rows.length - 1) : 0;
  }

  /** True once a non-looping replay has given its last row. */
  get finished(): boolean {
    return !this.loop && this.index >= this.rows.length;
  }

  /** The next row (timestamp shifted for later passes), or undefined once a non-looping replay ends. */
  next(): ReplayRow | undefined {
    if (this.index >= this.rows.length) {
      if (!this.loop) return undefined;
      this.index = 0;
      this.pass++;
    }
    const row = this.rows[this.index++];
    return this.pass === 0 ? row : { timestamp: row.timestamp + this.pass * this.shiftPerPass, value: row.value };
  }
}
