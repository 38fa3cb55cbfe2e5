import type { EntityManager } from '@mikro-orm/postgresql';
import { sm3Hex } from '../../crypto/sm.js';
import type { Principal } from '../../graphql/auth.js';
import { Role } from '../../graphql/auth.js';
import type { PiiService } from '../pii/pii.service.js';
import { ExchangeHubError } from './exchange.errors.js';
import { shanghaiIso, uuidv7 } from './exchange-policy.js';
import {
  type PersonIds,
  creditRecordOf,
  encodeCredit,
  encodeRouted,
  materialiseCreditRecord,
} from './message-encoding.js';
import { appendLog, type LogEntry } from './message-log.js';
import type { BusinessEvent, OutboxPort } from './outbox-port.js';
import type { PartnerDirectory } from './partner-directory.js';

/** The hub acting on its own behalf (PII reads for credit reporting are logged under this principal). */
export const EXCHANGE_SYSTEM: Principal = {
  sub: 'exchange-hub',
  role: Role.EXCHANGE,
  dept: null,
  name: '数据交换',
};

const PARTNERS_BY_PAYLOAD = new Set(['CASE_REFERRAL', 'REFERRAL_DECISION']);
/** Partner kinds whose outbound subject is a market entity with a required USCC (commerce XSD, culture JSON Schema). */
const ENTITY_SUBJECT_KINDS = new Set(['XML', 'JSON']);
/** The USCC shape both schemas require (`[0-9A-Z]{18}`); the check character is not judged here. */
const USCC_SHAPE = /^[0-9A-Z]{18}$/;

/** Person ID numbers for encoders: masked from the roster, or decrypted (and the read logged) for credit. */
export function personIds(em: EntityManager, pii: PiiService): PersonIds {
  const row = async (personId: string) => {
    const r = await em
      .getConnection()
      .execute<{ id_masked: string | null; id_enc: string | null }[]>(
        'select id_masked, id_enc from person where id = ?',
        [personId],
        'all',
        em.getTransactionContext(),
      );
    if (!r[0])
      throw new ExchangeHubError('EXCHANGE_MESSAGE_INVALID', `person ${personId} is not in the roster`);
    return r[0];
  };
  return {
    masked: async (id) => (await row(id)).id_masked ?? '',
    full: async (id) => {
      const r = await row(id);
      const v = await pii.reveal(
        em,
        EXCHANGE_SYSTEM,
        { type: 'Person', id, field: 'idNumber' },
        r.id_enc,
        'credit-exchange.md: full ID number to the public credit platform',
      );
      if (!v) throw new ExchangeHubError('EXCHANGE_MESSAGE_INVALID', `person ${id} has no ID number`);
      return v;
    },
  };
}

/** Inserts an encoded outbound message row and its QUEUED log entry (caller's transaction). */
export async function insertOutbound(
  em: EntityManager,
  m: {
    id: string;
    partnerCode: string;
    messageType: string;
    eventType: string | null;
    sourceId: string | null;
    subjectKey: string;
    contentType: string;
    body: Uint8Array;
    correlationId: string | null;
    replaces: string | null;
    recordIds: readonly string[] | null;
    now: Date;
  },
): Promise<LogEntry> {
  const bodySm3 = sm3Hex(m.body);
  await em.getConnection().execute(
    `insert into exchange_message (id, partner_code, message_type, event_type, source_id, subject_key, content_type, body,
       body_sm3, correlation_id, replaces, record_ids, created_at, next_attempt_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      m.id,
      m.partnerCode,
      m.messageType,
      m.eventType,
      m.sourceId,
      m.subjectKey,
      m.contentType,
      Buffer.from(m.body),
      bodySm3,
      m.correlationId,
      m.replaces,
      m.recordIds ? JSON.stringify(m.recordIds) : null,
      m.now,
      m.now,
    ],
    'run',
    em.getTransactionContext(),
  );
  return {
    at: m.now,
    direction: 'OUT',
    messageId: m.id,
    partnerCode: m.partnerCode,
    messageType: m.messageType,
    event: m.replaces ? 'CORRECTED' : 'QUEUED',
    bodySm3,
    signature: null,
    keyId: null,
    receiptNo: null,
    detail: m.replaces ? `replaces ${m.replaces}` : null,
  };
}

/**
 * `OutboxPort` implementation: routes a business event through the routing table (data) to partner messages,
 * encodes and schema-validates each with the partner's encoder, and writes them in the caller's transaction.
 * Credit facts become credit records, batched later by the dispatcher.
 */
export class OutboxService implements OutboxPort {
  constructor(
    private readonly directory: PartnerDirectory,
    private readonly pii: PiiService,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * @throws ExchangeHubError EXCHANGE_NOT_IN_TRANSACTION outside a transaction; EXCHANGE_SCHEMA_INVALID,
   *   EXCHANGE_MESSAGE_INVALID, EXCHANGE_PERSONAL_DATA_REFUSED, EXCHANGE_BLACKLIST_NOTICE_MISSING — the caller's
   *   transaction then fails and nothing is queued.
   */
  async enqueue(em: EntityManager, event: BusinessEvent): Promise<{ messageIds: string[] }> {
    if (!em.isInTransaction()) {
      throw new ExchangeHubError(
        'EXCHANGE_NOT_IN_TRANSACTION',
        'enqueue must run in the business transaction',
      );
    }
    const now = this.clock();
    const routes = (await this.directory.allRoutes(em)).filter(
      (r) =>
        r.enabled &&
        r.eventType === event.type &&
        (r.category === '*' || r.category === event.subject.category) &&
        (!PARTNERS_BY_PAYLOAD.has(event.type) || r.partnerCode === event.payload.toPartner),
    );
    if (PARTNERS_BY_PAYLOAD.has(event.type) && routes.length === 0) {
      throw new ExchangeHubError(
        'EXCHANGE_NO_ROUTE_TARGET',
        `no enabled route sends ${event.type} to ${String(event.payload.toPartner)}`,
      );
    }
    const persons = personIds(em, this.pii);
    const ids: string[] = [];
    const log: LogEntry[] = [];
    for (const route of routes) {
      const partner = await this.directory.partner(em, route.partnerCode);
      if (!partner) throw new ExchangeHubError('EXCHANGE_PARTNER_UNKNOWN', `partner ${route.partnerCode}`);
      if (partner.kind === 'CREDIT') {
        ids.push(await this.enqueueCredit(em, event, now, persons));
        continue;
      }
      const targetId = event.subject.targetId;
      if (ENTITY_SUBJECT_KINDS.has(partner.kind) && targetId && !USCC_SHAPE.test(event.subject.uscc ?? '')) {
        // The roster lacks this target's USCC, which the partner's schema requires: hold the event
        // (the business change still commits) until the USCC is corrected; see releaseHeld.
        await em.getConnection().execute(
          `insert into exchange_held_event (id, partner_code, message_type, event_type, source_id, subject_key,
             target_id, event, reason, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, 'SUBJECT_USCC_MISSING', ?)`,
          [
            uuidv7(now.getTime()),
            partner.code,
            route.messageType,
            event.type,
            event.sourceId,
            event.subjectKey,
            targetId,
            JSON.stringify(event),
            now,
          ],
          'run',
          em.getTransactionContext(),
        );
        continue;
      }
      const out = await this.queueRouted(em, partner, route.messageType, event, now, persons);
      log.push(out.log);
      ids.push(out.id);
    }
    await appendLog(em, log);
    return { messageIds: ids };
  }

  /** Encodes (schema-checked), signs later at dispatch, and writes one outbound message. */
  private async queueRouted(
    em: EntityManager,
    partner: { code: string; kind: string; receiverCode: string; name: string },
    messageType: string,
    event: BusinessEvent,
    now: Date,
    persons: PersonIds,
  ): Promise<{ id: string; log: LogEntry }> {
    const id = uuidv7(now.getTime());
    const encoded = await encodeRouted(
      {
        code: partner.code,
        kind: partner.kind,
        receiver: { code: partner.receiverCode, name: partner.name },
      },
      messageType as never,
      event,
      { messageId: id, createdAt: shanghaiIso(now), correlationId: event.correlatesTo ?? null },
      persons,
    );
    const log = await insertOutbound(em, {
      id,
      partnerCode: partner.code,
      messageType: encoded.messageType,
      eventType: event.type,
      sourceId: event.sourceId,
      subjectKey: event.subjectKey,
      contentType: encoded.contentType,
      body: encoded.body,
      correlationId: event.correlatesTo ?? null,
      replaces: null,
      recordIds: null,
      now,
    });
    return { id, log };
  }

  /**
   * Releases held events whose target now has a USCC of the right shape: each is encoded with the
   * target's current USCC and queued as if it had just been enqueued (then signed and sent in order
   * by the dispatcher). Runs in the caller's transaction; at most `limit` per call.
   * @returns how many were released and how many are still held.
   */
  async releaseHeld(em: EntityManager, limit = 500): Promise<{ released: number; stillHeld: number }> {
    if (!em.isInTransaction()) {
      throw new ExchangeHubError('EXCHANGE_NOT_IN_TRANSACTION', 'releaseHeld must run in a transaction');
    }
    const conn = em.getConnection();
    const trx = em.getTransactionContext();
    const rows = await conn.execute<
      { id: string; partner_code: string; message_type: string; event: BusinessEvent; uscc: string }[]
    >(
      `select h.id, h.partner_code, h.message_type, h.event, t.uscc_normalised as uscc
         from exchange_held_event h join target t on t.id = h.target_id
        where h.released_at is null and t.uscc_normalised ~ ?
        order by h.created_at, h.id limit ? for update of h skip locked`,
      [USCC_SHAPE.source, limit],
      'all',
      trx,
    );
    const now = this.clock();
    const persons = personIds(em, this.pii);
    const log: LogEntry[] = [];
    for (const r of rows) {
      const partner = await this.directory.partner(em, r.partner_code);
      if (!partner) throw new ExchangeHubError('EXCHANGE_PARTNER_UNKNOWN', `partner ${r.partner_code}`);
      const event: BusinessEvent = { ...r.event, subject: { ...r.event.subject, uscc: r.uscc } };
      const out = await this.queueRouted(em, partner, r.message_type, event, now, persons);
      log.push(out.log);
      await conn.execute(
        'update exchange_held_event set released_at = ?, message_id = ? where id = ?',
        [now, out.id, r.id],
        'run',
        trx,
      );
    }
    await appendLog(em, log);
    const left = await conn.execute<{ n: number }[]>(
      'select count(*)::int as n from exchange_held_event where released_at is null',
      [],
      'all',
      trx,
    );
    return { released: rows.length, stillHeld: left[0]?.n ?? 0 };
  }

  private async enqueueCredit(
    em: EntityManager,
    event: BusinessEvent,
    now: Date,
    persons: PersonIds,
  ): Promise<string> {
    const today = shanghaiIso(now).slice(0, 10);
    const { record, holdUntil } = creditRecordOf(event, today);
    // Validate now, as it will leave (full ID number, schema, objection rule at its release date), so a bad record
    // fails the business transaction instead of dead-lettering later.
    const releaseAt = holdUntil ? `${holdUntil}T09:00:00+08:00` : shanghaiIso(now);
    await encodeCredit(uuidv7(now.getTime()), releaseAt, [await materialiseCreditRecord(record, persons)]);
    // Idempotent per recordId: a business retry of the same fact queues it once.
    await em.getConnection().execute(
      `insert into exchange_credit_record (record_id, kind, source_id, subject_key, person_id, payload, hold_until, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (record_id) do nothing`,
      [
        record.recordId,
        record.kind,
        event.sourceId,
        event.subjectKey,
        record.subject.type === 'PERSON' ? record.subject.personId : null,
        JSON.stringify(record),
        holdUntil,
        now,
        now,
      ],
      'run',
      em.getTransactionContext(),
    );
    return record.recordId;
  }
}
