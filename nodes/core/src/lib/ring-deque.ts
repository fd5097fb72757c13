/**
 * A double-ended queue on a growable circular array: O(1) push and pop at both ends, without the
 * O(n) `Array.prototype.shift` that windows and queues would otherwise pay on every eviction.
 */
export class RingDeque<T> {
  private items: (T | undefined)[];
  private head = 0;
  private length = 0;

  constructor(initialCapacity = 16) {
    this.items = new Array<T | undefined>(Math.max(2, initialCapacity));
  }

  /** Number of items held. */
  get size(): number {
    return this.length;
  }

  pushBack(item: T): void {
    if (this.length === this.items.length) this.grow();
    this.items[(this.head + this.length) % this.items.length] = item;
    this.length++;
  }

  /** Removes and returns the oldest item; undefined when empty. */
  popFront(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined; // let the item be collected
    this.head = (this.head + 1) % this.items.length;
    this.length--;
    return item;
  }

  /** Removes and returns the newest item; undefined when empty. */
  popBack(): T | undefined {
    if (this.length === 0) return undefined;
    const index = (this.head + this.length - 1) % this.items.length;
    const item = this.items[index];
    this.items[index] = undefined;
    this.length--;
    return item;
  }

  /** The oldest item, left in place. */
  peekFront(): T | undefined {
    return this.length === 0 ? undefined : this.items[this.head];
  }

  /** The newest item, left in place. */
  peekBack(): T | undefined {
    return this.length === 0 ? undefined : this.items[(this.head + this.length - 1) % this.items.length];
  }

  /** The item at `index` from the oldest (0); for hot loops, where a generator costs too much. */
  at(index: number): T {
    return this.items[(this.head + index) % this.items.length] as T;
  }

  /** Oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.length; i++) yield this.items[(this.head + i) % this.items.length] as T;
  }

  clear(): void {
    this.items = new Array<T | undefined>(this.items.length);
    this.head = 0;
    this.length = 0;
  }

  private grow(): void {
    const bigger = new Array<T | undefined>(this.items.length * 2);
    for (let i = 0; i < this.length; i++) bigger[i] = this.items[(this.head + i) % this.items.length];
    this.items = bigger;
    this.head = 0;
  }
}
