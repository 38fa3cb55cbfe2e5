import { penaltyElements } from '../commerce/encoder.js';
import { BUREAU_SENDER, type ExchangeParty } from '../shared/envelope.js';
import { ExchangeError } from '../shared/errors.js';
import type { PenaltyFields } from '../shared/message-types.js';
import { assertPublishablePenalty } from '../shared/penalty.js';
import type { EncodedMessage } from '../shared/sink-types.js';
import { validateXml } from '../shared/validate.js';
import { type XmlElement, el, renderXml } from '../shared/xml.js';

/** Namespace of credit batches and receipts (credit-exchange.md). */
export const CREDIT_NS = 'urn:xianyou:credit:1.0';

/** Default receiver code (credit-exchange.md); credit batches carry no Receiver element. */
export const CREDIT_RECEIVER_CODE = '11350300MB22222219';

export const CREDIT_CONTENT_TYPE = 'application/xml; charset=utf-8';

/** 1–500 records per batch. */
export const CREDIT_MAX_RECORDS = 500;

/** Entity (by USCC) or natural person (by full ID number: the only partner that receives it unmasked). */
export type CreditSubject =
  | { readonly type: 'ENTITY'; readonly uscc: string; readonly name: string }
  | {
      readonly type: 'PERSON';
      readonly idNumber: string;
      readonly name: string;
      readonly role?: 'LEGAL_REP' | 'RESPONSIBLE_PERSON' | 'OPERATOR' | 'STAFF';
    };

interface RecordBase {
  /** Stable across retries; never in two batches at once. */
  readonly recordId: string;
  readonly subject: CreditSubject;
}

/** One record of a batch, by kind. */
export type CreditRecord =
  | (RecordBase & {
      readonly kind: 'CREDIT_RECORD';
      readonly inspection: {
        readonly id: string;
        readonly itemCode?: string;
        readonly inspectedOn: string;
        readonly outcome: string;
      };
      readonly fact: {
        readonly polarity: 'POSITIVE' | 'NEGATIVE';
        readonly code?: string;
        readonly text: string;
      };
    })
  | (RecordBase & {
      readonly kind: 'BLACKLIST_ADD';
      readonly reason: { readonly code: string; readonly text: string };
      readonly decision: { readonly no: string; readonly date: string };
      readonly validity: { readonly from: string; readonly to: string };
      /** Prior notice of reasons, basis and rights, and the objection outcome (国办发〔2020〕49号). */
      readonly notice: {
        readonly date: string;
        readonly objectionDeadline: string;
        readonly objection: 'NONE' | 'DISMISSED';
      };
    })
  | (RecordBase & {
      readonly kind: 'BLACKLIST_REMOVE';
      readonly removal: {
        readonly reason: 'EXPIRY' | 'REPAIR' | 'REVOKED_ON_OBJECTION';
        readonly date: string;
        /** Decision number of the BLACKLIST_ADD this ends. */
        readonly addDecisionNo: string;
        readonly note?: string;
      };
    })
  | (RecordBase & { readonly kind: 'PENALTY'; readonly penalty: PenaltyFields });

/** A credit batch. */
export interface CreditBatch {
  readonly messageId: string;
  /** ISO 8601 with offset; its Asia/Shanghai date is "today" for the objection-period rule. */
  readonly createdAt: string;
  readonly sender?: ExchangeParty;
  readonly records: readonly CreditRecord[];
}

function subjectElement(s: CreditSubject): XmlElement {
  return s.type === 'ENTITY'
    ? el('cr:Subject', { uscc: s.uscc, name: s.name })
    : el('cr:Subject', { idNumber: s.idNumber, name: s.name, role: s.role });
}

function localDate(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new ExchangeError('MESSAGE_INVALID', `createdAt is not a date-time: ${iso}`);
  return new Date(t + 8 * 3600_000).toISOString().slice(0, 10);
}

function recordElement(r: CreditRecord, today: string): XmlElement {
  const attrs = { recordId: r.recordId, kind: r.kind, subjectType: r.subject.type };
  const subject = subjectElement(r.subject);
  switch (r.kind) {
    case 'CREDIT_RECORD':
      return el(
        'cr:Record',
        attrs,
        subject,
        el('cr:Inspection', {
          id: r.inspection.id,
          itemCode: r.inspection.itemCode,
          inspectedOn: r.inspection.inspectedOn,
          outcome: r.inspection.outcome,
        }),
        el('cr:Fact', { polarity: r.fact.polarity, code: r.fact.code }, r.fact.text),
      );
    case 'BLACKLIST_ADD':
      if (r.notice.objection === 'NONE' && !(r.notice.objectionDeadline < today)) {
        throw new ExchangeError(
          'MESSAGE_INVALID',
          `BLACKLIST_ADD ${r.recordId}: the objection period runs until ${r.notice.objectionDeadline}`,
        );
      }
      if (!(r.notice.date <= r.decision.date)) {
        throw new ExchangeError(
          'MESSAGE_INVALID',
          `BLACKLIST_ADD ${r.recordId}: notice must precede the decision`,
        );
      }
      return el(
        'cr:Record',
        attrs,
        subject,
        el('cr:Reason', { code: r.reason.code }, r.reason.text),
        el('cr:Decision', { no: r.decision.no, date: r.decision.date }),
        el('cr:Validity', { from: r.validity.from, to: r.validity.to }),
        el('cr:NoticeGiven', {
          date: r.notice.date,
          objectionDeadline: r.notice.objectionDeadline,
          objection: r.notice.objection,
        }),
      );
    case 'BLACKLIST_REMOVE':
      return el(
        'cr:Record',
        attrs,
        subject,
        el(
          'cr:Removal',
          { reason: r.removal.reason, date: r.removal.date, addDecisionNo: r.removal.addDecisionNo },
          r.removal.note,
        ),
      );
    case 'PENALTY':
      assertPublishablePenalty(r.penalty.categories);
      return el('cr:Record', attrs, subject, el('cr:Penalty', null, ...penaltyElements('cr', r.penalty)));
  }
}

/**
 * Encodes a credit batch (credit-exchange.md) and validates it against `credit-batch.xsd`. Full ID numbers are
 * allowed here, and only here.
 *
 * @throws ExchangeError('MESSAGE_INVALID') for 0 or more than 500 records, repeated recordIds, or a BLACKLIST_ADD whose
 *   objection period is still open; ExchangeError('SCHEMA_INVALID') listing the XSD errors.
 */
export async function encodeCreditBatch(batch: CreditBatch): Promise<EncodedMessage> {
  if (batch.records.length === 0 || batch.records.length > CREDIT_MAX_RECORDS) {
    throw new ExchangeError(
      'MESSAGE_INVALID',
      `a batch carries 1–${CREDIT_MAX_RECORDS} records, not ${batch.records.length}`,
    );
  }
  const ids = new Set(batch.records.map((r) => r.recordId));
  if (ids.size !== batch.records.length)
    throw new ExchangeError('MESSAGE_INVALID', 'recordIds repeat within the batch');
  const today = localDate(batch.createdAt);
  const sender = batch.sender ?? BUREAU_SENDER;
  const xml = renderXml(
    el(
      'cr:CreditBatch',
      { 'xmlns:cr': CREDIT_NS, schemaVersion: '1.0' },
      el(
        'cr:Header',
        null,
        el('cr:MessageId', null, batch.messageId),
        el('cr:Sender', { code: sender.code }, sender.name),
        el('cr:CreatedAt', null, batch.createdAt),
      ),
      el('cr:Records', null, ...batch.records.map((r) => recordElement(r, today))),
    ),
  );
  const result = await validateXml(xml, 'credit-batch');
  if (!result.valid)
    throw new ExchangeError('SCHEMA_INVALID', 'credit batch fails its schema', result.errors);
  return {
    partner: 'CREDIT',
    messageId: batch.messageId,
    messageType: 'CREDIT_BATCH',
    contentType: CREDIT_CONTENT_TYPE,
    body: new TextEncoder().encode(xml),
    recordIds: batch.records.map((r) => r.recordId),
  };
}
