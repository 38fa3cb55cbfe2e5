import { sm2 } from 'sm-crypto-v2';
import {
  DER_TAG,
  bytesToHex,
  concatBytes,
  derChildren,
  derEncode,
  derInteger,
  derOid,
  derOidEncode,
  derPositiveInteger,
  expectDer,
  hexToBytes,
} from './der.js';
import { ExchangeError } from './errors.js';

/** GM/T 0009 default signer identity; exchange-envelope.md demands it (an empty ID is refused). */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_SM2_CURVE = '1.2.156.10197.1.301';
const SM2_N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

/** A PEM key pair on curve SM2: PKCS#8 private key, SubjectPublicKeyInfo public key. */
export interface Sm2KeyPair {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

function pemBody(pem: string, labels: readonly string[]): { label: string; der: Uint8Array } {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m || !labels.includes(m[1]!)) {
    throw new ExchangeError('SM2_KEY_INVALID', `expected a PEM block of type ${labels.join(' or ')}`);
  }
  const b64 = m[2]!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64))
    throw new ExchangeError('SM2_KEY_INVALID', 'PEM body is not base64');
  return { label: m[1]!, der: new Uint8Array(Buffer.from(b64, 'base64')) };
}

function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function checkAlgorithm(algSeq: Uint8Array): void {
  const parts = derChildren(algSeq);
  const alg = parts[0]?.tag === DER_TAG.OID ? derOid(parts[0].content) : '';
  const param = parts[1]?.tag === DER_TAG.OID ? derOid(parts[1].content) : '';
  // Some GM/T toolkits put the SM2 OID itself in the algorithm slot; OpenSSL uses id-ecPublicKey + curve.
  const ok = (alg === OID_EC_PUBLIC_KEY && param === OID_SM2_CURVE) || alg === OID_SM2_CURVE;
  if (!ok) throw new Error(`key is not on curve SM2 (algorithm ${alg}, parameters ${param || 'none'})`);
}

function checkPublicPoint(bitString: Uint8Array): string {
  if (bitString[0] !== 0) throw new Error('BIT STRING has unused bits');
  const point = bitString.subarray(1);
  if (point.length !== 65 || point[0] !== 0x04) throw new Error('public key must be an uncompressed point');
  const hex = bytesToHex(point);
  if (!sm2.verifyPublicKey(hex)) throw new Error('public key is not a point on curve SM2');
  return hex;
}

function parseEcPrivateKey(der: Uint8Array): string {
  const seq = expectDer(der, 0, DER_TAG.SEQUENCE);
  if (seq.end !== der.length) throw new Error('trailing bytes after ECPrivateKey');
  const [version, key, ...rest] = derChildren(seq.content);
  if (!version || version.tag !== DER_TAG.INTEGER || derPositiveInteger(version.content) !== 1n) {
    throw new Error('ECPrivateKey version must be 1');
  }
  if (!key || key.tag !== DER_TAG.OCTET_STRING || key.content.length === 0 || key.content.length > 32) {
    throw new Error('ECPrivateKey privateKey must be an OCTET STRING of at most 32 bytes');
  }
  for (const el of rest) {
    if (el.tag === DER_TAG.CONTEXT_0) {
      const oid = expectDer(el.content, 0, DER_TAG.OID);
      if (derOid(oid.content) !== OID_SM2_CURVE) throw new Error('ECPrivateKey curve is not SM2');
    }
  }
  const d = BigInt(`0x${bytesToHex(key.content)}`);
  if (d < 1n || d > SM2_N - 2n) throw new Error('private scalar out of range');
  return d.toString(16).padStart(64, '0');
}

/**
 * Raw private scalar (64 hex chars) from a PEM `PRIVATE KEY` (PKCS#8) or `EC PRIVATE KEY` (SEC1) on curve SM2.
 * Throws `ExchangeError('SM2_KEY_INVALID')` for anything else, including encrypted keys.
 */
export function sm2PrivateKeyHexFromPem(privateKeyPem: string): string {
  const { label, der } = pemBody(privateKeyPem, ['PRIVATE KEY', 'EC PRIVATE KEY']);
  try {
    if (label === 'EC PRIVATE KEY') return parseEcPrivateKey(der);
    const seq = expectDer(der, 0, DER_TAG.SEQUENCE);
    if (seq.end !== der.length) throw new Error('trailing bytes after PKCS#8');
    const [version, alg, key] = derChildren(seq.content);
    if (!version || version.tag !== DER_TAG.INTEGER || derPositiveInteger(version.content) > 1n) {
      throw new Error('PKCS#8 version must be 0 or 1');
    }
    if (!alg || alg.tag !== DER_TAG.SEQUENCE) throw new Error('PKCS#8 algorithm missing');
    checkAlgorithm(alg.content);
    if (!key || key.tag !== DER_TAG.OCTET_STRING) throw new Error('PKCS#8 privateKey missing');
    return parseEcPrivateKey(key.content);
  } catch (err) {
    if (err instanceof ExchangeError) throw err;
    throw new ExchangeError('SM2_KEY_INVALID', `SM2 private key: ${(err as Error).message}`);
  }
}

/**
 * Raw uncompressed public point (`04…`, 130 hex chars) from a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) on curve SM2.
 * Throws `ExchangeError('SM2_KEY_INVALID')` otherwise.
 */
export function sm2PublicKeyHexFromPem(publicKeyPem: string): string {
  const { der } = pemBody(publicKeyPem, ['PUBLIC KEY']);
  try {
    const seq = expectDer(der, 0, DER_TAG.SEQUENCE);
    if (seq.end !== der.length) throw new Error('trailing bytes after SubjectPublicKeyInfo');
    const [alg, bits, ...rest] = derChildren(seq.content);
    if (!alg || alg.tag !== DER_TAG.SEQUENCE || !bits || bits.tag !== DER_TAG.BIT_STRING || rest.length > 0) {
      throw new Error('malformed SubjectPublicKeyInfo');
    }
    checkAlgorithm(alg.content);
    return checkPublicPoint(bits.content);
  } catch (err) {
    throw new ExchangeError('SM2_KEY_INVALID', `SM2 public key: ${(err as Error).message}`);
  }
}

function algorithmIdentifier(): Uint8Array {
  return derEncode(
    DER_TAG.SEQUENCE,
    concatBytes(derOidEncode(OID_EC_PUBLIC_KEY), derOidEncode(OID_SM2_CURVE)),
  );
}

function publicKeyPemFromHex(publicKeyHex: string): string {
  const bits = derEncode(DER_TAG.BIT_STRING, concatBytes(new Uint8Array([0]), hexToBytes(publicKeyHex)));
  return toPem('PUBLIC KEY', derEncode(DER_TAG.SEQUENCE, concatBytes(algorithmIdentifier(), bits)));
}

function privateKeyPemFromHex(privateKeyHex: string, publicKeyHex: string): string {
  const ecPrivateKey = derEncode(
    DER_TAG.SEQUENCE,
    concatBytes(
      derInteger(1n),
      derEncode(DER_TAG.OCTET_STRING, hexToBytes(privateKeyHex)),
      derEncode(
        DER_TAG.CONTEXT_1,
        derEncode(DER_TAG.BIT_STRING, concatBytes(new Uint8Array([0]), hexToBytes(publicKeyHex))),
      ),
    ),
  );
  const pkcs8 = derEncode(
    DER_TAG.SEQUENCE,
    concatBytes(derInteger(0n), algorithmIdentifier(), derEncode(DER_TAG.OCTET_STRING, ecPrivateKey)),
  );
  return toPem('PRIVATE KEY', pkcs8);
}

/**
 * Generates a fresh SM2 key pair as PEM (PKCS#8 + SubjectPublicKeyInfo, id-ecPublicKey on curve SM2),
 * readable by `openssl pkey` and Node's `crypto.createPrivateKey`.
 */
export function generateSm2KeyPair(): Sm2KeyPair {
  const { privateKey, publicKey } = sm2.generateKeyPairHex();
  return {
    privateKeyPem: privateKeyPemFromHex(privateKey.padStart(64, '0'), publicKey),
    publicKeyPem: publicKeyPemFromHex(publicKey),
  };
}

/** The SubjectPublicKeyInfo PEM that belongs to a private key PEM. */
export function sm2PublicKeyPemFromPrivate(privateKeyPem: string): string {
  return publicKeyPemFromHex(sm2.getPublicKeyFromPrivateKey(sm2PrivateKeyHexFromPem(privateKeyPem)));
}

/**
 * Signs `body` (the exact bytes sent) with SM2-with-SM3 and the default user ID `1234567812345678`.
 *
 * @returns base64 of the DER `SEQUENCE { r INTEGER, s INTEGER }`, ready for `X-Exchange-Signature`.
 * @throws ExchangeError('SM2_KEY_INVALID') when the key is not an SM2 private key.
 * @example signSm2(new TextEncoder().encode('<ex:Exchange…'), pem) // 'MEUCIQ…'
 */
export function signSm2(body: Uint8Array, privateKeyPem: string): string {
  const d = sm2PrivateKeyHexFromPem(privateKeyPem);
  const publicKey = sm2.getPublicKeyFromPrivateKey(d);
  const derHex = sm2.doSignature(body, d, { hash: true, der: true, publicKey, userId: SM2_DEFAULT_USER_ID });
  return Buffer.from(derHex, 'hex').toString('base64');
}

function decodeSignature(signatureB64: string): { r: bigint; s: bigint } | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureB64) || signatureB64.length % 4 !== 0) return null;
  const der = new Uint8Array(Buffer.from(signatureB64, 'base64'));
  try {
    const seq = expectDer(der, 0, DER_TAG.SEQUENCE);
    if (seq.end !== der.length) return null;
    const r = expectDer(seq.content, 0, DER_TAG.INTEGER);
    const s = expectDer(seq.content, r.end, DER_TAG.INTEGER);
    if (s.end !== seq.content.length) return null;
    const rv = derPositiveInteger(r.content);
    const sv = derPositiveInteger(s.content);
    if (rv < 1n || rv >= SM2_N || sv < 1n || sv >= SM2_N) return null;
    return { r: rv, s: sv };
  } catch {
    return null;
  }
}

/**
 * Verifies a base64 DER SM2-with-SM3 signature over `body` with the default user ID.
 * Never throws: malformed base64, non-canonical DER, out-of-range r/s, a bad key or a wrong signature all give `false`.
 * A signature made with an empty user ID (Node's `crypto.sign`) fails here by design.
 */
export function verifySm2(body: Uint8Array, signatureB64: string, publicKeyPem: string): boolean {
  try {
    const sig = decodeSignature(signatureB64);
    if (!sig) return false;
    const publicKey = sm2PublicKeyHexFromPem(publicKeyPem);
    const rawHex = sig.r.toString(16).padStart(64, '0') + sig.s.toString(16).padStart(64, '0');
    return sm2.doVerifySignature(body, rawHex, publicKey, { hash: true, userId: SM2_DEFAULT_USER_ID });
  } catch {
    return false;
  }
}

/**
 * A signing key of the bureau with its validity window. `validTo: null` means open-ended.
 *
 * @example { keyId: 'xy-psb-2026a', privateKeyPem, validFrom: new Date('2026-01-01T00:00:00+08:00'), validTo: null }
 */
export interface SignerKey {
  readonly keyId: string;
  readonly privateKeyPem: string;
  readonly validFrom: Date;
  readonly validTo: Date | null;
}

/** A public key (ours or a partner's) with its validity window, as published at `GET /exchange/v1/keys`. */
export interface VerifierKey {
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly validFrom: Date;
  readonly validTo: Date | null;
}

/** Wire form of one entry of `GET /exchange/v1/keys`. */
export interface PublishedKey {
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly validFrom: string;
  readonly validTo: string | null;
}

/** The result of signing: the header values to send. */
export interface Sm2Signature {
  readonly keyId: string;
  readonly signature: string;
}

function validAt(key: { validFrom: Date; validTo: Date | null }, at: Date): boolean {
  const t = at.getTime();
  return key.validFrom.getTime() <= t && (key.validTo === null || t < key.validTo.getTime());
}

/**
 * A set of public keys with validity windows; verifies with any key valid at the given time.
 * Used for partner keys (one store per sender code) and, through `Sm2Keyring`, for our own.
 */
export class Sm2TrustStore {
  private readonly keys: VerifierKey[];

  constructor(keys: readonly VerifierKey[]) {
    for (const k of keys) sm2PublicKeyHexFromPem(k.publicKeyPem);
    this.keys = [...keys];
  }

  /** Keys valid at `at`, newest first. */
  validKeys(at: Date = new Date()): VerifierKey[] {
    return this.keys
      .filter((k) => validAt(k, at))
      .sort((a, b) => b.validFrom.getTime() - a.validFrom.getTime());
  }

  /**
   * True when the signature verifies with a key valid at `at`; with `keyId`, only that key is tried.
   * Never throws.
   */
  verify(body: Uint8Array, signatureB64: string, opts: { keyId?: string; at?: Date } = {}): boolean {
    const candidates = this.validKeys(opts.at).filter(
      (k) => opts.keyId === undefined || k.keyId === opts.keyId,
    );
    return candidates.some((k) => verifySm2(body, signatureB64, k.publicKeyPem));
  }
}

/**
 * The bureau's signing keys across rotations: signs with the newest key valid now, verifies with any key
 * still valid, and lists the public keys to publish.
 *
 * @throws ExchangeError('SM2_KEY_INVALID') at construction for a bad key; ExchangeError('SM2_NO_SIGNING_KEY')
 *   from `sign` when no key is valid at that time.
 */
export class Sm2Keyring {
  private readonly signers: SignerKey[];
  private readonly trust: Sm2TrustStore;
  private readonly verifiers: VerifierKey[];

  constructor(keys: readonly SignerKey[]) {
    const ids = new Set<string>();
    for (const k of keys) {
      if (ids.has(k.keyId)) throw new ExchangeError('SM2_KEY_INVALID', `duplicate keyId ${k.keyId}`);
      ids.add(k.keyId);
    }
    this.signers = [...keys];
    this.verifiers = keys.map((k) => ({
      keyId: k.keyId,
      publicKeyPem: sm2PublicKeyPemFromPrivate(k.privateKeyPem),
      validFrom: k.validFrom,
      validTo: k.validTo,
    }));
    this.trust = new Sm2TrustStore(this.verifiers);
  }

  /** The key that signs at `at`: the valid one with the latest `validFrom`. */
  current(at: Date = new Date()): SignerKey {
    const key = this.signers
      .filter((k) => validAt(k, at))
      .sort((a, b) => b.validFrom.getTime() - a.validFrom.getTime())[0];
    if (!key) throw new ExchangeError('SM2_NO_SIGNING_KEY', `no signing key valid at ${at.toISOString()}`);
    return key;
  }

  /** Signs with the current key; returns the header values. */
  sign(body: Uint8Array, at: Date = new Date()): Sm2Signature {
    const key = this.current(at);
    return { keyId: key.keyId, signature: signSm2(body, key.privateKeyPem) };
  }

  /** Verifies with any of our keys valid at `at` (or only `keyId`). Never throws. */
  verify(body: Uint8Array, signatureB64: string, opts: { keyId?: string; at?: Date } = {}): boolean {
    return this.trust.verify(body, signatureB64, opts);
  }

  /** Entries for `GET /exchange/v1/keys`: current and still-valid keys (including future ones already configured). */
  published(at: Date = new Date()): PublishedKey[] {
    return this.verifiers
      .filter((k) => k.validTo === null || at.getTime() < k.validTo.getTime())
      .map((k) => ({
        keyId: k.keyId,
        publicKeyPem: k.publicKeyPem,
        validFrom: k.validFrom.toISOString(),
        validTo: k.validTo === null ? null : k.validTo.toISOString(),
      }));
  }
}
