import type { EntityManager } from '@mikro-orm/postgresql';
import { EventLog } from './event-log.entity.js';
import { executeBound } from '../../db/bound.js';

/** Rows per insert statement of {@link EventService.publishMany}. */
const EVENT_BATCH = 5000;

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

  /**
   * Writes many events in the caller's transaction, in the given order (ids ascending), with one
   * insert statement per 5,000 events; the statement trigger sends one NOTIFY naming the ids as
   * runs, and every replica's bus loads them in order. Same rows and lock as `publish` one by one
   * (`publish` flushes at once, so no earlier event is left pending behind these).
   * @example await events.publishMany(em, teams.map((t) => ({ topic: 'inspectionAssigned', … })))
   * @throws Error when called outside a transaction.
   */
  async publishMany(em: EntityManager, list: readonly PublishInput[]): Promise<void> {
    if (!em.isInTransaction()) throw new Error('events must be written inside the change transaction');
    if (!list.length) return;
    await em
      .getConnection()
      .execute('select pg_advisory_xact_lock(7340032001)', [], 'all', em.getTransactionContext());
    for (let from = 0; from < list.length; from += EVENT_BATCH) {
      const rows = list.slice(from, from + EVENT_BATCH).map((e) => ({
        topic: e.topic,
        entity_type: e.entityType,
        entity_id: e.entityId,
        department_code: e.departmentCode ?? null,
        jurisdiction_code: e.jurisdictionCode ?? null,
        recipient: e.recipient ?? null,
        payload: e.payload,
      }));
      await executeBound(
        em,
        `insert into event_log (topic, entity_type, entity_id, department_code, jurisdiction_code, recipient, payload)
         select r.topic, r.entity_type, r.entity_id, r.department_code, r.jurisdiction_code, r.recipient, r.payload
           from rows from (jsonb_to_recordset(?::jsonb) as (topic text, entity_type text, entity_id text,
                  department_code text, jurisdiction_code text, recipient text, payload jsonb))
                with ordinality as r(topic, entity_type, entity_id, department_code, jurisdiction_code, recipient, payload, n)
          order by r.n`,
        [JSON.stringify(rows)],
      );
    }
  }
}
