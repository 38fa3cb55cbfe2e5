import type { ExchangeParty } from './envelope.js';

/**
 * Typed inputs shared by the sink encoders. Codes are strings throughout; dates are `YYYY-MM-DD`;
 * times are ISO 8601 with offset. Enumerations mirror `schema/exchange/exchange-common.*`.
 */

/** Envelope fields the caller supplies; sender defaults to the bureau, receiver to the partner's configured code. */
export interface OutboundMeta {
  /** UUID v4 or v7, fixed when the outbox row is written and never changed across retries. */
  readonly messageId: string;
  /** ISO 8601 with offset, e.g. `2026-11-25T15:00:00+08:00`. */
  readonly createdAt: string;
  readonly correlationId?: string | null;
  readonly sender?: ExchangeParty;
  readonly receiver?: ExchangeParty;
}

export type TargetCategoryCode =
  | 'HOTEL'
  | 'ENTERTAINMENT'
  | 'INTERNET_CAFE'
  | 'AUTO_REPAIR'
  | 'SEAL_ENGRAVING'
  | 'PAWN'
  | 'SECURITY_SERVICE'
  | 'SECURITY_TRAINING'
  | 'ARMED_ESCORT'
  | 'FIREARMS_MAKER'
  | 'FIREARMS_SELLER'
  | 'FIREARMS_USER'
  | 'BLASTING_COMMERCIAL'
  | 'BLASTING_NONCOMMERCIAL'
  | 'FIRE_SAFETY_KEY'
  | 'FIRE_SAFETY_GENERAL';

export type InspectionOutcome = 'NO_VIOLATION' | 'VIOLATION_FOUND' | 'HAZARD_FOUND' | 'NOT_OPERATING';
export type Severity = 'MINOR' | 'GENERAL' | 'SERIOUS';
export type MeasureKind = 'RECTIFY' | 'SUSPEND' | 'PENALTY' | 'REVOKE_LICENSE' | 'REFERRAL' | 'CRIMINAL_CASE';

/** A market entity as the subject of an outbound message. */
export interface EntitySubject {
  readonly uscc: string;
  readonly name: string;
  readonly category: TargetCategoryCode;
  /** Licence number (e.g. 网络文化经营许可证), sent to culture only. */
  readonly licenseNo?: string;
}

export interface Contact {
  readonly name: string;
  readonly phone: string;
}

/** 抄告: the result of one inspection, for commerce (XML) and culture (JSON). */
export interface InspectionResultNotice {
  readonly noticeNo: string;
  readonly needFeedback: boolean;
  readonly subject: EntitySubject;
  readonly inspection: {
    readonly id: string;
    readonly itemCode: string;
    readonly implementationCode: string;
    readonly inspectedOn: string;
    readonly outcome: InspectionOutcome;
  };
  readonly findings: readonly { readonly code: string; readonly severity: Severity; readonly text: string }[];
  readonly measures: readonly { readonly kind: MeasureKind; readonly deadline?: string }[];
  readonly contact: Contact;
}

/** 案件线索移送 to a competent department. */
export interface CaseReferral {
  readonly referralNo: string;
  readonly referredOn: string;
  readonly subject: EntitySubject;
  readonly suspectedViolation: {
    readonly kind: 'ADMINISTRATIVE' | 'CRIMINAL';
    readonly code?: string;
    readonly text: string;
  };
  readonly facts: string;
  readonly legalBasis: string;
  readonly evidence: readonly {
    readonly name: string;
    readonly digestAlgorithm: 'SHA-256' | 'SM3';
    /** Lower-case hex, 64 characters. */
    readonly digest: string;
  }[];
  readonly contact: Contact;
}

/** 行政处罚法 Art 9 categories, as the 双公示 systems spell them. */
export type PenaltyCategory =
  | '警告'
  | '通报批评'
  | '罚款'
  | '没收违法所得'
  | '没收非法财物'
  | '暂扣许可证件'
  | '降低资质等级'
  | '吊销许可证件'
  | '限制开展生产经营活动'
  | '责令停产停业'
  | '责令关闭'
  | '限制从业'
  | '行政拘留'
  | '其他';

/** 双公示 administrative-penalty fields (commerce-exchange.md). Warning-only penalties are never sent as publicity. */
export interface PenaltyFields {
  /** 行政相对人名称 */
  readonly partyName: string;
  /** 统一社会信用代码 (required for commerce publicity; optional in credit PENALTY records about persons) */
  readonly partyUscc?: string;
  /** 法定代表人 */
  readonly legalRepresentative?: string;
  /** 行政处罚决定书文号 */
  readonly decisionNo: string;
  /** 违法行为类型 */
  readonly violationType: string;
  /** 违法事实 */
  readonly violationFacts: string;
  /** 处罚依据 */
  readonly penaltyBasis: string;
  /** 处罚类别, one or more */
  readonly categories: readonly PenaltyCategory[];
  /** 处罚内容 */
  readonly penaltyContent: string;
  /** 罚款金额 in fen (integer); rendered as 万元 with an exact decimal string. */
  readonly fineAmountFen?: number;
  /** 处罚决定日期 */
  readonly decisionDate: string;
  /** 公示截止期 */
  readonly publicityUntil: string;
  /** 处罚机关 */
  readonly authority: string;
  /** 处罚机关统一社会信用代码 */
  readonly authorityUscc: string;
}
