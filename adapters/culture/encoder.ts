import {
  BUREAU_SENDER,
  type EnvelopeHeader,
  type ExchangeParty,
  renderJsonEnvelope,
} from '../shared/envelope.js';
import { ExchangeError } from '../shared/errors.js';
import type {
  CaseReferral,
  EntitySubject,
  InspectionResultNotice,
  OutboundMeta,
} from '../shared/message-types.js';
import { assertNoPersonalData } from '../shared/personal-data.js';
import type { EncodedMessage } from '../shared/sink-types.js';
import { type JsonSchemaName, validateJson } from '../shared/validate.js';

/** Default receiver (culture-exchange.md); configurable per deployment. */
export const CULTURE_RECEIVER: ExchangeParty = { code: '11350322MB11111166', name: '仙游县文化体育和旅游局' };

export const CULTURE_CONTENT_TYPE = 'application/json';

/** A person barred by a blacklist notice. `idNumber` must already be masked (`350322********3310`). */
export interface BarredPerson {
  readonly name: string;
  readonly idNumber: string;
  readonly role: 'LEGAL_REP' | 'RESPONSIBLE_PERSON' | 'OPERATOR' | 'STAFF';
}

/** BLACKLIST_NOTICE payload for internet cafés. */
export interface BlacklistNotice {
  readonly subject: EntitySubject;
  readonly persons: readonly BarredPerson[];
  readonly reason: { readonly code: string; readonly text: string };
  readonly decisionNo: string;
  readonly from: string;
  readonly to: string;
}

/** Culture's notice payload: the shared notice with an optional contact (the contract's example has none). */
export type CultureNotice = Omit<InspectionResultNotice, 'contact'> & {
  readonly contact?: InspectionResultNotice['contact'];
};

/** A typed outbound message to culture and tourism, one variant per `messageType`. */
export type CultureMessage =
  | {
      readonly messageType: 'INSPECTION_RESULT_NOTICE';
      readonly meta: OutboundMeta;
      readonly notice: CultureNotice;
    }
  | {
      readonly messageType: 'BLACKLIST_NOTICE';
      readonly meta: OutboundMeta;
      readonly blacklist: BlacklistNotice;
    }
  | { readonly messageType: 'CASE_REFERRAL'; readonly meta: OutboundMeta; readonly referral: CaseReferral };

const SCHEMAS: Record<CultureMessage['messageType'], JsonSchemaName> = {
  INSPECTION_RESULT_NOTICE: 'culture-inspection-result-notice',
  BLACKLIST_NOTICE: 'culture-blacklist-notice',
  CASE_REFERRAL: 'culture-case-referral',
};

function subject(s: EntitySubject): Record<string, unknown> {
  return {
    uscc: s.uscc,
    name: s.name,
    ...(s.licenseNo ? { licenseNo: s.licenseNo } : {}),
    category: s.category,
  };
}

function payloadOf(m: CultureMessage): Record<string, unknown> {
  switch (m.messageType) {
    case 'INSPECTION_RESULT_NOTICE': {
      const n = m.notice;
      return {
        noticeNo: n.noticeNo,
        subject: subject(n.subject),
        inspection: {
          id: n.inspection.id,
          itemCode: n.inspection.itemCode,
          implementationCode: n.inspection.implementationCode,
          inspectedOn: n.inspection.inspectedOn,
          outcome: n.inspection.outcome,
        },
        findings: n.findings.map((f) => ({ code: f.code, severity: f.severity, text: f.text })),
        measures: n.measures.map((x) => ({ kind: x.kind, ...(x.deadline ? { deadline: x.deadline } : {}) })),
        needFeedback: n.needFeedback,
        ...(n.contact ? { contact: { name: n.contact.name, phone: n.contact.phone } } : {}),
      };
    }
    case 'BLACKLIST_NOTICE': {
      const b = m.blacklist;
      return {
        subject: subject(b.subject),
        persons: b.persons.map((p) => ({ name: p.name, idNumber: p.idNumber, role: p.role })),
        reason: { code: b.reason.code, text: b.reason.text },
        decisionNo: b.decisionNo,
        from: b.from,
        to: b.to,
      };
    }
    case 'CASE_REFERRAL': {
      const r = m.referral;
      return {
        referralNo: r.referralNo,
        referredOn: r.referredOn,
        subject: subject(r.subject),
        suspectedViolation: {
          kind: r.suspectedViolation.kind,
          ...(r.suspectedViolation.code ? { code: r.suspectedViolation.code } : {}),
          text: r.suspectedViolation.text,
        },
        facts: r.facts,
        legalBasis: r.legalBasis,
        evidence: r.evidence.map((e) => ({
          name: e.name,
          digestAlgorithm: e.digestAlgorithm,
          digest: e.digest,
        })),
        contact: { name: r.contact.name, phone: r.contact.phone },
      };
    }
  }
}

/**
 * Encodes a culture message as the JSON envelope of culture-exchange.md and validates it against its JSON Schema.
 *
 * @throws ExchangeError('PERSONAL_DATA_REFUSED') for a full ID number anywhere (blacklisted persons must be masked);
 *   ExchangeError('SCHEMA_INVALID') listing the schema errors.
 */
export async function encodeCultureMessage(message: CultureMessage): Promise<EncodedMessage> {
  assertNoPersonalData(message, 'CULTURE');
  const header: EnvelopeHeader = {
    messageId: message.meta.messageId,
    messageType: message.messageType,
    schemaVersion: '1.0',
    sender: message.meta.sender ?? BUREAU_SENDER,
    receiver: message.meta.receiver ?? CULTURE_RECEIVER,
    createdAt: message.meta.createdAt,
    correlationId: message.meta.correlationId ?? null,
  };
  const text = renderJsonEnvelope(header, payloadOf(message));
  const result = validateJson(JSON.parse(text) as unknown, SCHEMAS[message.messageType]);
  if (!result.valid) {
    throw new ExchangeError(
      'SCHEMA_INVALID',
      `culture ${message.messageType} fails its schema`,
      result.errors,
    );
  }
  return {
    partner: 'CULTURE',
    messageId: header.messageId,
    messageType: header.messageType,
    contentType: CULTURE_CONTENT_TYPE,
    body: new TextEncoder().encode(text),
  };
}
