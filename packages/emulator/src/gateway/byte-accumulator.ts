const INITIAL_CAPACITY = 64 * 1024;

/**
 * Holds the unconsumed tail of a byte stream. Append-only: bytes below `length` are never
 * rewritten, because slices of them may still sit in a socket's write queue (socket.write keeps a
 * reference, not a copy). Growth allocates a new buffer with doubled capacity, so a large frame
 * arriving in many chunks costs amortised O(n) copying.
 */
export class ByteAccumulator {
  private storage: Buffer = Buffer.alloc(0);
  private begin = 0;
  private end = 0;

  /** Number of unconsumed bytes. */
  get size(): number {
    return this.end - this.begin;
  }

  /**
   * Returns the unconsumed bytes followed by `chunk` as one buffer (the chunk itself when nothing
   * is pending, so the common case copies nothing) and its offset of the first unconsumed byte.
   */
  append(chunk: Buffer): Buffer {
    if (this.size === 0) {
      this.storage = chunk;
      this.begin = 0;
      this.end = chunk.length;
      return chunk;
    }
    const pending = this.end - this.begin;
    if (this.storage.length - this.end < chunk.length || !this.owned) {
      const capacity = Math.max(INITIAL_CAPACITY, 2 * (pending + chunk.length));
      const grown = Buffer.allocUnsafe(capacity);
      this.storage.copy(grown, 0, this.begin, this.end);
      this.storage = grown;
      this.owned = true;
      this.begin = 0;
      this.end = pending;
    }
    chunk.copy(this.storage, this.end);
    this.end += chunk.length;
    return this.storage.subarray(this.begin, this.end);
  }

  /** Marks `count` bytes (from the start of the last `append` view) as consumed. */
  consume(count: number): void {
    this.begin += count;
    if (this.begin >= this.end) {
      // Drop the reference: a chunk we did not allocate must not be written into later.
      this.storage = Buffer.alloc(0);
      this.owned = false;
      this.begin = 0;
      this.end = 0;
    } else if (!this.owned) {
      // Keep only the tail of a borrowed chunk; the next append copies it into owned storage.
      this.storage = this.storage.subarray(this.begin, this.end);
      this.begin = 0;
      this.end = this.storage.length;
    }
  }

  private owned = false;
}
