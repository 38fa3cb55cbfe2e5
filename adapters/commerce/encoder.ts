import {
  BUREAU_SENDER,
  type EnvelopeHeader,
  type ExchangeParty,
  renderXmlEnvelope,
} from '../shared/envelope.js';
import { ExchangeError } from '../shared/errors.js';
import type {
  CaseReferral,
  InspectionResultNotice,
  OutboundMeta,
  PenaltyFields,
} from '../shared/message-types.js';
import { fenToWan, assertPublishablePenalty } from '../shared/penalty.js';
import { assertNoPersonalData } from '../shared/personal-data.js';
import type { EncodedMessage } from '../shared/sink-types.js';
import { type XmlSchemaName, validateXml } from '../shared/validate.js';
import { type XmlElement, el } from '../shared/xml.js';

/** Default receiver (commerce-exchange.md); configurable per deployment. */
export const COMMERCE_RECEIVER: ExchangeParty = { code: '11350322MB00000005', name: '仙游县市场监督管理局' };

export const COMMERCE_CONTENT_TYPE = 'application/xml; charset=utf-8';

/** A typed outbound message to market regulation, one variant per `MessageType`. */
export type CommerceMessage =
  | {
      readonly messageType: 'INSPECTION_RESULT_NOTICE';
      readonly meta: OutboundMeta;
      readonly notice: InspectionResultNotice;
    }
  | { readonly messageType: 'CASE_REFERRAL'; readonly meta: OutboundMeta; readonly referral: CaseReferral }
  | {
      readonly messageType: 'PENALTY_PUBLICITY';
      readonly meta: OutboundMeta;
      readonly penalty: PenaltyFields;
    };

const SCHEMAS: Record<CommerceMessage['messageType'], XmlSchemaName> = {
  INSPECTION_RESULT_NOTICE: 'commerce-inspection-result-notice',
  CASE_REFERRAL: 'commerce-case-referral',
  PENALTY_PUBLICITY: 'commerce-penalty-publicity',
};

function subject(s: InspectionResultNotice['subject']): XmlElement {
  return el('ex:Subject', { uscc: s.uscc, name: s.name, category: s.category });
}

function contact(c: { name: string; phone: string }): XmlElement {
  return el('ex:Contact', { name: c.name, phone: c.phone });
}

/** `RECTIFY_BY:2026-12-05` as in the contract's example; other measures as `KIND` or `KIND:date`, `;`-separated. */
function measures(list: InspectionResultNotice['measures']): string {
  return list
    .map((m) => {
      const kind = m.kind === 'RECTIFY' ? 'RECTIFY_BY' : m.kind;
      return m.deadline ? `${kind}:${m.deadline}` : kind;
    })
    .join(';');
}

function noticeBody(n: InspectionResultNotice): XmlElement {
  return el(
    'ex:InspectionResultNotice',
    { noticeNo: n.noticeNo, needFeedback: n.needFeedback },
    subject(n.subject),
    el('ex:Inspection', {
      id: n.inspection.id,
      itemCode: n.inspection.itemCode,
      implementationCode: n.inspection.implementationCode,
      inspectedOn: n.inspection.inspectedOn,
      outcome: n.inspection.outcome,
    }),
    el(
      'ex:Findings',
      null,
      ...n.findings.map((f) => el('ex:Finding', { code: f.code, severity: f.severity }, f.text)),
    ),
    el('ex:Measures', null, measures(n.measures)),
    contact(n.contact),
  );
}

function referralBody(r: CaseReferral): XmlElement {
  return el(
    'ex:CaseReferral',
    { referralNo: r.referralNo, referredOn: r.referredOn },
    subject(r.subject),
    el(
      'ex:SuspectedViolation',
      { kind: r.suspectedViolation.kind, code: r.suspectedViolation.code },
      r.suspectedViolation.text,
    ),
    el('ex:Facts', null, r.facts),
    el('ex:LegalBasis', null, r.legalBasis),
    el(
      'ex:Evidence',
      null,
      ...r.evidence.map((e) =>
        el('ex:Item', { name: e.name, digestAlgorithm: e.digestAlgorithm, digest: e.digest }),
      ),
    ),
    contact(r.contact),
  );
}

/** The 双公示 element sequence, shared with the credit PENALTY record (different namespace prefix). */
export function penaltyElements(prefix: 'ex' | 'cr', p: PenaltyFields): XmlElement[] {
  const t = (name: string, value: string | undefined) =>
    value === undefined ? null : el(`${prefix}:${name}`, null, value);
  return [
    t('PartyName', p.partyName),
    t('PartyUscc', p.partyUscc),
    t('LegalRepresentative', p.legalRepresentative),
    t('DecisionNo', p.decisionNo),
    t('ViolationType', p.violationType),
    t('ViolationFacts', p.violationFacts),
    t('PenaltyBasis', p.penaltyBasis),
    ...p.categories.map((c) => t('PenaltyCategory', c)),
    t('PenaltyContent', p.penaltyContent),
    t('FineAmountWan', p.fineAmountFen === undefined ? undefined : fenToWan(p.fineAmountFen)),
    t('DecisionDate', p.decisionDate),
    t('PublicityUntil', p.publicityUntil),
    t('Authority', p.authority),
    t('AuthorityUscc', p.authorityUscc),
  ].filter((x): x is XmlElement => x !== null);
}

function bodyOf(m: CommerceMessage): XmlElement {
  switch (m.messageType) {
    case 'INSPECTION_RESULT_NOTICE':
      return noticeBody(m.notice);
    case 'CASE_REFERRAL':
      return referralBody(m.referral);
    case 'PENALTY_PUBLICITY':
      assertPublishablePenalty(m.penalty.categories);
      return el('ex:PenaltyPublicity', null, ...penaltyElements('ex', m.penalty));
  }
}

/**
 * Encodes a commerce message as the XML envelope of commerce-exchange.md and validates it against its XSD.
 *
 * @throws ExchangeError('PERSONAL_DATA_REFUSED') for a full ID number anywhere in the message;
 *   ExchangeError('MESSAGE_INVALID') for a warning-only penalty or characters XML cannot carry;
 *   ExchangeError('SCHEMA_INVALID') listing the XSD errors.
 */
export async function encodeCommerceMessage(message: CommerceMessage): Promise<EncodedMessage> {
  assertNoPersonalData(message, 'COMMERCE');
  const header: EnvelopeHeader = {
    messageId: message.meta.messageId,
    messageType: message.messageType,
    schemaVersion: '1.0',
    sender: message.meta.sender ?? BUREAU_SENDER,
    receiver: message.meta.receiver ?? COMMERCE_RECEIVER,
    createdAt: message.meta.createdAt,
    correlationId: message.meta.correlationId ?? null,
  };
  const xml = renderXmlEnvelope(header, bodyOf(message));
  const result = await validateXml(xml, SCHEMAS[message.messageType]);
  if (!result.valid) {
    throw new ExchangeError(
      'SCHEMA_INVALID',
      `commerce ${message.messageType} fails its schema`,
      result.errors,
    );
  }
  return {
    partner: 'COMMERCE',
    messageId: header.messageId,
    messageType: header.messageType,
    contentType: COMMERCE_CONTENT_TYPE,
    body: new TextEncoder().encode(xml),
  };
}
