import type { EntityManager } from '@mikro-orm/postgresql';
import { EventLog } from './event-log.entity.js';

export interface PublishInput {
  topic: string;
  entityType: string;
  entityId: string;
  departmentCode?: string | null;
  jurisdictionCode?: string | null;
  recipient?: string | null;
  payload: Record<string, unknown>;
}

/**
 * Writes domain events into the event log in the caller's transaction. A trigger NOTIFYs the id
 * on commit, so every replica's subscribers hear it; the log lets clients resume with `since`.
 */
export class EventService {
  async publish(em: EntityManager, e: PublishInput): Promise<void> {
    if (!em.isInTransaction()) throw new Error('events must be written inside the change transaction');
    // The audit chain's lock: event ids are then allocated in commit order, so `since` misses none.
    await em
      .getConnection()
      .execute('select pg_advisory_xact_lock(7340032001)', [], 'all', em.getTransactionContext());
    em.persist(
      em.create(EventLog, {
        topic: e.topic,
        entityType: e.entityType,
        entityId: e.entityId,
        departmentCode: e.departmentCode ?? null,
        jurisdictionCode: e.jurisdictionCode ?? null,
        recipient: e.recipient ?? null,
        payload: e.payload,
      }),
    );
    await em.flush();
  }
}
