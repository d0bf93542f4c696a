/**
 * A bounded first-in first-out queue of 16-bit entries (a character plus
 * its error flags). Fixed storage, so pushing and popping never allocate.
 */
export class Fifo {
  private readonly slots: Uint16Array;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.slots = new Uint16Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Appends `value`; returns false (and changes nothing) when `limit` entries are already queued. */
  push(value: number, limit: number = this.capacity): boolean {
    if (this.count >= limit || this.count >= this.capacity) return false;
    this.slots[(this.head + this.count) % this.capacity] = value;
    this.count++;
    return true;
  }

  /** Removes and returns the oldest entry, or -1 when empty. */
  pop(): number {
    if (this.count === 0) return -1;
    const v = this.slots[this.head]!;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return v;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  /** The queued entries, oldest first (for snapshots). */
  toArray(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.slots[(this.head + i) % this.capacity]!);
    return out;
  }

  /** Replaces the content (for snapshots); extra entries beyond the capacity are ignored. */
  load(values: readonly number[]): void {
    this.clear();
    for (const v of values) if (!this.push(v & 0xffff)) break;
  }
}
