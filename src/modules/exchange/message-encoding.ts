import { encodeCommerceMessage, type CommerceMessage } from '../../../adapters/commerce/encoder.js';
import { type CreditRecord, encodeCreditBatch } from '../../../adapters/credit/encoder.js';
import { encodeCultureMessage, type CultureMessage } from '../../../adapters/culture/encoder.js';
import { encodePortalArticle, type PortalColumn } from '../../../adapters/portal/encoder.js';
import {
  BUREAU_SENDER,
  type EnvelopeHeader,
  type ExchangeParty,
  renderJsonEnvelope,
  renderXmlEnvelope,
} from '../../../adapters/shared/envelope.js';
import { ExchangeError } from '../../../adapters/shared/errors.js';
import type {
  CaseReferral,
  EntitySubject,
  InspectionResultNotice,
  OutboundMeta,
  PenaltyFields,
  TargetCategoryCode,
} from '../../../adapters/shared/message-types.js';
import { assertNoPersonalData } from '../../../adapters/shared/personal-data.js';
import type { EncodedMessage } from '../../../adapters/shared/sink-types.js';
import { validateJson, validateXml } from '../../../adapters/shared/validate.js';
import { el } from '../../../adapters/shared/xml.js';
import { ExchangeHubError } from './exchange.errors.js';
import type {
  BusinessEvent,
  CaseReferralPayload,
  CreditRecordPayload,
  InspectionResultPayload,
} from './outbox-port.js';

/** PUBLICATION_ARTICLE / PUBLICATION_WITHDRAWN payload (portal-publishing.md); personal data already removed. */
export interface PublicationArticlePayload {
  column: PortalColumn;
  title: string;
  /** ISO 8601 with offset; defaults to the message's creation time. */
  publishedAt?: string | null;
  bodyHtml: string;
  attachments?: { name: string; contentType: string; base64: string }[];
}

/** BLACKLIST_NOTICE payload (culture-exchange.md): persons barred are sent with masked ID numbers. */
export interface BlacklistNoticePayload {
  persons: { personId: string; name: string; role: string }[];
  reason: { code: string; text: string };
  decisionNo: string;
  from: string;
  to: string;
}

/** REFERRAL_DECISION payload: the bureau's decision on an inbound referral, sent back to the referring partner. */
export interface ReferralDecisionPayload {
  toPartner: string;
  referralNo: string;
  decision: 'ACCEPTED' | 'DECLINED' | 'TRANSFERRED';
  caseNo?: string | null;
  decidedOn: string;
  reason?: string | null;
  transferredTo?: ExchangeParty | null;
  handler: { name: string; phone?: string | null };
}

/** Person data the encoder may need: masked for everyone, full only for credit (decrypted by the caller). */
export interface PersonIds {
  masked(personId: string): Promise<string>;
  full(personId: string): Promise<string>;
}

/** Turns adapter errors into coded hub errors that fail the caller's transaction. */
export function hubErrorOf(err: unknown): unknown {
  if (err instanceof ExchangeError) {
    const code =
      err.code === 'SCHEMA_INVALID' || err.code === 'PORTAL_HTML_REFUSED'
        ? 'EXCHANGE_SCHEMA_INVALID'
        : err.code === 'PERSONAL_DATA_REFUSED'
          ? 'EXCHANGE_PERSONAL_DATA_REFUSED'
          : 'EXCHANGE_MESSAGE_INVALID';
    return new ExchangeHubError(code, err.message, { adapterCode: err.code, errors: [...err.details] });
  }
  return err;
}

function need<T>(v: T | null | undefined, what: string): T {
  if (v === null || v === undefined || v === '') {
    throw new ExchangeHubError('EXCHANGE_MESSAGE_INVALID', `${what} is required for this message`);
  }
  return v;
}

function entity(event: BusinessEvent): EntitySubject {
  const s = event.subject;
  return {
    uscc: need(s.uscc, 'subject.uscc'),
    name: s.name,
    category: s.category as TargetCategoryCode,
    ...(s.licenceNo ? { licenseNo: s.licenceNo } : {}),
  };
}

function notice(event: BusinessEvent): InspectionResultNotice {
  const p = event.payload as unknown as InspectionResultPayload;
  return {
    noticeNo: p.noticeNo,
    needFeedback: p.needFeedback,
    subject: entity(event),
    inspection: {
      id: p.inspectionId,
      itemCode: p.itemCode,
      implementationCode: p.implementationCode,
      inspectedOn: p.inspectedOn,
      outcome: p.outcome as InspectionResultNotice['inspection']['outcome'],
    },
    findings: (p.findings ?? []).map((f) => ({ code: f.code, severity: f.severity, text: f.text })),
    measures: (p.measures ?? []).map((m) => ({
      kind: m.kind as InspectionResultNotice['measures'][number]['kind'],
      ...(m.deadline ? { deadline: m.deadline } : {}),
    })),
    contact: p.contact,
  };
}

function referral(event: BusinessEvent): CaseReferral {
  const p = event.payload as unknown as CaseReferralPayload & {
    suspectedKind?: 'ADMINISTRATIVE' | 'CRIMINAL';
  };
  return {
    referralNo: p.referralNo,
    referredOn: p.referredOn,
    subject: entity(event),
    suspectedViolation: { kind: p.suspectedKind ?? 'ADMINISTRATIVE', text: p.suspectedViolation },
    facts: p.facts,
    legalBasis: (p.legalBasis ?? []).join('；'),
    evidence: (p.evidence ?? []).map((e) => ({
      name: e.name,
      digestAlgorithm: e.algorithm,
      digest: e.digest,
    })),
    contact: p.contact,
  };
}

async function encodeReferralDecision(
  partner: { code: string; kind: string; receiver: ExchangeParty },
  meta: OutboundMeta,
  p: ReferralDecisionPayload,
): Promise<EncodedMessage> {
  const header: EnvelopeHeader = {
    messageId: meta.messageId,
    messageType: 'REFERRAL_DECISION',
    schemaVersion: '1.0',
    sender: BUREAU_SENDER,
    receiver: partner.receiver,
    createdAt: meta.createdAt,
    correlationId: meta.correlationId ?? null,
  };
  if (partner.kind === 'XML') {
    const xml = renderXmlEnvelope(
      header,
      el(
        'ex:ReferralDecision',
        {
          referralNo: p.referralNo,
          decision: p.decision,
          caseNo: p.caseNo ?? undefined,
          decidedOn: p.decidedOn,
        },
        p.reason ? el('ex:Reason', null, p.reason) : null,
        p.transferredTo ? el('ex:TransferredTo', { code: p.transferredTo.code }, p.transferredTo.name) : null,
        el('ex:Handler', { name: p.handler.name, phone: p.handler.phone ?? undefined }),
      ),
    );
    const r = await validateXml(xml, 'inbound-referral-decision');
    if (!r.valid) throw new ExchangeError('SCHEMA_INVALID', 'REFERRAL_DECISION fails its schema', r.errors);
    return {
      partner: 'COMMERCE',
      messageId: meta.messageId,
      messageType: 'REFERRAL_DECISION',
      contentType: 'application/xml; charset=utf-8',
      body: new TextEncoder().encode(xml),
    };
  }
  const payload = {
    referralNo: p.referralNo,
    decision: p.decision,
    ...(p.caseNo ? { caseNo: p.caseNo } : {}),
    decidedOn: p.decidedOn,
    ...(p.reason ? { reason: p.reason } : {}),
    ...(p.transferredTo ? { transferredTo: p.transferredTo } : {}),
    handler: { name: p.handler.name, ...(p.handler.phone ? { phone: p.handler.phone } : {}) },
  };
  const text = renderJsonEnvelope(header, payload);
  assertNoPersonalData(payload, partner.code);
  const r = validateJson(JSON.parse(text) as unknown, 'inbound-referral-decision');
  if (!r.valid) throw new ExchangeError('SCHEMA_INVALID', 'REFERRAL_DECISION fails its schema', r.errors);
  return {
    partner: 'CULTURE',
    messageId: meta.messageId,
    messageType: 'REFERRAL_DECISION',
    contentType: 'application/json',
    body: new TextEncoder().encode(text),
  };
}

/**
 * Encodes one routed message (not credit: see `creditRecordOf`) with the partner's own encoder, which validates
 * against the schema under `schema/exchange/` before anything is queued.
 *
 * @throws ExchangeHubError EXCHANGE_SCHEMA_INVALID | EXCHANGE_MESSAGE_INVALID | EXCHANGE_PERSONAL_DATA_REFUSED
 */
export async function encodeRouted(
  partner: { code: string; kind: string; receiver: ExchangeParty },
  messageType: string,
  event: BusinessEvent,
  meta: OutboundMeta,
  persons: PersonIds,
): Promise<EncodedMessage> {
  try {
    const m = { ...meta, receiver: partner.receiver };
    if (messageType === 'REFERRAL_DECISION') {
      return await encodeReferralDecision(partner, m, event.payload as unknown as ReferralDecisionPayload);
    }
    if (partner.kind === 'XML') {
      let msg: CommerceMessage;
      if (messageType === 'INSPECTION_RESULT_NOTICE') msg = { messageType, meta: m, notice: notice(event) };
      else if (messageType === 'CASE_REFERRAL') msg = { messageType, meta: m, referral: referral(event) };
      else if (messageType === 'PENALTY_PUBLICITY') {
        msg = { messageType, meta: m, penalty: event.payload as unknown as PenaltyFields };
      } else
        throw new ExchangeHubError(
          'EXCHANGE_MESSAGE_INVALID',
          `${partner.code} does not take ${messageType}`,
        );
      return await encodeCommerceMessage(msg);
    }
    if (partner.kind === 'JSON') {
      let msg: CultureMessage;
      if (messageType === 'INSPECTION_RESULT_NOTICE') msg = { messageType, meta: m, notice: notice(event) };
      else if (messageType === 'CASE_REFERRAL') msg = { messageType, meta: m, referral: referral(event) };
      else if (messageType === 'BLACKLIST_NOTICE') {
        const p = event.payload as unknown as BlacklistNoticePayload;
        const barred = [];
        for (const x of p.persons ?? []) {
          barred.push({ name: x.name, idNumber: await persons.masked(x.personId), role: creditRole(x.role) });
        }
        msg = {
          messageType,
          meta: m,
          blacklist: {
            subject: entity(event),
            persons: barred,
            reason: p.reason,
            decisionNo: p.decisionNo,
            from: p.from,
            to: p.to,
          },
        };
      } else
        throw new ExchangeHubError(
          'EXCHANGE_MESSAGE_INVALID',
          `${partner.code} does not take ${messageType}`,
        );
      return await encodeCultureMessage(msg);
    }
    if (partner.kind === 'PORTAL' && messageType === 'ARTICLE') {
      const p = event.payload as unknown as PublicationArticlePayload;
      return await encodePortalArticle({
        messageId: meta.messageId,
        column: p.column,
        title: p.title,
        publishedAt: p.publishedAt ?? meta.createdAt,
        bodyHtml: p.bodyHtml,
        attachments: p.attachments ?? [],
        withdraws: event.type === 'PUBLICATION_WITHDRAWN' ? need(event.correlatesTo, 'correlatesTo') : null,
      });
    }
    throw new ExchangeHubError('EXCHANGE_MESSAGE_INVALID', `${partner.code} does not take ${messageType}`);
  } catch (err) {
    throw hubErrorOf(err);
  }
}

function creditRole(role: string): 'LEGAL_REP' | 'RESPONSIBLE_PERSON' | 'OPERATOR' | 'STAFF' {
  if (role === 'LEGAL_REP' || role === 'OPERATOR' || role === 'STAFF') return role;
  return 'RESPONSIBLE_PERSON';
}

/**
 * A credit record as stored in the outbox: a person is kept by roster id only; the full ID number is decrypted when
 * the batch is built (and only for the credit partner).
 */
type WithoutSubject<T> = T extends unknown ? Omit<T, 'subject'> : never;

export type StoredCreditRecord = WithoutSubject<CreditRecord> & {
  subject:
    | { type: 'ENTITY'; uscc: string; name: string }
    | { type: 'PERSON'; personId: string; name: string; role: ReturnType<typeof creditRole> };
};

function addDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * Builds the credit record of a CREDIT_RECORD / BLACKLIST_ADD / BLACKLIST_REMOVE event and the date before which it
 * may not leave (BLACKLIST_ADD: the day after the objection deadline when no objection was raised).
 *
 * @throws ExchangeHubError EXCHANGE_BLACKLIST_NOTICE_MISSING when a BLACKLIST_ADD lacks the notice proof.
 */
export function creditRecordOf(
  event: BusinessEvent,
  today: string,
): { record: StoredCreditRecord; holdUntil: string | null } {
  const p = event.payload as unknown as CreditRecordPayload & {
    inspection?: { id: string; itemCode?: string; inspectedOn: string; outcome: string } | null;
  };
  const recordId = need(p.recordId, 'payload.recordId');
  const subject: StoredCreditRecord['subject'] =
    p.subjectType === 'PERSON'
      ? {
          type: 'PERSON',
          personId: need(p.person?.personId, 'payload.person.personId'),
          name: need(p.person?.name, 'payload.person.name'),
          role: creditRole(p.person?.role ?? ''),
        }
      : { type: 'ENTITY', uscc: need(event.subject.uscc, 'subject.uscc'), name: event.subject.name };
  if (event.type === 'CREDIT_RECORD') {
    const ins = need(p.inspection, 'payload.inspection');
    return {
      record: {
        recordId,
        kind: 'CREDIT_RECORD',
        subject,
        inspection: {
          id: ins.id,
          ...(ins.itemCode ? { itemCode: ins.itemCode } : {}),
          inspectedOn: ins.inspectedOn,
          outcome: ins.outcome,
        },
        fact: { polarity: p.polarity ?? 'NEGATIVE', code: p.reason.code, text: p.reason.text },
      },
      holdUntil: null,
    };
  }
  if (event.type === 'BLACKLIST_ADD') {
    if (!p.notice) {
      throw new ExchangeHubError(
        'EXCHANGE_BLACKLIST_NOTICE_MISSING',
        'BLACKLIST_ADD needs payload.notice: the party must be notified and the objection period passed or decided',
      );
    }
    const decision = need(p.decision, 'payload.decision');
    const hold =
      p.notice.objection === 'NONE' && !(p.notice.objectionDeadline < today)
        ? addDay(p.notice.objectionDeadline)
        : null;
    return {
      record: {
        recordId,
        kind: 'BLACKLIST_ADD',
        subject,
        reason: p.reason,
        decision,
        validity: need(p.validity, 'payload.validity'),
        notice: {
          date: p.notice.givenOn,
          objectionDeadline: p.notice.objectionDeadline,
          objection: p.notice.objection,
        },
      },
      holdUntil: hold,
    };
  }
  const removal = p.removalReason === 'OBJECTION_UPHELD' ? 'REVOKED_ON_OBJECTION' : p.removalReason;
  if (removal !== 'EXPIRY' && removal !== 'REPAIR' && removal !== 'REVOKED_ON_OBJECTION') {
    throw new ExchangeHubError(
      'EXCHANGE_MESSAGE_INVALID',
      'payload.removalReason must be EXPIRY, REPAIR or OBJECTION_UPHELD',
    );
  }
  const decision = need(p.decision, 'payload.decision');
  return {
    record: {
      recordId,
      kind: 'BLACKLIST_REMOVE',
      subject,
      removal: {
        reason: removal,
        date: decision.date,
        addDecisionNo: decision.no,
        ...(p.reason?.text ? { note: p.reason.text } : {}),
      },
    },
    holdUntil: null,
  };
}

/** The record as the credit encoder takes it, with the person's full ID number filled in. */
export async function materialiseCreditRecord(
  r: StoredCreditRecord,
  persons: PersonIds,
): Promise<CreditRecord> {
  if (r.subject.type === 'ENTITY') return r as CreditRecord;
  const { personId, ...rest } = r.subject;
  return { ...r, subject: { ...rest, idNumber: await persons.full(personId) } } as CreditRecord;
}

/**
 * Encodes a credit batch (1–500 records, validated against `credit-batch.xsd`).
 * @throws ExchangeHubError as `encodeRouted`.
 */
export async function encodeCredit(
  messageId: string,
  createdAt: string,
  records: CreditRecord[],
): Promise<EncodedMessage> {
  try {
    return await encodeCreditBatch({ messageId, createdAt, records });
  } catch (err) {
    throw hubErrorOf(err);
  }
}
