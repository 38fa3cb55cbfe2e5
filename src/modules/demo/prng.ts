/**
 * Seeded pseudo-random numbers for the demo generator. Never `Math.random`: the same seed string
 * must give the same county on every machine and Node version.
 *
 * Scheme (counter mode, so record i is generated from (seed, stream, i) alone):
 * 1. the seed string is hashed to four 32-bit words with cyrb128 (UTF-16 code units);
 * 2. for a record, each word is mixed with the stream id and the record index through the
 *    murmur3 32-bit finaliser (fmix32);
 * 3. the four mixed words seed xoshiro128** (Blackman & Vigna), which then yields the record's
 *    values in a fixed order.
 * Not for cryptographic use: the public draw uses SM3/SHA-256 counter mode instead.
 */

/** Four 32-bit words derived from a seed string. */
export type SeedWords = readonly [number, number, number, number];

/** cyrb128: a small, well-mixed 128-bit string hash (public domain, bryc). */
export function hashSeed(seed: string): SeedWords {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** murmur3 fmix32 finaliser. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Independent streams, so adding a field to one record kind never shifts another kind's values. */
export enum Stream {
  LAYOUT = 1,
  TARGET = 2,
  INSPECTOR = 3,
  POOL = 4,
  RELATIONSHIP = 5,
}

/** A xoshiro128** generator with helpers for the distributions the generator needs. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(a: number, b: number, c: number, d: number) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    if ((a | b | c | d) === 0) this.a = 1;
  }

  /**
   * The generator for record `index` of `stream` under `seed`. `index` must be a non-negative
   * integer below 2^53; the high part is folded in so indices above 2^32 stay distinct.
   */
  static at(seed: SeedWords, stream: Stream, index: number): Rng {
    const lo = index >>> 0;
    const hi = Math.floor(index / 0x100000000) >>> 0;
    const s = Math.imul(stream, 0x9e3779b9);
    return new Rng(
      fmix32(seed[0] ^ fmix32(lo ^ s)),
      fmix32(seed[1] ^ fmix32(lo + 0x6a09e667 + hi)),
      fmix32(seed[2] ^ fmix32((lo ^ 0xbb67ae85) + s)),
      fmix32(seed[3] ^ fmix32(hi ^ 0x3c6ef372 ^ Math.imul(lo, 0x85ebca6b))),
    );
  }

  /** Next unsigned 32-bit integer. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 0x100000000;
  }

  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^32 (unbiased by rejection). */
  int(n: number): number {
    if (n <= 1) return 0;
    const limit = 0x100000000 - (0x100000000 % n);
    let x = this.u32();
    while (x >= limit) x = this.u32();
    return x % n;
  }

  /** Uniform integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** An element chosen with the given non-negative weights (same length as `items`). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.float() * total;
    for (let i = 0; i < items.length; i++) {
      x -= weights[i]!;
      if (x < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }

  /** Small counts: number of failures before a success with probability p (geometric). */
  geometric(p: number, max: number): number {
    let n = 0;
    while (n < max && !this.chance(p)) n++;
    return n;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Greatest common divisor of two non-negative safe integers. */
export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/**
 * A seeded affine bijection on [0, n): `i ↦ (a·i + b) mod n` with gcd(a, n) = 1. Used to spread
 * category blocks and unique serials over the index range without storing a permutation.
 * Exact while a·(n−1) + b < 2^53, i.e. for n up to about 9·10^7 (a < n).
 */
export class AffinePermutation {
  readonly n: number;
  private readonly a: number;
  private readonly b: number;

  constructor(n: number, rng: Rng) {
    if (!Number.isSafeInteger(n) || n < 1)
      throw new RangeError(`permutation size must be a positive integer, got ${n}`);
    if (n > 90_000_000) throw new RangeError(`permutation size ${n} exceeds the supported 90,000,000`);
    this.n = n;
    let a = n > 2 ? 2 + (rng.u32() % (n - 2)) : 1;
    while (gcd(a, n) !== 1) a = a + 1 >= n ? 1 : a + 1;
    this.a = a;
    this.b = rng.u32() % n;
  }

  /** The image of `i` (0 ≤ i < n). */
  apply(i: number): number {
    return (this.a * i + this.b) % this.n;
  }
}
