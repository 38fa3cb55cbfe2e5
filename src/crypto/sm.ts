/**
 * GM/T primitives on Node's own `crypto` (OpenSSL 3): SM3 hashing, HMAC-SM3, SM4 field
 * encryption for personal data at rest, and a blind index for matching without decrypting.
 *
 * Node 20 has no SM4-GCM, so field encryption is SM4-CBC with a random IV, then HMAC-SM3 over
 * the token text (encrypt-then-MAC). SM2 signatures are not here: see STACK.md (sm-crypto-v2).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

export type CryptoErrorCode =
  'CRYPTO_TAG_MISMATCH' | 'CRYPTO_UNKNOWN_KEY' | 'CRYPTO_FORMAT' | 'CRYPTO_KEYRING';

/**
 * Thrown by the field cipher and keyring parser. Messages never contain plaintext or key
 * material; at most a key id, a position or a length.
 */
export class CryptoError extends Error {
  readonly code: CryptoErrorCode;
  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.name = 'CryptoError';
    this.code = code;
  }
}

/** Key id → 32-byte master secret. Both SM4 and MAC keys are derived from it (see {@link FieldCipher}). */
export interface Keyring {
  currentKeyId: string;
  keys: Readonly<Record<string, Buffer>>;
}

type Bytes = string | Uint8Array;

const TOKEN_VERSION = 'v1';
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const B64URL_PATTERN = /^[A-Za-z0-9_-]+$/;
const SECRET_BYTES = 32;
const BLOCK = 16;
const TAG_BYTES = 32;
const ENC_LABEL = 'shuangsui/pii-field/v1/sm4-cbc';
const MAC_LABEL = 'shuangsui/pii-field/v1/hmac-sm3';

/**
 * SM3 digest (GB/T 32905). Strings are hashed as UTF-8.
 * @example sm3('abc').toString('hex') // '66c7f0f4…8f4ba8e0'
 * Does not throw for any string or byte input.
 */
export function sm3(data: Bytes): Buffer {
  return createHash('sm3').update(data).digest();
}

/**
 * SM3 digest as lower-case hex.
 * @example sm3Hex('abc') // '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0'
 * Does not throw for any string or byte input.
 */
export function sm3Hex(data: Bytes): string {
  return createHash('sm3').update(data).digest('hex');
}

/**
 * HMAC-SM3 (RFC 2104 over SM3), 32 bytes. Strings are UTF-8.
 * @example hmacSm3(key, 'message').toString('hex')
 * Does not throw for any string or byte input.
 */
export function hmacSm3(key: Bytes, data: Bytes): Buffer {
  return createHmac('sm3', key).update(data).digest();
}

/**
 * Derives a subkey from a secret with HKDF (RFC 5869) over HMAC-SM3, empty salt and `label`
 * as info. Different labels give independent keys from the same secret.
 * @example deriveKey(secret, 'shuangsui/blind-index/v1', 32)
 * @throws RangeError when `length` is outside 1…8160 (HKDF's limit for a 32-byte hash).
 */
export function deriveKey(secret: Uint8Array, label: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sm3', secret, new Uint8Array(0), label, length));
}

function keyringError(message: string): CryptoError {
  return new CryptoError('CRYPTO_KEYRING', message);
}

/**
 * Parses a keyring spec `keyId:<64 hex>[,keyId:<64 hex>…]`. The last entry is current unless
 * `currentKeyId` names another. Key ids are 1–64 of `A-Za-z0-9_-`; spaces around entries are
 * ignored.
 * @example parseKeyring('k1:00…ff,k2:ab…cd') // { currentKeyId: 'k2', keys: { k1: <Buffer>, k2: <Buffer> } }
 * @throws CryptoError `CRYPTO_KEYRING` listing every problem (entry position, key id, lengths),
 * never any key material.
 */
export function parseKeyring(spec: string, currentKeyId?: string): Keyring {
  const problems: string[] = [];
  const keys: Record<string, Buffer> = Object.create(null) as Record<string, Buffer>;
  const entries = spec.split(',').map((e) => e.trim());
  if (spec.trim() === '') throw keyringError('keyring is empty: expected "keyId:<64 hex chars>[,…]"');
  entries.forEach((entry, i) => {
    const where = `entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      problems.push(`${where}: expected "keyId:<64 hex chars>", found no ":"`);
      return;
    }
    const keyId = entry.slice(0, colon).trim();
    const hex = entry.slice(colon + 1).trim();
    if (!KEY_ID_PATTERN.test(keyId)) {
      problems.push(`${where}: key id must be 1–64 characters of A-Z a-z 0-9 _ -`);
      return;
    }
    if (Object.hasOwn(keys, keyId)) {
      problems.push(`${where}: key id "${keyId}" appears more than once`);
      return;
    }
    if (!/^[0-9a-fA-F]*$/.test(hex)) {
      problems.push(`${where} ("${keyId}"): key must be hexadecimal, found other characters`);
      return;
    }
    if (hex.length !== SECRET_BYTES * 2) {
      problems.push(
        `${where} ("${keyId}"): key must be ${SECRET_BYTES * 2} hex characters, got ${hex.length}`,
      );
      return;
    }
    keys[keyId] = Buffer.from(hex, 'hex');
  });
  const ids = Object.keys(keys);
  const current = currentKeyId ?? (problems.length === 0 ? ids[ids.length - 1] : undefined);
  if (currentKeyId !== undefined && !Object.hasOwn(keys, currentKeyId)) {
    problems.push(`current key id "${currentKeyId}" is not in the keyring`);
  }
  if (problems.length > 0 || current === undefined) {
    throw keyringError(`invalid keyring:\n  - ${problems.join('\n  - ')}`);
  }
  return { currentKeyId: current, keys };
}

interface DerivedKeys {
  enc: Buffer;
  mac: Buffer;
}

interface ParsedToken {
  keyId: string;
  signed: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function formatError(what: string): CryptoError {
  return new CryptoError('CRYPTO_FORMAT', `not a ${TOKEN_VERSION} field token: ${what}`);
}

function decodePart(part: string, name: string): Buffer {
  if (!B64URL_PATTERN.test(part)) throw formatError(`${name} is not base64url`);
  return Buffer.from(part, 'base64url');
}

function parseToken(token: string): ParsedToken {
  if (typeof token !== 'string') throw formatError('expected a string');
  const parts = token.split('.');
  if (parts.length !== 5) throw formatError(`expected 5 dot-separated parts, got ${parts.length}`);
  const [version, keyId, ivPart, ctPart, tagPart] = parts as [string, string, string, string, string];
  if (version !== TOKEN_VERSION) throw formatError('unsupported version');
  if (!KEY_ID_PATTERN.test(keyId)) throw formatError('bad key id');
  const iv = decodePart(ivPart, 'iv');
  const ciphertext = decodePart(ctPart, 'ciphertext');
  const tag = decodePart(tagPart, 'tag');
  if (iv.length !== BLOCK) throw formatError(`iv must be ${BLOCK} bytes, got ${iv.length}`);
  if (ciphertext.length === 0 || ciphertext.length % BLOCK !== 0) {
    throw formatError(`ciphertext must be a non-empty multiple of ${BLOCK} bytes, got ${ciphertext.length}`);
  }
  if (tag.length !== TAG_BYTES) throw formatError(`tag must be ${TAG_BYTES} bytes, got ${tag.length}`);
  return { keyId, signed: `${version}.${keyId}.${ivPart}.${ctPart}`, iv, ciphertext, tag };
}

/**
 * Encrypts short personal fields (ID numbers) for storage. Each keyring entry is a 32-byte
 * master secret from which two keys are derived with {@link deriveKey} (HKDF-SM3): a 16-byte
 * SM4 key (`shuangsui/pii-field/v1/sm4-cbc`) and a 32-byte HMAC-SM3 key
 * (`shuangsui/pii-field/v1/hmac-sm3`). Tokens look like
 * `v1.<keyId>.<iv b64url>.<ciphertext b64url>.<tag b64url>`; the tag is HMAC-SM3 over the
 * token text before the last dot, so any change to version, key id, IV or ciphertext fails.
 * Encryption is randomised: equal plaintexts give different tokens (use {@link BlindIndex} to match).
 * @example const c = new FieldCipher(parseKeyring(config.piiKeyring)); c.decrypt(c.encrypt('350322198811093310'))
 * @throws CryptoError `CRYPTO_KEYRING` from the constructor when the current key is missing or a key is not 32 bytes.
 */
export class FieldCipher {
  private readonly derived = new Map<string, DerivedKeys>();
  private readonly currentKeyId: string;

  constructor(keyring: Keyring) {
    for (const [keyId, secret] of Object.entries(keyring.keys)) {
      if (!KEY_ID_PATTERN.test(keyId))
        throw keyringError('a key id is not 1–64 characters of A-Z a-z 0-9 _ -');
      if (!(secret instanceof Uint8Array) || secret.length !== SECRET_BYTES) {
        throw keyringError(`key "${keyId}" must be ${SECRET_BYTES} bytes`);
      }
      this.derived.set(keyId, {
        enc: deriveKey(secret, ENC_LABEL, BLOCK),
        mac: deriveKey(secret, MAC_LABEL, TAG_BYTES),
      });
    }
    if (!this.derived.has(keyring.currentKeyId)) {
      throw keyringError(`current key id "${keyring.currentKeyId}" is not in the keyring`);
    }
    this.currentKeyId = keyring.currentKeyId;
  }

  /** The key id new tokens are written under. */
  get currentKey(): string {
    return this.currentKeyId;
  }

  /**
   * Encrypts a string (UTF-8) under the current key.
   * @example cipher.encrypt('350322198811093310') // 'v1.k2.Xb….9c….Q1…'
   * Does not throw for any string.
   */
  encrypt(plain: string): string {
    return this.seal(plain, randomBytes(BLOCK));
  }

  /**
   * Encrypts many strings under the current key, exactly like {@link FieldCipher.encrypt} one by
   * one (a fresh random IV each), but draws all IVs in one call: for short fields the per-call
   * random draw costs more than the encryption itself.
   * @example cipher.encryptMany(['350322198811093310', '13800000000']) // two tokens
   * Does not throw for any strings.
   */
  encryptMany(plains: readonly string[]): string[] {
    if (plains.length === 0) return [];
    const ivs = randomBytes(BLOCK * plains.length);
    return plains.map((p, i) => this.seal(p, ivs.subarray(i * BLOCK, (i + 1) * BLOCK)));
  }

  private seal(plain: string, iv: Buffer): string {
    const keys = this.derived.get(this.currentKeyId)!;
    const cipher = createCipheriv('sm4-cbc', keys.enc, iv);
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const signed = `${TOKEN_VERSION}.${this.currentKeyId}.${iv.toString('base64url')}.${ciphertext.toString('base64url')}`;
    return `${signed}.${hmacSm3(keys.mac, signed).toString('base64url')}`;
  }

  /**
   * Verifies the tag (constant-time) and decrypts a token written under any key of the ring.
   * @example cipher.decrypt(token) // '350322198811093310'
   * @throws CryptoError `CRYPTO_FORMAT` (not a token), `CRYPTO_UNKNOWN_KEY` (key id not in the
   * ring), `CRYPTO_TAG_MISMATCH` (altered, or written under a different key with the same id).
   */
  decrypt(token: string): string {
    const parsed = parseToken(token);
    const keys = this.derived.get(parsed.keyId);
    if (!keys) throw new CryptoError('CRYPTO_UNKNOWN_KEY', `key id "${parsed.keyId}" is not in the keyring`);
    const expected = hmacSm3(keys.mac, parsed.signed);
    if (!timingSafeEqual(expected, parsed.tag)) {
      throw new CryptoError(
        'CRYPTO_TAG_MISMATCH',
        `authentication tag does not match (key id "${parsed.keyId}")`,
      );
    }
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('sm4-cbc', keys.enc, parsed.iv);
      plain = Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]);
    } catch {
      // Only reachable with a valid tag over bad padding, i.e. a token forged with the MAC key.
      throw formatError('bad padding');
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(plain);
    } catch {
      throw formatError('plaintext is not UTF-8');
    }
  }

  /**
   * The key id a token was written under (no verification).
   * @example cipher.keyIdOf('v1.k1.….….…') // 'k1'
   * @throws CryptoError `CRYPTO_FORMAT` when the token is malformed.
   */
  keyIdOf(token: string): string {
    return parseToken(token).keyId;
  }

  /**
   * True when the token was written under a key other than the current one, i.e. the
   * re-encryption job should rewrite it.
   * @example cipher.needsRotation(oldToken) // true
   * @throws CryptoError `CRYPTO_FORMAT` when the token is malformed.
   */
  needsRotation(token: string): boolean {
    return parseToken(token).keyId !== this.currentKeyId;
  }

  /**
   * Returns the token unchanged when it is under the current key, otherwise decrypts and
   * re-encrypts it under the current key (for the rotation job; safe to repeat).
   * @example await repo.update(id, { idNumberEnc: cipher.reencrypt(row.idNumberEnc) })
   * @throws CryptoError as {@link FieldCipher.decrypt}.
   */
  reencrypt(token: string): string {
    return this.needsRotation(token) ? this.encrypt(this.decrypt(token)) : token;
  }
}

/**
 * Deterministic keyed index (HMAC-SM3, hex) for exact matching and de-duplication of
 * normalised values such as ID numbers without decrypting them. Use a key of its own, never a
 * field-encryption secret, and keep it across encryption-key rotations (changing it means
 * recomputing every index). Callers normalise first (e.g. `checkCitizenId(x).normalised`).
 * @example new BlindIndex(deriveKey(indexSecret, 'shuangsui/blind-index/v1')).index('350322198811093310') // 64 hex chars
 * @throws CryptoError `CRYPTO_KEYRING` from the constructor when the key is shorter than 16 bytes.
 */
export class BlindIndex {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (!(key instanceof Uint8Array) || key.length < 16) {
      throw keyringError('blind-index key must be at least 16 bytes');
    }
    this.key = Buffer.from(key);
  }

  /**
   * Index of one normalised value.
   * @example blindIndex.index('350322198811093310') // 'a3f1…' (64 hex chars)
   * Does not throw for any string.
   */
  index(normalisedValue: string): string {
    return createHmac('sm3', this.key).update(normalisedValue, 'utf8').digest('hex');
  }
}
