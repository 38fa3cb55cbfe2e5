import { registerEnumType } from 'type-graphql';
import { TargetCategory } from '../targets/target-category.js';
import { Role } from '../../graphql/auth.js';
import { addWorkingDays, type IsoDate, type WorkCalendar } from '../calendar/working-days.js';
import { maskPersonName, redactText, REDACTED } from '../identity/identifiers.js';

/** Lifecycle of an inspection: assigned → in progress → submitted → (returned →) approved → closed. */
export enum InspectionState {
  ASSIGNED = 'ASSIGNED',
  IN_PROGRESS = 'IN_PROGRESS',
  SUBMITTED = 'SUBMITTED',
  RETURNED = 'RETURNED',
  APPROVED = 'APPROVED',
  CLOSED = 'CLOSED',
}

/** Where an inspection came from: a verifiable draw, an ad-hoc decision, or a rectification follow-up. */
export enum InspectionSource {
  DRAW = 'DRAW',
  AD_HOC = 'AD_HOC',
  FOLLOW_UP = 'FOLLOW_UP',
}

/**
 * Result codes compatible with the market-regulation (市场监管) random-inspection result lists.
 * Labels are the wording of those lists.
 */
export enum InspectionOutcome {
  NO_VIOLATION = 'NO_VIOLATION',
  CORRECTED = 'CORRECTED',
  HAZARD_FOUND = 'HAZARD_FOUND',
  VIOLATION_FOUND = 'VIOLATION_FOUND',
  NOT_OPERATING = 'NOT_OPERATING',
  UNREACHABLE = 'UNREACHABLE',
  CLOSED_DOWN = 'CLOSED_DOWN',
  REFUSED = 'REFUSED',
}

export const OUTCOME_LABELS: Record<InspectionOutcome, string> = {
  [InspectionOutcome.NO_VIOLATION]: '未发现问题',
  [InspectionOutcome.CORRECTED]: '发现问题经责令已改正',
  [InspectionOutcome.HAZARD_FOUND]: '发现问题待后续处理',
  [InspectionOutcome.VIOLATION_FOUND]: '违反公安部门相关规定',
  [InspectionOutcome.NOT_OPERATING]: '未发现开展本次抽查涉及的经营活动',
  [InspectionOutcome.UNREACHABLE]: '通过登记的住所（经营场所）无法联系',
  [InspectionOutcome.CLOSED_DOWN]: '已关闭停业或处于歇业状态',
  [InspectionOutcome.REFUSED]: '不配合检查情节严重',
};

/** Severity of a finding. */
export enum FindingSeverity {
  MINOR = 'MINOR',
  GENERAL = 'GENERAL',
  SERIOUS = 'SERIOUS',
}

/** Administrative penalty decided on the spot or after the inspection. */
export enum PenaltyKind {
  NONE = 'NONE',
  WARNING = 'WARNING',
  FINE = 'FINE',
  CONFISCATION = 'CONFISCATION',
  SUSPENSION = 'SUSPENSION',
  REVOCATION = 'REVOCATION',
}

export const PENALTY_LABELS: Record<PenaltyKind, string> = {
  [PenaltyKind.NONE]: '无',
  [PenaltyKind.WARNING]: '警告',
  [PenaltyKind.FINE]: '罚款',
  [PenaltyKind.CONFISCATION]: '没收违法所得、非法财物',
  [PenaltyKind.SUSPENSION]: '责令停产停业',
  [PenaltyKind.REVOCATION]: '吊销许可证件',
};

/** Checklist answer for one key point (抽查要点). */
export enum ChecklistAnswer {
  CONFORM = 'CONFORM',
  NONCONFORM = 'NONCONFORM',
  NOT_APPLICABLE = 'NOT_APPLICABLE',
}

/** How a result is published (DESIGN.md "Result routing"). */
export enum PublicationMode {
  FULL = 'FULL',
  RESTRICTED = 'RESTRICTED',
  PORTAL = 'PORTAL',
}

registerEnumType(InspectionState, { name: 'InspectionState' });
registerEnumType(InspectionSource, { name: 'InspectionSource' });
registerEnumType(InspectionOutcome, {
  name: 'InspectionOutcome',
  description:
    'Result codes compatible with the market-regulation lists (未发现问题, 发现问题经责令已改正 …).',
});
registerEnumType(FindingSeverity, { name: 'FindingSeverity' });
registerEnumType(PenaltyKind, { name: 'PenaltyKind' });
registerEnumType(ChecklistAnswer, { name: 'ChecklistAnswer' });
registerEnumType(PublicationMode, { name: 'PublicationMode' });

/** Routing of one category's results (seed §二(三)). */
export interface ResultRoute {
  publication: PublicationMode;
  /** Partners told of every result (the hub's routing decides the wire format). */
  notify: ('COMMERCE' | 'CULTURE' | 'PORTAL')[];
  /** Credit facts and blacklists (internet cafés only). */
  credit: boolean;
}

const FULL_COMMERCE_CULTURE: ResultRoute = {
  publication: PublicationMode.FULL,
  notify: ['COMMERCE', 'CULTURE'],
  credit: false,
};
const RESTRICTED: ResultRoute = { publication: PublicationMode.RESTRICTED, notify: [], credit: false };
const SECURITY: ResultRoute = { publication: PublicationMode.FULL, notify: ['COMMERCE'], credit: false };
const FIRE: ResultRoute = { publication: PublicationMode.PORTAL, notify: ['PORTAL'], credit: false };

/** The routing table of DESIGN.md, by category. */
export const RESULT_ROUTES: Record<TargetCategory, ResultRoute> = {
  [TargetCategory.ENTERTAINMENT]: FULL_COMMERCE_CULTURE,
  [TargetCategory.HOTEL]: FULL_COMMERCE_CULTURE,
  [TargetCategory.AUTO_REPAIR]: FULL_COMMERCE_CULTURE,
  [TargetCategory.SEAL_ENGRAVING]: FULL_COMMERCE_CULTURE,
  [TargetCategory.PAWN]: FULL_COMMERCE_CULTURE,
  [TargetCategory.SECURITY_SERVICE]: SECURITY,
  [TargetCategory.SECURITY_TRAINING]: SECURITY,
  [TargetCategory.ARMED_ESCORT]: SECURITY,
  [TargetCategory.FIREARMS_MAKER]: RESTRICTED,
  [TargetCategory.FIREARMS_SELLER]: RESTRICTED,
  [TargetCategory.FIREARMS_USER]: RESTRICTED,
  [TargetCategory.BLASTING_COMMERCIAL]: RESTRICTED,
  [TargetCategory.BLASTING_NONCOMMERCIAL]: RESTRICTED,
  [TargetCategory.FIRE_SAFETY_KEY]: FIRE,
  [TargetCategory.FIRE_SAFETY_GENERAL]: FIRE,
  [TargetCategory.INTERNET_CAFE]: { publication: PublicationMode.FULL, notify: ['CULTURE'], credit: true },
};

/** The routing of a category code; unknown codes are published restricted (least disclosure). */
export function routeOf(category: string): ResultRoute {
  return RESULT_ROUTES[category as TargetCategory] ?? RESTRICTED;
}

export function isBlasting(category: string): boolean {
  return (
    category === TargetCategory.BLASTING_COMMERCIAL || category === TargetCategory.BLASTING_NONCOMMERCIAL
  );
}

/** Lifecycle actions. */
export type InspectionAction = 'START' | 'RECORD' | 'SUBMIT' | 'RETURN' | 'APPROVE' | 'CLOSE';

/** What the state machine needs to know about the caller and the inspection. */
export interface TransitionInput {
  state: InspectionState;
  action: InspectionAction;
  role: Role;
  /** Caller's subject (for inspectors, the police number). */
  actor: string;
  teamPoliceNos: readonly string[];
  submittedBy: string | null;
}

export type TransitionResult =
  { ok: true; to: InspectionState } | { ok: false; code: string; reason: string };

const FROM: Record<InspectionAction, readonly InspectionState[]> = {
  START: [InspectionState.ASSIGNED],
  RECORD: [InspectionState.IN_PROGRESS, InspectionState.RETURNED],
  SUBMIT: [InspectionState.IN_PROGRESS, InspectionState.RETURNED],
  RETURN: [InspectionState.SUBMITTED],
  APPROVE: [InspectionState.SUBMITTED],
  CLOSE: [InspectionState.APPROVED],
};
const TO: Record<InspectionAction, InspectionState | null> = {
  START: InspectionState.IN_PROGRESS,
  RECORD: null,
  SUBMIT: InspectionState.SUBMITTED,
  RETURN: InspectionState.RETURNED,
  APPROVE: InspectionState.APPROVED,
  CLOSE: InspectionState.CLOSED,
};

/**
 * The inspection state machine with its two-person rule: team members (by police number) start,
 * record and submit; a SUPERVISOR who is not on the team and did not submit returns or approves;
 * a SUPERVISOR or ADMIN closes an approved inspection. Pure; the service applies the result.
 * @example transition({ state: 'SUBMITTED', action: 'APPROVE', role: 'SUPERVISOR', actor: '100001', teamPoliceNos: ['100001','100002'], submittedBy: '100001' }) // { ok: false, code: 'INSPECTION_SELF_REVIEW', … }
 */
export function transition(t: TransitionInput): TransitionResult {
  if (!FROM[t.action].includes(t.state)) {
    return {
      ok: false,
      code: 'INSPECTION_BAD_STATE',
      reason: `${t.action} needs state ${FROM[t.action].join(' or ')}, the inspection is ${t.state}`,
    };
  }
  const onTeam = t.teamPoliceNos.includes(t.actor);
  switch (t.action) {
    case 'START':
    case 'RECORD':
    case 'SUBMIT':
      if (!onTeam || (t.role !== Role.INSPECTOR && t.role !== Role.SUPERVISOR)) {
        return {
          ok: false,
          code: 'INSPECTION_NOT_ON_TEAM',
          reason: 'only a member of the inspection team may do this',
        };
      }
      break;
    case 'RETURN':
    case 'APPROVE':
      if (t.role !== Role.SUPERVISOR) {
        return { ok: false, code: 'INSPECTION_REVIEWER_ROLE', reason: 'only a SUPERVISOR reviews results' };
      }
      if (onTeam || t.submittedBy === t.actor) {
        return {
          ok: false,
          code: 'INSPECTION_SELF_REVIEW',
          reason: 'the reviewer must not be on the team nor the submitter (two-person rule)',
        };
      }
      break;
    case 'CLOSE':
      if (t.role !== Role.SUPERVISOR && t.role !== Role.ADMIN) {
        return { ok: false, code: 'INSPECTION_REVIEWER_ROLE', reason: 'only a SUPERVISOR or ADMIN closes' };
      }
      break;
  }
  return { ok: true, to: TO[t.action] ?? t.state };
}

/** Configurable clock lengths, in working days unless named otherwise. */
export interface ClockSettings {
  publicationWorkingDays: number;
  objectionWorkingDays: number;
  appealWorkingDays: number;
  referralApprovalWorkingDays: number;
  referralTransferHours: number;
  reviewWorkingDays: number;
}

/** Statutory deadline: the n-th working day after `from` (make-up workdays count, holidays do not). */
export function deadlineAfter(cal: WorkCalendar, from: IsoDate, workingDays: number): IsoDate {
  return addWorkingDays(cal, from, workingDays);
}

/** Deadline status on `today`: DUE_SOON within `soonDays` calendar days, OVERDUE after the day. */
export function deadlineStatus(
  today: IsoDate,
  dueOn: IsoDate,
  soonDays: number,
): 'OVERDUE' | 'DUE_SOON' | 'LATER' {
  if (dueOn < today) return 'OVERDUE';
  const soon = new Date(Date.parse(`${today}T00:00:00Z`) + soonDays * 86_400_000).toISOString().slice(0, 10);
  return dueOn <= soon ? 'DUE_SOON' : 'LATER';
}

/**
 * Removes personal data from a text to be published: ID numbers, phones (via `redactText`) and
 * every known natural-person name (longest first, so "欧阳娜娜" goes before "欧阳"), also in the
 * masked form an upstream system may already have written (张*).
 * @example redactForPublication('负责人张三电话13800000000', ['张三']) // '负责人[已删除]电话[已删除]'
 */
export function redactForPublication(text: string, personNames: readonly string[]): string {
  let out = redactText(text);
  const names = [...new Set(personNames.map((n) => n.trim()).filter((n) => Array.from(n).length >= 2))].sort(
    (a, b) => b.length - a.length,
  );
  for (const n of names) {
    out = out.split(n).join(REDACTED);
    const masked = maskPersonName(n);
    if (masked !== n) out = out.split(masked).join(REDACTED);
  }
  return out;
}

/**
 * Contact given to partners on outbound results and referrals: the leading group's office sits in
 * 法制大队 (seed annex §二, 联系电话8285323; 仙游 area code 0594).
 */
export const SUPERVISION_OFFICE_CONTACT = { name: '仙游县公安局法制大队', phone: '0594-8285323' } as const;

/**
 * The exchange messages' narrower outcome list (schema/exchange/exchange-common.schema.json):
 * corrected or refused count as violations; unreachable and closed count as not operating.
 */
export function exchangeOutcome(
  o: InspectionOutcome,
): 'NO_VIOLATION' | 'VIOLATION_FOUND' | 'HAZARD_FOUND' | 'NOT_OPERATING' {
  switch (o) {
    case InspectionOutcome.NO_VIOLATION:
      return 'NO_VIOLATION';
    case InspectionOutcome.HAZARD_FOUND:
      return 'HAZARD_FOUND';
    case InspectionOutcome.CORRECTED:
    case InspectionOutcome.VIOLATION_FOUND:
    case InspectionOutcome.REFUSED:
      return 'VIOLATION_FOUND';
    default:
      return 'NOT_OPERATING';
  }
}

/** Measure kinds as the exchange messages name them. */
export const EXCHANGE_MEASURE_KIND: Record<string, string> = {
  RECTIFICATION: 'RECTIFY',
  SUSPENSION_PROPOSAL: 'SUSPEND',
  REVOCATION_PROPOSAL: 'REVOKE_LICENSE',
  CRIMINAL_CASE: 'CRIMINAL_CASE',
};

/** An inspector as the team checks of {@link assignmentProblems} read it. */
export interface TeamMemberCheck {
  policeNo: string;
  active: boolean;
  certificateValidFrom: string;
  certificateValidTo: string;
}

/** An inspection item as the checks of {@link assignmentProblems} read it. */
export interface ItemCheck {
  code: string;
  /** Published with a current version. */
  published: boolean;
  /** Categories of the published version (ignored when not published). */
  categories: readonly string[];
}

/**
 * What is wrong with an inspection's team and items, by field (empty when nothing is): at least two
 * distinct known inspectors (治安管理处罚法 Art 87), each active with a certificate valid on the planned
 * date; one or more known items, each published and covering the target's category. `inspectors`
 * and `items` are the ones found for the given ids and codes. Shared by single and bulk creation.
 */
export function assignmentProblems(
  a: { inspectorIds: readonly string[]; itemCodes: readonly string[]; plannedOn: string; category: string },
  inspectors: readonly TeamMemberCheck[],
  items: readonly ItemCheck[],
): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const ids = new Set(a.inspectorIds);
  if (ids.size < 2)
    problems.push({ field: 'inspectorIds', message: 'at least two inspectors (治安管理处罚法 Art 87)' });
  if (inspectors.length !== ids.size)
    problems.push({ field: 'inspectorIds', message: 'unknown inspector id' });
  for (const i of inspectors) {
    if (!i.active) problems.push({ field: 'inspectorIds', message: `inspector ${i.policeNo} is not active` });
    if (i.certificateValidFrom > a.plannedOn || i.certificateValidTo < a.plannedOn)
      problems.push({
        field: 'inspectorIds',
        message: `certificate of ${i.policeNo} is not valid on ${a.plannedOn}`,
      });
  }
  const codes = new Set(a.itemCodes);
  if (!codes.size || items.length !== codes.size)
    problems.push({ field: 'itemCodes', message: 'give one or more known item codes' });
  for (const item of items) {
    if (!item.published) {
      problems.push({ field: 'itemCodes', message: `item ${item.code} is not published` });
      continue;
    }
    if (!item.categories.includes(a.category))
      problems.push({ field: 'itemCodes', message: `item ${item.code} does not cover ${a.category}` });
  }
  return problems;
}
