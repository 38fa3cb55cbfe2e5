import { createCipheriv, createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BlindIndex,
  CryptoError,
  FieldCipher,
  deriveKey,
  hmacSm3,
  parseKeyring,
  sm3,
  sm3Hex,
  type Keyring,
} from '../../src/crypto/sm.js';

const HEX_A = 'a1'.repeat(32);
const HEX_B = '5b'.repeat(16) + 'c7'.repeat(16);
const PLAIN = '350322198811093310';

function keyring(spec: string, current?: string): Keyring {
  return parseKeyring(spec, current);
}

function flip(b64: string, at: number): string {
  const buf = Buffer.from(b64, 'base64url');
  buf[at] = buf[at]! ^ 0x01;
  return buf.toString('base64url');
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CryptoError);
    return (e as CryptoError).code;
  }
  return undefined;
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return `${(e as Error).message}\n${(e as Error).stack ?? ''}`;
  }
  throw new Error('expected a throw');
}

describe('SM3 known answers (GB/T 32905)', () => {
  it('hashes "abc"', () => {
    expect(sm3Hex('abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(sm3(Buffer.from('abc')).toString('hex')).toBe(sm3Hex('abc'));
  });

  it('hashes the 64-byte "abcd"×16', () => {
    expect(sm3Hex('abcd'.repeat(16))).toBe(
      'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
    );
  });

  it('hashes strings as UTF-8', () => {
    expect(sm3Hex('仙游')).toBe(sm3Hex(new TextEncoder().encode('仙游')));
  });

  it('HMAC-SM3 follows RFC 2104 over SM3', () => {
    // Computed from the definition: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)) with K zero-padded to 64 bytes.
    const key = Buffer.from('key');
    const k = Buffer.alloc(64);
    key.copy(k);
    const ipad = Buffer.from(k.map((b) => b ^ 0x36));
    const opad = Buffer.from(k.map((b) => b ^ 0x5c));
    const inner = sm3(Buffer.concat([ipad, Buffer.from('message')]));
    const expected = sm3(Buffer.concat([opad, inner]));
    expect(hmacSm3(key, 'message').equals(expected)).toBe(true);
    expect(hmacSm3('key', 'message')).toHaveLength(32);
  });
});

describe('SM4 known answers (GB/T 32907)', () => {
  const key = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');

  it('example 1: one block, ECB, no padding', () => {
    const c = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
    const out = Buffer.concat([c.update(key), c.final()]);
    expect(out.toString('hex')).toBe('681edf34d206965e86b3e94f536e4246');
    const d = createDecipheriv('sm4-ecb', key, null).setAutoPadding(false);
    expect(Buffer.concat([d.update(out), d.final()]).equals(key)).toBe(true);
  });

  it('example 2: the same block encrypted 1,000,000 times', () => {
    const c = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
    let block = key;
    for (let i = 0; i < 1_000_000; i++) block = c.update(block);
    expect(block.toString('hex')).toBe('595298c7c6fd271f0402f804c33d3f66');
  });
});

describe('parseKeyring', () => {
  it('takes the last key as current, or the one named', () => {
    const ring = parseKeyring(`k1:${HEX_A}, k2:${HEX_B}`);
    expect(ring.currentKeyId).toBe('k2');
    expect(Object.keys(ring.keys)).toEqual(['k1', 'k2']);
    expect(ring.keys.k1!.toString('hex')).toBe(HEX_A);
    expect(parseKeyring(`k1:${HEX_A},k2:${HEX_B}`, 'k1').currentKeyId).toBe('k1');
  });

  it('lists every problem without echoing key material', () => {
    const secretish = 'f0'.repeat(31) + 'zz';
    const spec = `k1:${HEX_A},k1:${HEX_B},bad id:${HEX_A},k3,k4:${secretish},k5:${HEX_A.slice(0, 60)}`;
    const e = (() => {
      try {
        parseKeyring(spec);
      } catch (err) {
        return err as CryptoError;
      }
      throw new Error('expected a throw');
    })();
    expect(e.code).toBe('CRYPTO_KEYRING');
    expect(e.message).toContain('entry 2: key id "k1" appears more than once');
    expect(e.message).toContain('entry 3: key id must be');
    expect(e.message).toContain('entry 4: expected "keyId:<64 hex chars>"');
    expect(e.message).toContain('entry 5 ("k4"): key must be hexadecimal');
    expect(e.message).toContain('entry 6 ("k5"): key must be 64 hex characters, got 60');
    for (const material of [HEX_A, HEX_B, secretish, HEX_A.slice(0, 60), 'a1a1a1a1', 'f0f0f0f0']) {
      expect(e.message).not.toContain(material);
    }
  });

  it('rejects an empty spec and an unknown current key', () => {
    expect(codeOf(() => parseKeyring(''))).toBe('CRYPTO_KEYRING');
    expect(codeOf(() => parseKeyring(' , '))).toBe('CRYPTO_KEYRING');
    expect(messageOf(() => parseKeyring(`k1:${HEX_A}`, 'k9'))).toContain('"k9" is not in the keyring');
  });

  it('is not fooled by prototype property names', () => {
    expect(codeOf(() => parseKeyring(`k1:${HEX_A}`, 'constructor'))).toBe('CRYPTO_KEYRING');
    const cipher = new FieldCipher(keyring(`k1:${HEX_A}`));
    const token = cipher.encrypt(PLAIN).replace('.k1.', '.constructor.');
    expect(codeOf(() => cipher.decrypt(token))).toBe('CRYPTO_UNKNOWN_KEY');
  });
});

describe('FieldCipher', () => {
  const cipher = new FieldCipher(keyring(`k1:${HEX_A}`));

  it('round-trips ID numbers and other text, with a fresh IV each time', () => {
    const t1 = cipher.encrypt(PLAIN);
    const t2 = cipher.encrypt(PLAIN);
    expect(t1).not.toBe(t2);
    expect(t1).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    expect(t1).not.toContain(PLAIN);
    expect(cipher.decrypt(t1)).toBe(PLAIN);
    expect(cipher.decrypt(t2)).toBe(PLAIN);
    for (const s of ['', '35032219800101123X', '赵六 𠮷', 'x'.repeat(16), 'y'.repeat(1000)]) {
      expect(cipher.decrypt(cipher.encrypt(s))).toBe(s);
    }
  });

  it('detects a flipped byte in any part with CRYPTO_TAG_MISMATCH', () => {
    const token = cipher.encrypt(PLAIN);
    const [v, k, iv, ct, tag] = token.split('.') as [string, string, string, string, string];
    expect(codeOf(() => cipher.decrypt([v, k, flip(iv, 0), ct, tag].join('.')))).toBe('CRYPTO_TAG_MISMATCH');
    expect(codeOf(() => cipher.decrypt([v, k, iv, flip(ct, 5), tag].join('.')))).toBe('CRYPTO_TAG_MISMATCH');
    expect(codeOf(() => cipher.decrypt([v, k, iv, flip(ct, 31), tag].join('.')))).toBe('CRYPTO_TAG_MISMATCH');
    expect(codeOf(() => cipher.decrypt([v, k, iv, ct, flip(tag, 31)].join('.')))).toBe('CRYPTO_TAG_MISMATCH');
  });

  it('rejects a token under the same key id but another secret', () => {
    const other = new FieldCipher(keyring(`k1:${HEX_B}`));
    expect(codeOf(() => other.decrypt(cipher.encrypt(PLAIN)))).toBe('CRYPTO_TAG_MISMATCH');
  });

  it('rejects a ciphertext moved to another key id', () => {
    const both = new FieldCipher(keyring(`k1:${HEX_A},k2:${HEX_A}`, 'k1'));
    const token = both.encrypt(PLAIN).replace('.k1.', '.k2.');
    expect(codeOf(() => both.decrypt(token))).toBe('CRYPTO_TAG_MISMATCH');
  });

  it.each([
    ['', 'CRYPTO_FORMAT'],
    ['v1.k1.abc', 'CRYPTO_FORMAT'],
    ['v2.k1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA', 'CRYPTO_FORMAT'],
    ['v1.k1.AA==.AA.AA', 'CRYPTO_FORMAT'],
    ['v1.k1.AAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA', 'CRYPTO_FORMAT'],
    [`v1.k1.${'A'.repeat(22)}.${'A'.repeat(20)}.${'A'.repeat(43)}`, 'CRYPTO_FORMAT'],
    [`v1.k1.${'A'.repeat(22)}.${'A'.repeat(22)}.${'A'.repeat(22)}`, 'CRYPTO_FORMAT'],
    [`v1.k9.${'A'.repeat(22)}.${'A'.repeat(22)}.${'A'.repeat(43)}`, 'CRYPTO_UNKNOWN_KEY'],
    [`v1.k1.${'A'.repeat(22)}.${'A'.repeat(22)}.${'A'.repeat(43)}`, 'CRYPTO_TAG_MISMATCH'],
  ])('decrypt(%j) → %s', (token, code) => {
    expect(codeOf(() => cipher.decrypt(token))).toBe(code);
  });

  it('never puts the plaintext or the token body in error messages', () => {
    const token = cipher.encrypt(PLAIN);
    const [v, k, iv, ct, tag] = token.split('.') as [string, string, string, string, string];
    const tampered = [v, k, iv, flip(ct, 0), tag].join('.');
    const unknown = [v, 'k0', iv, ct, tag].join('.');
    for (const bad of [tampered, unknown, `${token}.x`, token.slice(0, -1) + '!']) {
      const text = messageOf(() => cipher.decrypt(bad));
      expect(text).not.toContain(PLAIN);
      expect(text).not.toContain(ct);
      expect(text).not.toContain(HEX_A);
    }
  });

  it('rotates: old tokens decrypt, new tokens use the new key, reencrypt is idempotent', () => {
    const old = new FieldCipher(keyring(`k1:${HEX_A}`));
    const oldToken = old.encrypt(PLAIN);
    const rotated = new FieldCipher(keyring(`k1:${HEX_A},k2:${HEX_B}`));
    expect(rotated.currentKey).toBe('k2');
    expect(rotated.decrypt(oldToken)).toBe(PLAIN);
    expect(rotated.needsRotation(oldToken)).toBe(true);
    expect(rotated.keyIdOf(oldToken)).toBe('k1');
    const fresh = rotated.encrypt(PLAIN);
    expect(rotated.keyIdOf(fresh)).toBe('k2');
    expect(rotated.needsRotation(fresh)).toBe(false);
    const re = rotated.reencrypt(oldToken);
    expect(rotated.keyIdOf(re)).toBe('k2');
    expect(rotated.decrypt(re)).toBe(PLAIN);
    expect(rotated.reencrypt(re)).toBe(re);
    // After k1 is retired, the re-encrypted token still works and the old one is refused.
    const retired = new FieldCipher(keyring(`k2:${HEX_B}`));
    expect(retired.decrypt(re)).toBe(PLAIN);
    expect(codeOf(() => retired.decrypt(oldToken))).toBe('CRYPTO_UNKNOWN_KEY');
    expect(codeOf(() => retired.needsRotation('garbage'))).toBe('CRYPTO_FORMAT');
  });

  it('refuses a keyring without its current key or with short keys', () => {
    expect(codeOf(() => new FieldCipher({ currentKeyId: 'k2', keys: { k1: Buffer.alloc(32, 1) } }))).toBe(
      'CRYPTO_KEYRING',
    );
    expect(codeOf(() => new FieldCipher({ currentKeyId: 'k1', keys: { k1: Buffer.alloc(16, 1) } }))).toBe(
      'CRYPTO_KEYRING',
    );
  });

  it('derives separate encryption and MAC keys (the raw secret is not the SM4 key)', () => {
    const token = cipher.encrypt(PLAIN);
    const [, , iv, ct] = token.split('.') as [string, string, string, string];
    const asRawKey = createDecipheriv(
      'sm4-cbc',
      Buffer.from(HEX_A, 'hex').subarray(0, 16),
      Buffer.from(iv, 'base64url'),
    );
    asRawKey.setAutoPadding(false);
    const attempt = Buffer.concat([asRawKey.update(Buffer.from(ct, 'base64url')), asRawKey.final()]);
    expect(attempt.toString('latin1')).not.toContain(PLAIN);
    const enc = deriveKey(Buffer.from(HEX_A, 'hex'), 'shuangsui/pii-field/v1/sm4-cbc', 16);
    const d = createDecipheriv('sm4-cbc', enc, Buffer.from(iv, 'base64url'));
    expect(Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8')).toBe(PLAIN);
  });
});

describe('BlindIndex', () => {
  const key = deriveKey(Buffer.from(HEX_A, 'hex'), 'shuangsui/blind-index/v1');

  it('is stable, hex, and equal for equal values only', () => {
    const a = new BlindIndex(key);
    const b = new BlindIndex(Buffer.from(key));
    expect(a.index(PLAIN)).toMatch(/^[0-9a-f]{64}$/);
    expect(a.index(PLAIN)).toBe(b.index(PLAIN));
    expect(a.index(PLAIN)).toBe(hmacSm3(key, PLAIN).toString('hex'));
    expect(a.index(PLAIN)).not.toBe(a.index('350322200101015211'));
  });

  it('depends on the key', () => {
    const other = new BlindIndex(deriveKey(Buffer.from(HEX_B, 'hex'), 'shuangsui/blind-index/v1'));
    expect(other.index(PLAIN)).not.toBe(new BlindIndex(key).index(PLAIN));
    const otherLabel = new BlindIndex(deriveKey(Buffer.from(HEX_A, 'hex'), 'another-label'));
    expect(otherLabel.index(PLAIN)).not.toBe(new BlindIndex(key).index(PLAIN));
  });

  it('refuses short keys', () => {
    expect(codeOf(() => new BlindIndex(Buffer.alloc(8)))).toBe('CRYPTO_KEYRING');
  });
});
