/**
 * A bounded single-consumer queue that never blocks its producer: past `capacity`, the oldest
 * item is dropped and counted. This is what keeps a slow subscriber from growing the gateway's
 * memory: events wait here, not in socket buffers, and at most `capacity` of them per subscriber.
 */
export class DropOldestQueue<T> {
  private items: T[] = [];
  private wake: (() => void) | null = null;
  private ended = false;
  /** Dropped since the last take (reported with the next item the consumer gets). */
  private dropped = 0;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a whole number >= 1');
  }

  get size(): number {
    return this.items.length;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Adds an item; returns how many old items it pushed out (0 or 1). Ignored once ended. */
  push(item: T): number {
    if (this.ended) return 0;
    let pushedOut = 0;
    if (this.items.length >= this.capacity) {
      this.items.shift();
      this.dropped += 1;
      pushedOut = 1;
    }
    this.items.push(item);
    this.signal();
    return pushedOut;
  }

  /** Counts items lost upstream of this queue, reported like the ones it dropped itself. */
  noteDropped(count: number): void {
    this.dropped += count;
  }

  /** No more items: the consumer gets what is queued, then null; `discard` empties the queue first. */
  end(discard = false): void {
    if (discard) this.items = [];
    this.ended = true;
    this.signal();
  }

  /** The next item with the count dropped before it, or null once ended and drained. */
  async take(): Promise<{ item: T; dropped: number } | null> {
    while (this.items.length === 0) {
      if (this.ended) return null;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.takeNow();
  }

  /** Like take(), without waiting: null when nothing is queued. */
  takeNow(): { item: T; dropped: number } | null {
    if (this.items.length === 0) return null;
    const item = this.items.shift() as T;
    const dropped = this.dropped;
    this.dropped = 0;
    return { item, dropped };
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
