// Messages and bytes per second over a sliding window, from the live batches.

export class RateCounter {
  private buckets: { t: number; messages: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 1000) {}

  add(messages: number, bytes: number, now: number): void {
    if (messages === 0 && bytes === 0) return;
    const last = this.buckets[this.buckets.length - 1];
    // Batches within 50 ms share a bucket so the list stays short at any rate.
    if (last && now - last.t < 50) {
      last.messages += messages;
      last.bytes += bytes;
    } else this.buckets.push({ t: now, messages, bytes });
  }

  /** Per-second rates over the window ending at `now` (0 once traffic stops). */
  rate(now: number): { messages: number; bytes: number } {
    while (this.buckets.length > 0 && now - (this.buckets[0]?.t ?? now) >= this.windowMs) {
      this.buckets.shift();
    }
    let messages = 0;
    let bytes = 0;
    for (const b of this.buckets) {
      messages += b.messages;
      bytes += b.bytes;
    }
    const scale = 1000 / this.windowMs;
    return { messages: messages * scale, bytes: bytes * scale };
  }

  reset(): void {
    this.buckets = [];
  }
}
