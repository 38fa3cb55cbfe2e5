import { execFileSync } from 'node:child_process';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExchangeError } from './errors.js';
import {
  Sm2Keyring,
  Sm2TrustStore,
  generateSm2KeyPair,
  signSm2,
  sm2PublicKeyPemFromPrivate,
  verifySm2,
} from './sm2.js';

const dir = mkdtempSync(join(tmpdir(), 'sm2-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DISTID = 'distid:1234567812345678';
const body = new TextEncoder().encode(
  '<?xml version="1.0" encoding="UTF-8"?>\n<ex:Exchange>仙游县公安局 &amp; 0071X</ex:Exchange>',
);

function file(name: string, data: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

function opensslVerify(msg: Uint8Array, sigDer: Uint8Array, publicKeyPem: string, distid = DISTID): boolean {
  const args = ['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin'];
  args.push(
    '-inkey',
    file('pub.pem', publicKeyPem),
    '-in',
    file('msg.bin', msg),
    '-sigfile',
    file('sig.der', sigDer),
  );
  args.push('-pkeyopt', distid);
  try {
    execFileSync('openssl', args, { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function opensslSign(msg: Uint8Array, privateKeyPem: string): Uint8Array {
  const out = join(dir, 'ossl-sig.der');
  execFileSync(
    'openssl',
    ['pkeyutl', '-sign', '-rawin', '-digest', 'sm3', '-inkey', file('priv.pem', privateKeyPem)].concat([
      '-in',
      file('msg2.bin', msg),
      '-out',
      out,
      '-pkeyopt',
      DISTID,
    ]),
    { stdio: 'pipe' },
  );
  return new Uint8Array(readFileSync(out));
}

function opensslGenerate(): { privateKeyPem: string; publicKeyPem: string } {
  const priv = join(dir, 'ossl-key.pem');
  execFileSync('openssl', ['genpkey', '-algorithm', 'SM2', '-out', priv], { stdio: 'pipe' });
  const pub = execFileSync('openssl', ['pkey', '-in', priv, '-pubout'], { stdio: 'pipe' }).toString();
  return { privateKeyPem: readFileSync(priv, 'utf8'), publicKeyPem: pub };
}

describe('SM2 with SM3, default user ID', () => {
  const ours = generateSm2KeyPair();

  it('generates PEM keys OpenSSL reads as SM2', () => {
    const text = execFileSync('openssl', [
      'pkey',
      '-in',
      file('gen.pem', ours.privateKeyPem),
      '-text',
      '-noout',
    ])
      .toString()
      .toLowerCase();
    expect(text).toContain('sm2');
    const pub = execFileSync('openssl', [
      'pkey',
      '-in',
      file('gen.pem', ours.privateKeyPem),
      '-pubout',
    ]).toString();
    expect(pub).toBe(ours.publicKeyPem);
    expect(sm2PublicKeyPemFromPrivate(ours.privateKeyPem)).toBe(ours.publicKeyPem);
  });

  it('signs what the OpenSSL CLI verifies with distid 1234567812345678', () => {
    const sig = signSm2(body, ours.privateKeyPem);
    expect(verifySm2(body, sig, ours.publicKeyPem)).toBe(true);
    expect(opensslVerify(body, Buffer.from(sig, 'base64'), ours.publicKeyPem)).toBe(true);
  });

  it('is refused by OpenSSL with an empty / other user ID (the ID really is in the hash)', () => {
    const sig = Buffer.from(signSm2(body, ours.privateKeyPem), 'base64');
    expect(opensslVerify(body, sig, ours.publicKeyPem, 'distid:')).toBe(false);
    expect(opensslVerify(body, sig, ours.publicKeyPem, 'distid:8765432187654321')).toBe(false);
  });

  it('verifies what the OpenSSL CLI signs, with OpenSSL-generated keys', () => {
    const keys = opensslGenerate();
    const sig = opensslSign(body, keys.privateKeyPem);
    expect(verifySm2(body, Buffer.from(sig).toString('base64'), keys.publicKeyPem)).toBe(true);
    const ourSig = signSm2(body, keys.privateKeyPem);
    expect(opensslVerify(body, Buffer.from(ourSig, 'base64'), keys.publicKeyPem)).toBe(true);
  });

  it('fails on a tampered byte, in the body or in the signature', () => {
    const sig = signSm2(body, ours.privateKeyPem);
    const tampered = Uint8Array.from(body);
    tampered[10] ^= 0x01;
    expect(verifySm2(tampered, sig, ours.publicKeyPem)).toBe(false);
    const sigBytes = Buffer.from(sig, 'base64');
    sigBytes[sigBytes.length - 1] ^= 0x01;
    expect(verifySm2(body, sigBytes.toString('base64'), ours.publicKeyPem)).toBe(false);
  });

  it('fails with the wrong public key', () => {
    const other = generateSm2KeyPair();
    expect(verifySm2(body, signSm2(body, ours.privateKeyPem), other.publicKeyPem)).toBe(false);
  });

  it("refuses a signature made by Node's crypto.sign (empty user ID)", () => {
    const key = createPrivateKey(ours.privateKeyPem);
    const nodeSig = nodeSign(null, body, key);
    // Node's own verifier accepts it: the failure below is about the user ID, not a broken signature.
    expect(nodeVerify(null, body, createPublicKey(ours.publicKeyPem), nodeSig)).toBe(true);
    expect(verifySm2(body, nodeSig.toString('base64'), ours.publicKeyPem)).toBe(false);
    expect(opensslVerify(body, nodeSig, ours.publicKeyPem)).toBe(false);
  });

  it('never throws on garbage: returns false', () => {
    const sig = signSm2(body, ours.privateKeyPem);
    for (const bad of ['', 'not base64!', 'AAAA', 'MAYCAQECAQE=', sig.slice(0, -4), `${sig}AA==`]) {
      expect(verifySm2(body, bad, ours.publicKeyPem)).toBe(false);
    }
    expect(verifySm2(body, sig, 'not a pem')).toBe(false);
    const rsaPub = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    expect(verifySm2(body, sig, rsaPub.toString())).toBe(false);
  });

  it('refuses non-SM2 private keys with a coded error', () => {
    const p256 = execFileSync('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
    ]);
    expect(() => signSm2(body, p256.toString())).toThrow(ExchangeError);
    try {
      signSm2(body, p256.toString());
    } catch (err) {
      expect((err as ExchangeError).code).toBe('SM2_KEY_INVALID');
    }
  });
});

describe('key rotation', () => {
  const oldKey = generateSm2KeyPair();
  const newKey = generateSm2KeyPair();
  const ring = new Sm2Keyring([
    {
      keyId: 'k2025',
      privateKeyPem: oldKey.privateKeyPem,
      validFrom: new Date('2025-01-01T00:00:00+08:00'),
      validTo: new Date('2027-03-31T00:00:00+08:00'),
    },
    {
      keyId: 'k2026',
      privateKeyPem: newKey.privateKeyPem,
      validFrom: new Date('2026-12-01T00:00:00+08:00'),
      validTo: null,
    },
  ]);

  it('signs with the newest key valid at the time', () => {
    expect(ring.sign(body, new Date('2026-06-01T00:00:00+08:00')).keyId).toBe('k2025');
    expect(ring.sign(body, new Date('2026-12-02T00:00:00+08:00')).keyId).toBe('k2026');
  });

  it('verifies old signatures until the old key ends, then refuses them', () => {
    const { signature, keyId } = ring.sign(body, new Date('2026-06-01T00:00:00+08:00'));
    expect(ring.verify(body, signature, { keyId, at: new Date('2027-01-01T00:00:00+08:00') })).toBe(true);
    expect(ring.verify(body, signature, { at: new Date('2027-01-01T00:00:00+08:00') })).toBe(true);
    expect(ring.verify(body, signature, { keyId: 'k2026', at: new Date('2027-01-01T00:00:00+08:00') })).toBe(
      false,
    );
    expect(ring.verify(body, signature, { at: new Date('2027-04-01T00:00:00+08:00') })).toBe(false);
  });

  it('publishes current and still-valid keys', () => {
    const pub = ring.published(new Date('2027-01-01T00:00:00+08:00'));
    expect(pub.map((k) => k.keyId)).toEqual(['k2025', 'k2026']);
    expect(ring.published(new Date('2027-05-01T00:00:00+08:00')).map((k) => k.keyId)).toEqual(['k2026']);
    const store = new Sm2TrustStore(
      pub.map((k) => ({
        ...k,
        validFrom: new Date(k.validFrom),
        validTo: k.validTo ? new Date(k.validTo) : null,
      })),
    );
    const { signature } = ring.sign(body, new Date('2027-01-01T00:00:00+08:00'));
    expect(store.verify(body, signature, { at: new Date('2027-01-01T00:00:00+08:00') })).toBe(true);
  });

  it('has no signing key before any key is valid', () => {
    expect(() => ring.sign(body, new Date('2020-01-01T00:00:00Z'))).toThrow(/no signing key/);
  });
});
