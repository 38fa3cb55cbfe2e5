import type { EntityManager } from '@mikro-orm/postgresql';
import { BlindIndex, FieldCipher, parseKeyring } from '../../crypto/sm.js';
import { checkCitizenId, maskIdNumber, maskPhone } from '../identity/identifiers.js';
import type { Principal } from '../../graphql/auth.js';
import { ValidationError } from '../../shared/errors.js';

export interface ProtectedId {
  enc: string;
  index: string;
  masked: string;
  valid: boolean;
}

/** An ID number checked once: its normalised spelling, check result and blind index. */
export interface InspectedId {
  value: string;
  valid: boolean;
  index: string;
}

/**
 * Personal data at rest and on read: SM4 encryption, HMAC-SM3 blind index, masking, and the
 * access record written for every clear-text read (who, when, subject, purpose).
 */
export class PiiService {
  private readonly cipher: FieldCipher;
  private readonly blind: BlindIndex;

  constructor(keyringSpec: string, indexKeyHex: string) {
    this.cipher = new FieldCipher(parseKeyring(keyringSpec));
    this.blind = new BlindIndex(Buffer.from(indexKeyHex, 'hex'));
  }

  /** Encrypts, indexes and masks an ID number; the index matches whatever spelling arrives. */
  protectId(raw: string): ProtectedId {
    const chk = checkCitizenId(raw);
    const value = chk.normalised || raw.trim();
    return {
      enc: this.cipher.encrypt(value),
      index: this.blind.index(value),
      masked: maskIdNumber(value),
      valid: chk.valid,
    };
  }

  /** Blind index of an ID number, for exact lookups. */
  indexOf(raw: string): string {
    const chk = checkCitizenId(raw);
    return this.blind.index(chk.normalised || raw.trim());
  }

  /**
   * The normalised spelling, check result and blind index of an ID number, from one check:
   * `index` equals `indexOf(raw)`, `valid` equals `checkCitizenId(raw).valid`. Feed the result to
   * `protectInspectedIds` to encrypt without checking again.
   */
  inspectId(raw: string): InspectedId {
    const chk = checkCitizenId(raw);
    const value = chk.normalised || raw.trim();
    return { value, valid: chk.valid, index: this.blind.index(value) };
  }

  /** `protectIds` for IDs already inspected with `inspectId` (same results, no second check). */
  protectInspectedIds(ids: readonly InspectedId[]): ProtectedId[] {
    const encs = this.cipher.encryptMany(ids.map((c) => c.value));
    return ids.map((c, i) => ({
      enc: encs[i] as string,
      index: c.index,
      masked: maskIdNumber(c.value),
      valid: c.valid,
    }));
  }

  /**
   * `protectId` for many values at once (same results, one random draw for all IVs). `indexes`, when
   * given, are the values' blind indexes already computed with `indexOf`, in the same order.
   */
  protectIds(raws: readonly string[], indexes?: readonly string[]): ProtectedId[] {
    const checks = raws.map((raw) => {
      const chk = checkCitizenId(raw);
      return { value: chk.normalised || raw.trim(), valid: chk.valid };
    });
    const encs = this.cipher.encryptMany(checks.map((c) => c.value));
    return checks.map((c, i) => ({
      enc: encs[i] as string,
      index: indexes?.[i] ?? this.blind.index(c.value),
      masked: maskIdNumber(c.value),
      valid: c.valid,
    }));
  }

  /** `protectPhone` for many values at once (same results, one random draw for all IVs). */
  protectPhones(raws: readonly string[]): { enc: string; masked: string }[] {
    const values = raws.map((raw) => raw.replace(/\s+/g, ''));
    const encs = this.cipher.encryptMany(values);
    return values.map((v, i) => ({ enc: encs[i] as string, masked: maskPhone(v) }));
  }

  protectPhone(raw: string): { enc: string; masked: string } {
    const v = raw.replace(/\s+/g, '');
    return { enc: this.cipher.encrypt(v), masked: maskPhone(v) };
  }

  /**
   * Seals a platform secret that is not personal data (e.g. a draw seed before its reveal) under
   * the current field key: SM4 at rest, authenticated, nothing masked and no access record.
   * Old keys stay readable while they are in the keyring; `npm run pii:rotate` re-seals.
   * @example pii.openSecret(pii.sealSecret('9f…')) // '9f…'
   */
  sealSecret(plain: string): string {
    return this.cipher.encrypt(plain);
  }

  /**
   * Opens a token written by {@link sealSecret}. Not a personal-data read: no access record.
   * @throws CryptoError when the token is malformed, altered, or under a key not in the ring.
   */
  openSecret(token: string): string {
    return this.cipher.decrypt(token);
  }

  /** True when the token was written under a key that is no longer current. */
  needsRotation(token: string): boolean {
    return this.cipher.needsRotation(token);
  }

  reencrypt(token: string): string {
    return this.cipher.encrypt(this.cipher.decrypt(token));
  }

  /**
   * Decrypts one field for a caller whose role allows it and records the read.
   * @throws ValidationError when no purpose is stated.
   */
  async reveal(
    em: EntityManager,
    actor: Principal,
    subject: { type: string; id: string; field: string },
    token: string | null,
    purpose: string,
  ): Promise<string | null> {
    if (purpose.trim().length < 2) {
      throw new ValidationError([
        { field: 'purpose', message: 'state why you need the full value (2–200 characters)' },
      ]);
    }
    if (token === null) return null;
    await em
      .getConnection()
      .execute(
        'insert into pii_access (actor_id, actor_role, actor_dept, subject_type, subject_id, field, purpose) values (?, ?, ?, ?, ?, ?, ?)',
        [
          actor.sub,
          actor.role,
          actor.dept,
          subject.type,
          subject.id,
          subject.field,
          purpose.trim().slice(0, 200),
        ],
        'run',
      );
    return this.cipher.decrypt(token);
  }
}
