import { createHash } from 'node:crypto';

/**
 * Deterministic pseudo-random source for record `index` of generator `seed`: the same
 * (seed, index) always yields the same sequence, so simulators can build record i on demand
 * without holding the others in memory.
 */
export class RecordRandom {
  private state: number;

  constructor(seed: string | number, index: number) {
    const digest = createHash('sha256').update(`${seed}:${index}`).digest();
    this.state = digest.readUInt32LE(0) || 0x9e3779b9;
  }

  /** Uniform float in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** `n` decimal digits, leading zeros allowed. */
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const SURNAMES = ['张', '王', '李', '赵', '陈', '林', '黄', '吴', '郑', '蔡', '𠀀'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '磊', '洋', '勇', '军', '杰', '娟'];

/** A plausible Chinese personal name (occasionally with a character outside GBK). */
export function fakeName(r: RecordRandom): string {
  return r.pick(SURNAMES) + r.pick(GIVEN) + (r.chance(0.5) ? r.pick(GIVEN) : '');
}

/** A GB 11643-shaped ID number for the county (check character not guaranteed; trailing X sometimes). */
export function fakeIdNumber(r: RecordRandom): string {
  const year = r.int(1960, 2004);
  const month = String(r.int(1, 12)).padStart(2, '0');
  const day = String(r.int(1, 28)).padStart(2, '0');
  return `350322${year}${month}${day}${r.digits(3)}${r.chance(0.1) ? 'X' : String(r.int(0, 9))}`;
}

/** An 11-digit mobile number. */
export function fakePhone(r: RecordRandom): string {
  return `1${r.pick(['3', '5', '8'])}${r.digits(9)}`;
}
