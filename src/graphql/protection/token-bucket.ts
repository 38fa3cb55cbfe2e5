/**
 * In-memory token buckets keyed by caller: each bucket holds up to `capacity` tokens and refills
 * continuously at `capacity` per minute. Per replica by design (see protection.service.ts).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly maxKeys = 50_000,
  ) {}

  /**
   * Takes `amount` tokens from `key`'s bucket when it holds them.
   * @returns ok, or the seconds until enough tokens will have refilled.
   */
  take(
    key: string,
    capacity: number,
    amount: number,
  ): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const t = this.now();
    const perMs = capacity / 60_000;
    const b = this.buckets.get(key) ?? { tokens: capacity, at: t };
    b.tokens = Math.min(capacity, b.tokens + (t - b.at) * perMs);
    b.at = t;
    if (amount > capacity) return { ok: false, retryAfterSeconds: 60 };
    if (b.tokens < amount) {
      this.buckets.set(key, b);
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((amount - b.tokens) / perMs / 1000)) };
    }
    b.tokens -= amount;
    if (!this.buckets.has(key) && this.buckets.size >= this.maxKeys) this.sweep(t, capacity);
    this.buckets.set(key, b);
    return { ok: true };
  }

  /** Drops buckets that have refilled completely (they behave exactly like absent ones). */
  private sweep(t: number, capacity: number): void {
    for (const [k, b] of this.buckets)
      if (b.tokens + (t - b.at) * (capacity / 60_000) >= capacity) this.buckets.delete(k);
  }

  get size(): number {
    return this.buckets.size;
  }
}
