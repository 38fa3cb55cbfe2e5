import { createHash, randomBytes } from 'node:crypto';

import type { HashFn, IncrementalHash } from './algorithm.js';

function toBytes(digest: Buffer): Uint8Array {
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
}

/**
 * SM3 via Node's OpenSSL (`createHash('sm3')`), the {@link HashFn} used by the service and the CLI,
 * with an incremental form so large pools are hashed chunk by chunk.
 * Example: `toHex(sm3Node(utf8('abc')))` → `66c7f0f4…8f4ba8e0` (GB/T 32905 test vector).
 */
export const sm3Node: HashFn = Object.assign(
  (data: Uint8Array) => toBytes(createHash('sm3').update(data).digest()),
  {
    incremental: (): IncrementalHash => {
      const h = createHash('sm3');
      return {
        update: (data: Uint8Array) => {
          h.update(data);
        },
        digest: () => toBytes(h.digest()),
      };
    },
  },
);

/** A fresh secret seed: 32 bytes from the operating system's CSPRNG. */
export function generateSeed(): Uint8Array {
  const bytes = randomBytes(32);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
