/** Sort key of a simulated record: modification time (epoch ms) then id. */
export interface OrderedKey {
  at: number;
  id: string;
}

/** Orders keys by (`at`, `id`). */
export function compareKeys(a: OrderedKey, b: OrderedKey): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** How an `OrderedSimStore` builds its generated records. */
export interface OrderedSimStoreOptions<T> {
  /** Number of generated records (0 when the store holds only explicit records). */
  generatedCount: number;
  /** Generated record i has `at = baseAt + i * stepMs` (strictly increasing). */
  baseAt: number;
  stepMs: number;
  generatedId(index: number): string;
  /** Inverse of `generatedId`; `null` for ids the generator never makes. */
  indexOfId(id: string): number | null;
  generate(index: number): T;
  keyOf(record: T): OrderedKey;
}

/**
 * The record set of a simulator, ordered by (`at`, `id`), without materialising generated
 * records: record i is built on demand from its index, and only explicit or modified records
 * ("overrides") are held in memory. Paging costs O(log n + overrides + page), so 1,000,000
 * generated records page as cheaply as 100.
 */
export class OrderedSimStore<T> {
  private readonly overrides = new Map<string, T>();
  private sortedOverrides: { key: OrderedKey; record: T }[] | null = [];
  /** Generated indices replaced by an override, ascending. */
  private readonly removed: number[] = [];

  constructor(private readonly opts: OrderedSimStoreOptions<T>) {}

  /** Adds or replaces a record (explicit seed or a modification). */
  put(record: T): void {
    const { id } = this.opts.keyOf(record);
    this.overrides.set(id, record);
    this.sortedOverrides = null;
    const index = this.opts.indexOfId(id);
    if (index !== null && index < this.opts.generatedCount) {
      const at = lowerBound(this.removed, index);
      if (this.removed[at] !== index) this.removed.splice(at, 0, index);
    }
  }

  /** The current version of a record, or `undefined`. */
  get(id: string): T | undefined {
    const o = this.overrides.get(id);
    if (o !== undefined) return o;
    const index = this.opts.indexOfId(id);
    if (index === null || index >= this.opts.generatedCount) return undefined;
    return this.opts.generate(index);
  }

  /** Total number of records. */
  get size(): number {
    return this.opts.generatedCount - this.removed.length + this.overrides.size;
  }

  /** Largest `at` held. */
  maxAt(): number {
    let max =
      this.opts.generatedCount > 0 ? this.genAt(this.opts.generatedCount - 1) : Number.NEGATIVE_INFINITY;
    for (const { key } of this.sorted()) if (key.at > max) max = key.at;
    return max;
  }

  /** Number of records whose key is after `lower` (or equal to it when `inclusive`). */
  countAfter(lower: OrderedKey, inclusive: boolean): number {
    return this.size - this.rankOf(lower, inclusive);
  }

  /**
   * Records with key after `lower` (or equal when `inclusive`), in order, skipping the first `skip`.
   * Lazy: stop iterating when the page is full.
   */
  *iterateAfter(lower: OrderedKey, inclusive: boolean, skip = 0): Generator<T> {
    const sorted = this.sorted();
    const n = this.opts.generatedCount;
    const target = this.rankOf(lower, inclusive) + skip;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const pos = mid + this.genCountBefore(this.genFirst((sorted[mid] as { key: OrderedKey }).key, true));
      if (pos < target) lo = mid + 1;
      else hi = mid;
    }
    let j = lo;
    let gi = this.genKth(target - j);
    let ri = lowerBound(this.removed, gi);
    for (;;) {
      while (gi < n && this.removed[ri] === gi) {
        gi++;
        ri++;
      }
      const o = sorted[j];
      if (gi >= n && o === undefined) return;
      if (o === undefined || (gi < n && compareKeys(this.genKey(gi), o.key) < 0)) {
        yield this.opts.generate(gi);
        gi++;
      } else {
        yield o.record;
        j++;
      }
    }
  }

  private rankOf(lower: OrderedKey, inclusive: boolean): number {
    const sorted = this.sorted();
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareKeys((sorted[mid] as { key: OrderedKey }).key, lower);
      if (c < 0 || (!inclusive && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo + this.genCountBefore(this.genFirst(lower, inclusive));
  }

  private sorted(): { key: OrderedKey; record: T }[] {
    if (this.sortedOverrides === null) {
      this.sortedOverrides = [...this.overrides.values()]
        .map((record) => ({ key: this.opts.keyOf(record), record }))
        .sort((a, b) => compareKeys(a.key, b.key));
    }
    return this.sortedOverrides;
  }

  private genAt(i: number): number {
    return this.opts.baseAt + i * this.opts.stepMs;
  }

  private genKey(i: number): OrderedKey {
    return { at: this.genAt(i), id: this.opts.generatedId(i) };
  }

  /** First generated index whose key is after `lower` (or equal when inclusive). */
  private genFirst(lower: OrderedKey, inclusive: boolean): number {
    const n = this.opts.generatedCount;
    let i = Math.ceil((lower.at - this.opts.baseAt) / this.opts.stepMs);
    if (!Number.isFinite(i) || i < 0) i = 0;
    if (i >= n) return n;
    if (this.genAt(i) === lower.at) {
      const c = compareKeys(this.genKey(i), lower);
      if (c < 0 || (!inclusive && c === 0)) i++;
    }
    return i;
  }

  /** Number of live generated records with index < i. */
  private genCountBefore(i: number): number {
    return i - lowerBound(this.removed, i);
  }

  /** Index of the live generated record of rank r (0-based); `generatedCount` when past the end. */
  private genKth(r: number): number {
    let i = r;
    for (;;) {
      const next = r + upperBound(this.removed, i);
      if (next === i) break;
      i = next;
    }
    return Math.min(i, this.opts.generatedCount);
  }
}

function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
