import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type ParsedEnvelope,
  jsonEnvelopeFromValue,
  parseXmlEnvelope,
} from '../../../adapters/shared/envelope.js';
import { ExchangeError } from '../../../adapters/shared/errors.js';
import { Sm2TrustStore } from '../../../adapters/shared/sm2.js';
import {
  type JsonSchemaName,
  type XmlSchemaName,
  validateJson,
  validateXml,
} from '../../../adapters/shared/validate.js';
import { assertNoDoctype, el, renderXml, xmlAttr, xmlChild, xmlText } from '../../../adapters/shared/xml.js';
import { sm3Hex } from '../../crypto/sm.js';
import type { Logger } from '../../shared/logger.js';
import { addWorkingDays, todayInShanghai, type WorkCalendar } from '../calendar/working-days.js';
import type { PiiService } from '../pii/pii.service.js';
import { appendLog } from './message-log.js';

/** Inbound size limit (inbound-referrals.md). */
export const INBOX_MAX_BYTES = 10 * 1024 * 1024;

/** What the inbox answers: HTTP status, content type and body. */
export interface InboxAnswer {
  status: number;
  contentType: string;
  body: string;
}

const INBOUND_TYPES: Record<string, { xml: XmlSchemaName; json: JsonSchemaName }> = {
  CASE_REFERRAL: { xml: 'inbound-case-referral', json: 'inbound-case-referral' },
  NOTICE_FEEDBACK: { xml: 'inbound-notice-feedback', json: 'inbound-notice-feedback' },
  REFERRAL_DECISION: { xml: 'inbound-referral-decision', json: 'inbound-referral-decision' },
};

const INBOX_LOCK_BASE = 7_340_032_048;

function receipt(
  xml: boolean,
  status: number,
  messageId: string,
  outcome: 'ACCEPTED' | 'DUPLICATE' | 'REJECTED',
  receiptNo: string | null,
  reason: string | null,
  errors: string[] = [],
): InboxAnswer {
  if (xml) {
    return {
      status,
      contentType: 'application/xml; charset=utf-8',
      body: renderXml(
        el(
          'ex:Receipt',
          { 'xmlns:ex': 'urn:xianyou:exchange:1.0' },
          el('ex:MessageId', null, messageId || undefined),
          el('ex:Status', null, outcome),
          el('ex:ReceiptNo', null, receiptNo ?? undefined),
          el('ex:Reason', null, reason ?? (errors.length ? errors.join('; ').slice(0, 2000) : undefined)),
        ),
      ),
    };
  }
  return {
    status,
    contentType: 'application/json',
    body: JSON.stringify({
      code: status === 200 ? 0 : status,
      messageId,
      status: outcome,
      receiptNo,
      ...(reason ? { reason } : {}),
      ...(errors.length ? { errors } : {}),
    }),
  };
}

function plain(status: number, message: string): InboxAnswer {
  return { status, contentType: 'application/json', body: JSON.stringify({ code: status, message }) };
}

/** Flattened fields of an inbound body, whichever wire form it came in. */
function field(body: unknown, xml: boolean, name: string): string | undefined {
  if (xml) return xmlAttr(body, name) ?? xmlText(xmlChild(body, name[0]!.toUpperCase() + name.slice(1)));
  const v = (body as Record<string, unknown> | null)?.[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * `POST /exchange/v1/inbox` (inbound-referrals.md): size and DOCTYPE checks, the SM2 signature against the sender's
 * registered keys, the schema of the message type, deduplication by messageId, and the side effects (intake record,
 * feedback attached to the message it answers), all committed before the receipt is returned.
 */
export class InboxService {
  constructor(
    private readonly orm: MikroORM,
    private readonly pii: PiiService,
    private readonly calendar: WorkCalendar,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Handles one request; never throws for bad input. */
  async receive(
    body: Buffer,
    headers: { contentType: string; signature?: string; keyId?: string; sender?: string },
  ): Promise<InboxAnswer> {
    const ct = headers.contentType.toLowerCase();
    const xml = /\bxml\b/.test(ct);
    if (!xml && !/\bjson\b/.test(ct))
      return plain(415, 'Content-Type must be application/xml or application/json');
    if (body.length > INBOX_MAX_BYTES) return plain(413, 'body over 10 MiB');
    const text = body.toString('utf8');
    if (xml) {
      try {
        assertNoDoctype(text);
      } catch {
        return plain(400, 'DOCTYPE and entity declarations are refused');
      }
    }
    const now = this.clock();
    const em = this.orm.em.fork() as EntityManager;
    const verdict = await this.verify(em, body, headers, now);
    if (!verdict.ok) {
      this.log.warn(
        {
          security: 'exchange.inbox.signature',
          sender: headers.sender ?? null,
          keyId: headers.keyId ?? null,
          reason: verdict.reason,
        },
        'inbound message refused: signature',
      );
      return plain(401, verdict.reason);
    }
    let env: ParsedEnvelope | null = null;
    let errors: string[] = [];
    let doc: unknown;
    try {
      if (xml) env = parseXmlEnvelope(text);
      else {
        doc = JSON.parse(text) as unknown;
        env = jsonEnvelopeFromValue(doc);
      }
    } catch (err) {
      if (err instanceof ExchangeError && err.code === 'XML_DOCTYPE_REFUSED') return plain(400, err.message);
      errors = [err instanceof ExchangeError ? err.message : 'malformed body'];
    }
    const schema = env ? INBOUND_TYPES[env.header.messageType] : undefined;
    if (env && !schema) errors = [`unknown messageType ${env.header.messageType}`];
    if (env && schema) {
      const r = xml ? await validateXml(text, schema.xml) : validateJson(doc, schema.json);
      errors = r.errors;
    }
    if (env && env.header.sender.code !== headers.sender) {
      errors.push(`envelope sender ${env.header.sender.code} differs from X-Exchange-Sender`);
    }
    const messageId = env?.header.messageId ?? '';
    if (!env || errors.length > 0) {
      await em.transactional(async (tx) => {
        await this.store(tx, {
          messageId: messageId || null,
          env,
          xml,
          body,
          headers,
          partner: verdict.partner,
          status: 'REJECTED',
          receiptNo: null,
          errors,
          now,
        });
      });
      return receipt(xml, 422, messageId, 'REJECTED', null, 'SCHEMA', errors);
    }
    const envelope = env;
    const answer = await em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const trx = tx.getTransactionContext();
      await conn.execute(
        'select pg_advisory_xact_lock(?, hashtext(?))',
        [INBOX_LOCK_BASE % 2 ** 31, messageId],
        'all',
        trx,
      );
      const prior = await conn.execute<{ receipt_no: string }[]>(
        `select receipt_no from exchange_inbound where message_id = ? and status = 'ACCEPTED'`,
        [messageId],
        'all',
        trx,
      );
      if (prior[0]) return receipt(xml, 200, messageId, 'DUPLICATE', prior[0].receipt_no, null);
      const seq = await conn.execute<{ n: string }[]>(
        `select nextval('exchange_inbound_id_seq')::text as n`,
        [],
        'all',
        trx,
      );
      const receiptNo = `GA${todayInShanghai(now).replaceAll('-', '')}${seq[0]!.n.padStart(6, '0')}`;
      const inboundId = await this.store(tx, {
        messageId,
        env: envelope,
        xml,
        body,
        headers,
        partner: verdict.partner,
        status: 'ACCEPTED',
        receiptNo,
        errors: [],
        now,
        id: seq[0]!.n,
      });
      await this.apply(tx, inboundId, envelope, xml, verdict.partner, now);
      return receipt(xml, 200, messageId, 'ACCEPTED', receiptNo, null);
    });
    return answer;
  }

  private async verify(
    em: EntityManager,
    body: Buffer,
    h: { signature?: string; keyId?: string; sender?: string },
    now: Date,
  ): Promise<{ ok: true; partner: string } | { ok: false; reason: string }> {
    if (!h.signature || !h.keyId || !h.sender) {
      return {
        ok: false,
        reason: 'unsigned: X-Exchange-Signature, X-Exchange-Key-Id and X-Exchange-Sender are required',
      };
    }
    const rows = await em.getConnection().execute<Record<string, unknown>[]>(
      `select p.code, k.key_id, k.public_key_pem, k.valid_from, k.valid_to from exchange_partner p
         join exchange_partner_key k on k.partner_code = p.code where p.receiver_code = ? and p.enabled`,
      [h.sender],
    );
    if (rows.length === 0) return { ok: false, reason: `unknown sender ${h.sender}` };
    let store: Sm2TrustStore;
    try {
      store = new Sm2TrustStore(
        rows.map((r) => ({
          keyId: r.key_id as string,
          publicKeyPem: r.public_key_pem as string,
          validFrom: new Date(r.valid_from as string),
          validTo: r.valid_to ? new Date(r.valid_to as string) : null,
        })),
      );
    } catch {
      return { ok: false, reason: `sender ${h.sender} has an unusable registered key` };
    }
    if (!store.verify(new Uint8Array(body), h.signature, { keyId: h.keyId, at: now })) {
      return { ok: false, reason: `signature does not verify with key ${h.keyId} of ${h.sender}` };
    }
    return { ok: true, partner: rows[0]!.code as string };
  }

  private async store(
    em: EntityManager,
    r: {
      id?: string;
      messageId: string | null;
      env: ParsedEnvelope | null;
      xml: boolean;
      body: Buffer;
      headers: { contentType: string; signature?: string; keyId?: string; sender?: string };
      partner: string;
      status: 'ACCEPTED' | 'REJECTED';
      receiptNo: string | null;
      errors: string[];
      now: Date;
    },
  ): Promise<string> {
    const bodySm3 = sm3Hex(r.body);
    const rows = await em.getConnection().execute<{ id: string }[]>(
      `insert into exchange_inbound (${r.id ? 'id, ' : ''}message_id, message_type, partner_code, sender_code, content_type, body, body_sm3,
         signature, key_id, status, receipt_no, errors, correlation_id, received_at)
       values (${r.id ? '?, ' : ''}?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id::text as id`,
      [
        ...(r.id ? [r.id] : []),
        r.messageId,
        r.env?.header.messageType ?? null,
        r.partner,
        r.headers.sender ?? '',
        r.headers.contentType.slice(0, 64),
        r.body,
        bodySm3,
        r.headers.signature ?? '',
        r.headers.keyId ?? '',
        r.status,
        r.receiptNo,
        r.errors.length ? JSON.stringify(r.errors.slice(0, 100)) : null,
        r.env?.header.correlationId ?? null,
        r.now,
      ],
      'all',
      em.getTransactionContext(),
    );
    await appendLog(em, [
      {
        at: r.now,
        direction: 'IN',
        messageId: r.messageId ?? `inbound:${rows[0]!.id}`,
        partnerCode: r.partner,
        messageType: r.env?.header.messageType ?? null,
        event: r.status === 'ACCEPTED' ? 'RECEIVED' : 'REJECTED',
        bodySm3,
        signature: r.headers.signature ?? null,
        keyId: r.headers.keyId ?? null,
        receiptNo: r.receiptNo,
        detail: r.errors.length ? r.errors.slice(0, 5).join('; ').slice(0, 1000) : null,
      },
    ]);
    return rows[0]!.id;
  }

  private async apply(
    em: EntityManager,
    inboundId: string,
    env: ParsedEnvelope,
    xml: boolean,
    partner: string,
    now: Date,
  ): Promise<void> {
    const conn = em.getConnection();
    const trx = em.getTransactionContext();
    const b = env.body;
    if (env.header.messageType === 'CASE_REFERRAL') {
      const subject = xml ? xmlChild(b, 'Subject') : (b as Record<string, unknown>).subject;
      const idNumber = field(subject, xml, 'idNumber');
      const prot = idNumber ? this.pii.protectId(idNumber) : null;
      const violation = xml
        ? xmlChild(b, 'SuspectedViolation')
        : (b as Record<string, unknown>).suspectedViolation;
      const evidenceRaw = xml
        ? ([] as unknown[]).concat(xmlChild(xmlChild(b, 'Evidence'), 'Item') ?? [])
        : (((b as Record<string, unknown>).evidence as unknown[]) ?? []);
      const evidence = evidenceRaw.map((e) => ({
        name: field(e, xml, 'name'),
        digestAlgorithm: field(e, xml, 'digestAlgorithm'),
        digest: field(e, xml, 'digest'),
      }));
      const received = todayInShanghai(now);
      await conn.execute(
        `insert into exchange_intake (inbound_id, inbound_message_id, referral_no, partner_code, referring_code, referring_name,
           subject_name, subject_uscc, subject_id_enc, subject_id_index, subject_id_masked, suspected_kind, suspected_text, facts,
           legal_basis, evidence, referred_on, received_at, decide_by)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          inboundId,
          env.header.messageId,
          field(b, xml, 'referralNo') ?? '',
          partner,
          env.header.sender.code,
          env.header.sender.name,
          field(subject, xml, 'name') ?? '',
          field(subject, xml, 'uscc') ?? null,
          prot?.enc ?? null,
          prot?.index ?? null,
          prot?.masked ?? null,
          field(violation, xml, 'kind') ?? 'ADMINISTRATIVE',
          xml ? (xmlText(violation) ?? '') : (field(violation, false, 'text') ?? ''),
          field(b, xml, 'facts') ?? '',
          field(b, xml, 'legalBasis') ?? '',
          JSON.stringify(evidence),
          field(b, xml, 'referredOn') ?? received,
          now,
          // 3 days to decide on acceptance, counted in working days (调休 make-up days included).
          addWorkingDays(this.calendar, received, 3),
        ],
        'run',
        trx,
      );
      return;
    }
    const corr = env.header.correlationId;
    if (!corr) return;
    const feedback =
      env.header.messageType === 'NOTICE_FEEDBACK'
        ? {
            kind: 'NOTICE_FEEDBACK',
            status: field(b, xml, 'status'),
            action: field(b, xml, 'action'),
            date: field(b, xml, 'date'),
          }
        : {
            kind: 'REFERRAL_DECISION',
            decision: field(b, xml, 'decision'),
            caseNo: field(b, xml, 'caseNo') ?? null,
            decidedOn: field(b, xml, 'decidedOn'),
            reason: field(b, xml, 'reason') ?? null,
          };
    await conn.execute(
      `update exchange_message set feedback = ?, feedback_message_id = ? where id::text = ? and partner_code = ?`,
      [JSON.stringify(feedback), env.header.messageId, corr.toLowerCase(), partner],
      'run',
      trx,
    );
  }
}
