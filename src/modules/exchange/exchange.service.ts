import type { EntityManager } from '@mikro-orm/postgresql';
import { ExchangeError } from '../../../adapters/shared/errors.js';
import { findPersonalData } from '../../../adapters/shared/personal-data.js';
import {
  checkPortalBodyHtml,
  type JsonSchemaName,
  type XmlSchemaName,
  validateJson,
  validateXml,
} from '../../../adapters/shared/validate.js';
import type { Principal } from '../../graphql/auth.js';
import type { AuditService } from '../audit/audit.service.js';
import { todayInShanghai } from '../calendar/working-days.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { ExchangeHubError } from './exchange.errors.js';
import { uuidv7 } from './exchange-policy.js';
import { hubErrorOf } from './message-encoding.js';
import { appendLog } from './message-log.js';
import type { OutboxService } from './outbox.service.js';
import { insertOutbound } from './outbox.service.js';
import type { PartnerDirectory, RouteRule } from './partner-directory.js';

const XML_SCHEMAS: Record<string, XmlSchemaName> = {
  INSPECTION_RESULT_NOTICE: 'commerce-inspection-result-notice',
  CASE_REFERRAL: 'commerce-case-referral',
  PENALTY_PUBLICITY: 'commerce-penalty-publicity',
  REFERRAL_DECISION: 'inbound-referral-decision',
};
const JSON_SCHEMAS: Record<string, JsonSchemaName> = {
  INSPECTION_RESULT_NOTICE: 'culture-inspection-result-notice',
  BLACKLIST_NOTICE: 'culture-blacklist-notice',
  CASE_REFERRAL: 'culture-case-referral',
  REFERRAL_DECISION: 'inbound-referral-decision',
};

/** Delivery figures of one partner. Latencies are enqueue-to-receipt milliseconds over the last 24 h. */
export interface PartnerHealthRow {
  partnerCode: string;
  name: string;
  enabled: boolean;
  circuitOpen: boolean;
  circuitOpenUntil: Date | null;
  consecutiveFailures: number;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  pending: number;
  dead: number;
  delivered24h: number;
  p50LatencyMs: number | null;
  p99LatencyMs: number | null;
}

/** Decision on an intake record. */
export interface IntakeDecisionInput {
  decision: 'ACCEPTED' | 'DECLINED' | 'PASSED_ON';
  reason?: string | null;
  caseNo?: string | null;
  passedTo?: { code: string; name: string } | null;
  handlerName: string;
  handlerPhone?: string | null;
}

/**
 * Operations on the hub: redrive and correct-and-resend of dead letters, routing rules, partner health, intake
 * decisions. Every change is audited in the same transaction.
 */
export class ExchangeService {
  constructor(
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly directory: PartnerDirectory,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Re-sends a dead-lettered message as is (same id, same bytes).
   * @throws NotFoundError; ExchangeHubError EXCHANGE_NOT_DEAD when it is not dead-lettered.
   */
  async redrive(em: EntityManager, actor: Principal, id: string, reason: string): Promise<void> {
    const now = this.clock();
    await em.transactional(async (tx) => {
      const rows = await tx
        .getConnection()
        .execute<{ status: string; partner_code: string; message_type: string }[]>(
          `update exchange_message set status = 'PENDING', next_attempt_at = ?, attempts = 0, dead_reason = null, dead_at = null,
           created_at = ? where id = ? and status = 'DEAD' returning status, partner_code, message_type`,
          [now, now, id],
          'all',
          tx.getTransactionContext(),
        );
      if (!rows[0]) await this.assertExists(tx, id);
      if (!rows[0]) throw new ExchangeHubError('EXCHANGE_NOT_DEAD', `message ${id} is not dead-lettered`);
      if (rows[0].partner_code === 'CREDIT') {
        await tx
          .getConnection()
          .execute(
            `update exchange_credit_record set status = 'BATCHED', reason = null where batch_message_id = ? and status = 'DEAD'`,
            [id],
            'run',
            tx.getTransactionContext(),
          );
      }
      await appendLog(tx, [
        {
          at: now,
          direction: 'OUT',
          messageId: id,
          partnerCode: rows[0].partner_code,
          messageType: rows[0].message_type,
          event: 'REDRIVEN',
          bodySm3: null,
          signature: null,
          keyId: null,
          receiptNo: null,
          detail: reason,
        },
      ]);
      await this.audit.record(tx, actor, {
        action: 'exchange.redrive',
        entityType: 'ExchangeMessage',
        entityId: id,
        details: { reason },
      });
    });
  }

  /** Puts a dead-lettered credit record back in the queue; it keeps its recordId and goes into the next batch. */
  async redriveCreditRecord(
    em: EntityManager,
    actor: Principal,
    recordId: string,
    reason: string,
  ): Promise<void> {
    await em.transactional(async (tx) => {
      const rows = await tx.getConnection().execute<unknown[]>(
        `update exchange_credit_record set status = 'PENDING', batch_message_id = null, reason = null, updated_at = ?
         where record_id = ? and status = 'DEAD' returning record_id`,
        [this.clock(), recordId],
        'all',
        tx.getTransactionContext(),
      );
      if (!rows[0])
        throw new ExchangeHubError('EXCHANGE_NOT_DEAD', `credit record ${recordId} is not dead-lettered`);
      await this.audit.record(tx, actor, {
        action: 'exchange.redriveCreditRecord',
        entityType: 'ExchangeCreditRecord',
        entityId: recordId,
        details: { reason },
      });
    });
  }

  private async assertExists(em: EntityManager, id: string): Promise<void> {
    const r = await em
      .getConnection()
      .execute<unknown[]>(
        'select 1 from exchange_message where id = ?',
        [id],
        'all',
        em.getTransactionContext(),
      );
    if (!r[0]) throw new NotFoundError('ExchangeMessage', id);
  }

  /**
   * Replaces a dead-lettered message by a corrected one under a new message id that references the old one
   * (`replaces`); the old message becomes SUPERSEDED. `body` is the corrected text with the old message id (it is
   * swapped for the new one); without it the old bytes are re-sent under the new id. The new body is schema-checked.
   *
   * @returns the new message id.
   */
  async correctAndResend(
    em: EntityManager,
    actor: Principal,
    id: string,
    body: string | null,
    reason: string,
  ): Promise<string> {
    const now = this.clock();
    return em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const trx = tx.getTransactionContext();
      const rows = await conn.execute<Record<string, unknown>[]>(
        `select id, partner_code, message_type, event_type, source_id, subject_key, content_type, body, correlation_id, status
         from exchange_message where id = ? for update`,
        [id],
        'all',
        trx,
      );
      const old = rows[0];
      if (!old) throw new NotFoundError('ExchangeMessage', id);
      if (old.status !== 'DEAD')
        throw new ExchangeHubError('EXCHANGE_NOT_DEAD', `message ${id} is not dead-lettered`);
      if (old.partner_code === 'CREDIT') {
        throw new ExchangeHubError(
          'EXCHANGE_MESSAGE_INVALID',
          'credit batches are corrected record by record: fix the record and redrive it',
        );
      }
      const newId = uuidv7(now.getTime());
      const source = body ?? (old.body as Buffer).toString('utf8');
      if (!source.includes(id)) {
        throw new ValidationError([
          { field: 'body', message: `must carry the old message id ${id}, which is replaced by the new one` },
        ]);
      }
      const text = source.split(id).join(newId);
      await this.validateOutbound(
        old.partner_code as string,
        old.message_type as string,
        old.content_type as string,
        text,
      );
      const entry = await insertOutbound(tx, {
        id: newId,
        partnerCode: old.partner_code as string,
        messageType: old.message_type as string,
        eventType: (old.event_type as string | null) ?? null,
        sourceId: (old.source_id as string | null) ?? null,
        subjectKey: old.subject_key as string,
        contentType: old.content_type as string,
        body: new TextEncoder().encode(text),
        correlationId: (old.correlation_id as string | null) ?? null,
        replaces: id,
        recordIds: null,
        now,
      });
      await conn.execute(`update exchange_message set status = 'SUPERSEDED' where id = ?`, [id], 'run', trx);
      await appendLog(tx, [entry]);
      await this.audit.record(tx, actor, {
        action: 'exchange.correctAndResend',
        entityType: 'ExchangeMessage',
        entityId: id,
        details: { newMessageId: newId, reason, bodyChanged: body !== null },
      });
      return newId;
    });
  }

  private async validateOutbound(
    partner: string,
    type: string,
    contentType: string,
    text: string,
  ): Promise<void> {
    try {
      if (contentType.includes('xml')) {
        const schema = XML_SCHEMAS[type];
        if (!schema) throw new ExchangeError('SCHEMA_UNKNOWN', `no schema for ${type}`);
        const r = await validateXml(text, schema);
        if (!r.valid) throw new ExchangeError('SCHEMA_INVALID', `${type} fails its schema`, r.errors);
        const scrubbed = text.replace(/\b(uscc|code)="[^"]*"/g, '');
        const hits = findPersonalData(scrubbed);
        if (hits.length)
          throw new ExchangeError(
            'PERSONAL_DATA_REFUSED',
            `personal data may not be sent to ${partner}`,
            hits,
          );
        return;
      }
      const doc = JSON.parse(text) as Record<string, unknown>;
      if (type === 'ARTICLE') {
        const r = validateJson(doc, 'portal-article');
        if (!r.valid) throw new ExchangeError('SCHEMA_INVALID', 'article fails its schema', r.errors);
        const html = checkPortalBodyHtml(String(doc.bodyHtml ?? ''));
        if (html.length)
          throw new ExchangeError('PORTAL_HTML_REFUSED', 'bodyHtml outside the whitelist', html);
      } else {
        const schema = JSON_SCHEMAS[type];
        if (!schema) throw new ExchangeError('SCHEMA_UNKNOWN', `no schema for ${type}`);
        const r = validateJson(doc, schema);
        if (!r.valid) throw new ExchangeError('SCHEMA_INVALID', `${type} fails its schema`, r.errors);
      }
      const hits = findPersonalData(doc, { phones: type === 'ARTICLE' });
      if (hits.length)
        throw new ExchangeError('PERSONAL_DATA_REFUSED', `personal data may not be sent to ${partner}`, hits);
    } catch (err) {
      if (err instanceof SyntaxError)
        throw new ValidationError([{ field: 'body', message: 'not valid JSON' }]);
      throw hubErrorOf(err);
    }
  }

  /** Routing rules, all of them (ADMIN screen). */
  async routes(em: EntityManager): Promise<RouteRule[]> {
    this.directory.invalidate();
    return this.directory.allRoutes(em);
  }

  /** Creates or updates a routing rule; audited. */
  async upsertRoute(
    em: EntityManager,
    actor: Principal,
    input: {
      id?: string | null;
      eventType: string;
      category: string;
      partnerCode: string;
      messageType: string;
      enabled: boolean;
    },
  ): Promise<RouteRule> {
    const result = await em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const trx = tx.getTransactionContext();
      const partner = await conn.execute<unknown[]>(
        'select 1 from exchange_partner where code = ?',
        [input.partnerCode],
        'all',
        trx,
      );
      if (!partner[0])
        throw new ValidationError([
          { field: 'partnerCode', message: `unknown partner ${input.partnerCode}` },
        ]);
      let before: unknown = null;
      let rows: { id: string }[];
      if (input.id) {
        const b = await conn.execute<Record<string, unknown>[]>(
          'select * from exchange_route where id = ? for update',
          [input.id],
          'all',
          trx,
        );
        if (!b[0]) throw new NotFoundError('ExchangeRoute', input.id);
        before = b[0];
        rows = await conn.execute(
          `update exchange_route set event_type = ?, category = ?, partner_code = ?, message_type = ?, enabled = ?, updated_at = now()
           where id = ? returning id::text as id`,
          [input.eventType, input.category, input.partnerCode, input.messageType, input.enabled, input.id],
          'all',
          trx,
        );
      } else {
        rows = await conn.execute(
          `insert into exchange_route (event_type, category, partner_code, message_type, enabled) values (?, ?, ?, ?, ?)
           on conflict (event_type, category, partner_code, message_type) do update set enabled = excluded.enabled, updated_at = now()
           returning id::text as id`,
          [input.eventType, input.category, input.partnerCode, input.messageType, input.enabled],
          'all',
          trx,
        );
      }
      const after = { ...input, id: rows[0]!.id };
      await this.audit.record(tx, actor, {
        action: 'exchange.upsertRoute',
        entityType: 'ExchangeRoute',
        entityId: rows[0]!.id,
        before,
        after,
      });
      return after;
    });
    this.directory.invalidate();
    return {
      id: result.id,
      eventType: result.eventType,
      category: result.category,
      partnerCode: result.partnerCode,
      messageType: result.messageType,
      enabled: result.enabled,
    };
  }

  /** Deletes a routing rule; audited. */
  async deleteRoute(em: EntityManager, actor: Principal, id: string): Promise<boolean> {
    await em.transactional(async (tx) => {
      const b = await tx
        .getConnection()
        .execute<Record<string, unknown>[]>(
          'delete from exchange_route where id = ? returning *',
          [id],
          'all',
          tx.getTransactionContext(),
        );
      if (!b[0]) throw new NotFoundError('ExchangeRoute', id);
      await this.audit.record(tx, actor, {
        action: 'exchange.deleteRoute',
        entityType: 'ExchangeRoute',
        entityId: id,
        before: b[0],
      });
    });
    this.directory.invalidate();
    return true;
  }

  /** Health and latency per partner. */
  async health(em: EntityManager): Promise<PartnerHealthRow[]> {
    const now = this.clock();
    const rows = await em.getConnection().execute<Record<string, unknown>[]>(
      `select p.code, p.name, p.enabled, h.consecutive_failures, h.circuit_open_until, h.last_success_at, h.last_failure_at,
         (select count(*) from exchange_message m where m.partner_code = p.code and m.status in ('PENDING', 'SENDING'))::int as pending,
         (select count(*) from exchange_message m where m.partner_code = p.code and m.status = 'DEAD')::int as dead,
         l.n::int as delivered, l.p50, l.p99
       from exchange_partner p left join exchange_partner_health h on h.partner_code = p.code
       left join lateral (
         select count(*) as n,
           percentile_cont(0.5) within group (order by extract(epoch from (delivered_at - created_at)) * 1000) as p50,
           percentile_cont(0.99) within group (order by extract(epoch from (delivered_at - created_at)) * 1000) as p99
         from exchange_message m where m.partner_code = p.code and m.status = 'DELIVERED' and m.delivered_at > ?::timestamptz - interval '24 hours'
       ) l on true order by p.code`,
      [now],
    );
    return rows.map((r) => {
      const openUntil = r.circuit_open_until ? new Date(r.circuit_open_until as string) : null;
      return {
        partnerCode: r.code as string,
        name: r.name as string,
        enabled: r.enabled as boolean,
        circuitOpen: openUntil !== null && openUntil.getTime() > now.getTime(),
        circuitOpenUntil: openUntil,
        consecutiveFailures: Number(r.consecutive_failures ?? 0),
        lastSuccessAt: r.last_success_at ? new Date(r.last_success_at as string) : null,
        lastFailureAt: r.last_failure_at ? new Date(r.last_failure_at as string) : null,
        pending: Number(r.pending),
        dead: Number(r.dead),
        delivered24h: Number(r.delivered ?? 0),
        p50LatencyMs: r.p50 === null || r.p50 === undefined ? null : Math.round(Number(r.p50)),
        p99LatencyMs: r.p99 === null || r.p99 === undefined ? null : Math.round(Number(r.p99)),
      };
    });
  }

  /**
   * Decides an intake record and sends the decision back to the referring partner as REFERRAL_DECISION, in one
   * transaction; audited.
   * @throws ExchangeHubError EXCHANGE_INTAKE_DECIDED when already decided; ValidationError for a decline without reason.
   */
  async decideIntake(
    em: EntityManager,
    actor: Principal,
    id: string,
    input: IntakeDecisionInput,
  ): Promise<string> {
    if (input.decision === 'DECLINED' && !input.reason?.trim()) {
      throw new ValidationError([{ field: 'reason', message: 'a decline (不予立案) needs its reasons' }]);
    }
    if (input.decision === 'PASSED_ON' && !input.passedTo) {
      throw new ValidationError([
        { field: 'passedTo', message: 'name the competent unit it is passed on to' },
      ]);
    }
    const now = this.clock();
    return em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const trx = tx.getTransactionContext();
      const rows = await conn.execute<Record<string, unknown>[]>(
        'select * from exchange_intake where id = ? for update',
        [id],
        'all',
        trx,
      );
      const intake = rows[0];
      if (!intake) throw new NotFoundError('ExchangeIntake', id);
      if (intake.status !== 'PENDING')
        throw new ExchangeHubError(
          'EXCHANGE_INTAKE_DECIDED',
          `intake ${id} is already ${String(intake.status)}`,
        );
      const { messageIds } = await this.outbox.enqueue(tx, {
        type: 'REFERRAL_DECISION',
        sourceId: `intake:${id}`,
        subjectKey: `referral:${String(intake.referral_no)}`,
        subject: {
          name: intake.subject_name as string,
          uscc: (intake.subject_uscc as string | null) ?? null,
          category: '*',
        },
        correlatesTo: intake.inbound_message_id as string,
        payload: {
          toPartner: intake.partner_code,
          referralNo: intake.referral_no,
          decision: input.decision === 'PASSED_ON' ? 'TRANSFERRED' : input.decision,
          caseNo: input.caseNo ?? null,
          decidedOn: todayInShanghai(now),
          reason: input.reason ?? null,
          transferredTo: input.passedTo ?? null,
          handler: { name: input.handlerName, phone: input.handlerPhone ?? null },
        },
      });
      await conn.execute(
        `update exchange_intake set status = ?, decision_reason = ?, case_no = ?, passed_to = ?, decided_at = ?, decided_by = ?,
           decision_message_id = ? where id = ?`,
        [
          input.decision,
          input.reason ?? null,
          input.caseNo ?? null,
          input.passedTo ? JSON.stringify(input.passedTo) : null,
          now,
          actor.sub,
          messageIds[0] ?? null,
          id,
        ],
        'run',
        trx,
      );
      await this.audit.record(tx, actor, {
        action: 'exchange.decideIntake',
        entityType: 'ExchangeIntake',
        entityId: id,
        before: { status: intake.status },
        after: { status: input.decision, decisionMessageId: messageIds[0] ?? null },
      });
      return messageIds[0] ?? '';
    });
  }
}
