import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../shared/logger.js';

/**
 * The port between business modules and the exchange hub. A business change (an approved
 * result, a publication, a referral, a credit fact) calls `enqueue` inside its own transaction;
 * the hub's routing (data, editable by ADMIN) turns the event into zero or more outbound messages
 * for partners, written to the outbox in that same transaction. Business modules never name
 * partners, formats or signatures.
 */
export type BusinessEventType =
  | 'INSPECTION_RESULT'
  | 'CASE_REFERRAL'
  | 'PENALTY_PUBLICITY'
  | 'PUBLICATION_ARTICLE'
  | 'PUBLICATION_WITHDRAWN'
  | 'CREDIT_RECORD'
  | 'BLACKLIST_ADD'
  | 'BLACKLIST_REMOVE'
  | 'BLACKLIST_NOTICE'
  | 'REFERRAL_DECISION';

export interface SubjectRef {
  /** Target id in our roster, when the subject is a target. */
  targetId?: string | null;
  uscc?: string | null;
  name: string;
  /** TargetCategory code. */
  category: string;
  licenceNo?: string | null;
}

export interface PersonRef {
  /** Person id in our roster; the hub decrypts the ID number only for the credit partner. */
  personId: string;
  name: string;
  role: string;
}

export interface BusinessEvent {
  type: BusinessEventType;
  /** Stable id of the business record (inspection, referral, publication, credit fact …). */
  sourceId: string;
  /** Ordering key: messages to one partner about one subject leave in creation order. */
  subjectKey: string;
  subject: SubjectRef;
  /** Type-specific content (see each type's payload interface below). */
  payload: Record<string, unknown>;
  /** The message this one answers or replaces, if any (e.g. a withdrawn article). */
  correlatesTo?: string | null;
}

/** INSPECTION_RESULT payload. */
export interface InspectionResultPayload {
  inspectionId: string;
  noticeNo: string;
  itemCode: string;
  implementationCode: string;
  inspectedOn: string;
  /** e.g. NO_VIOLATION | VIOLATION_FOUND | HAZARD_FOUND | NOT_OPERATING | UNREACHABLE */
  outcome: string;
  findings: {
    code: string;
    severity: 'MINOR' | 'GENERAL' | 'SERIOUS';
    text: string;
    legalClause?: string | null;
  }[];
  measures: { kind: string; deadline?: string | null }[];
  contact: { name: string; phone: string };
  needFeedback: boolean;
}

/** CASE_REFERRAL payload (outbound 移送). */
export interface CaseReferralPayload {
  referralId: string;
  referralNo: string;
  /** Which partner is competent, decided by the business module. */
  toPartner: 'COMMERCE' | 'CULTURE';
  suspectedViolation: string;
  facts: string;
  legalBasis: string[];
  evidence: { name: string; digest: string; algorithm: 'SM3' | 'SHA-256' }[];
  contact: { name: string; phone: string };
  referredOn: string;
}

/** CREDIT_RECORD / BLACKLIST_ADD / BLACKLIST_REMOVE payload: one credit record. */
export interface CreditRecordPayload {
  recordId: string;
  subjectType: 'ENTITY' | 'PERSON';
  person?: PersonRef | null;
  /** For CREDIT_RECORD: POSITIVE | NEGATIVE. */
  polarity?: 'POSITIVE' | 'NEGATIVE';
  reason: { code: string; text: string };
  decision?: { no: string; date: string } | null;
  validity?: { from: string; to: string } | null;
  /** BLACKLIST_ADD: proof that notice and objection rules were met. */
  notice?: { givenOn: string; objectionDeadline: string; objection: 'NONE' | 'DISMISSED' } | null;
  /** BLACKLIST_REMOVE: EXPIRY | REPAIR | OBJECTION_UPHELD. */
  removalReason?: string | null;
}

export interface OutboxPort {
  /** Routes and writes the messages for one business event, in the caller's transaction. */
  enqueue(em: EntityManager, event: BusinessEvent): Promise<{ messageIds: string[] }>;
}

/**
 * A business module's link to the outbox, bound after the services are built (the exchange hub may
 * not be installed). Without a hub, events are logged and not sent; with one, `enqueue` writes in the
 * caller's transaction.
 */
export class OutboxLink {
  private resolve: () => OutboxPort | undefined = () => undefined;

  constructor(private readonly log: Logger) {}

  attach(resolve: () => OutboxPort | undefined): void {
    this.resolve = resolve;
  }

  async enqueue(em: EntityManager, event: BusinessEvent): Promise<void> {
    const outbox = this.resolve();
    if (!outbox) {
      this.log.info(
        { type: event.type, sourceId: event.sourceId },
        'outbox not installed; business event not sent',
      );
      return;
    }
    await outbox.enqueue(em, event);
  }
}
