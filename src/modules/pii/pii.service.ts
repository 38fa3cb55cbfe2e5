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

  protectPhone(raw: string): { enc: string; masked: string } {
    const v = raw.replace(/\s+/g, '');
    return { enc: this.cipher.encrypt(v), masked: maskPhone(v) };
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
