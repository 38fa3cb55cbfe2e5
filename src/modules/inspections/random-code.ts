import { randomBytes } from 'node:crypto';

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/**
 * A random code of `n` characters from 32 symbols without look-alikes (no 0/O, 1/I): 5 bits each,
 * so a 12-character appeal code carries 60 bits.
 * @example randomCode(12) // 'K7QZ3M9XHD2P'
 */
export function randomCode(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[bytes[i]! & 31];
  return s;
}
