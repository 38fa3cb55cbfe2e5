import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../../graphql/auth.js';
import { Role } from '../../graphql/auth.js';
import type { AuditService } from '../audit/audit.service.js';

const RETENTION_ACTOR: Principal = { sub: 'system:retention', role: Role.ADMIN, dept: null, name: null };

/**
 * Retention of personal data (PIPL Art 19/47): a person whose every link to a target ended more
 * than `retentionDays` ago, and who is named in no recusal relationship, is anonymised — the
 * encrypted ID number, its blind index and the phone are erased and the name replaced. The
 * person row stays so that history (audit, past inspections) keeps its references.
 */
export class RetentionService {
  constructor(
    private readonly audit: AuditService,
    private readonly retentionDays: number,
  ) {}

  async anonymiseExpired(em: EntityManager, now: Date): Promise<{ anonymised: number }> {
    const cutoff = new Date(now.getTime() - this.retentionDays * 86_400_000).toISOString().slice(0, 10);
    return em.transactional(async (tx) => {
      const rows = await tx.getConnection().execute<{ id: string }[]>(
        `update person p set name = '（已匿名）', id_enc = null, id_index = null, id_masked = null, phone_enc = null, phone_masked = null,
                updated_at = now()
          where (p.id_enc is not null or p.phone_enc is not null or p.name <> '（已匿名）')
            and exists (select 1 from target_person tp where tp.person_id = p.id)
            and not exists (select 1 from target_person tp where tp.person_id = p.id and (tp.until is null or tp.until >= ?::date))
            and not exists (select 1 from relationship r where r.person_id = p.id)
          returning p.id`,
        [cutoff],
        'all',
        tx.getTransactionContext(),
      );
      if (rows.length) {
        await this.audit.record(tx, RETENTION_ACTOR, {
          action: 'pii.anonymise',
          entityType: 'Person',
          entityId: 'retention',
          details: { count: rows.length, cutoff, personIds: rows.slice(0, 1000).map((r) => r.id) },
        });
      }
      return { anonymised: rows.length };
    });
  }
}
