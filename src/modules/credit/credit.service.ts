import type { EntityManager } from '@mikro-orm/postgresql';
import type { Ctx } from '../../graphql/context.js';
import type { Principal } from '../../graphql/auth.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { isIsoDate } from '../../shared/input.js';
import type { Logger } from '../../shared/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import type { EventService } from '../events/event.service.js';
import { OutboxLink, type CreditRecordPayload, type OutboxPort } from '../exchange/outbox-port.js';
import { HOLIDAY_YEARS } from '../calendar/holidays-data.js';
import { addDays, todayInShanghai, workCalendarFromYears } from '../calendar/working-days.js';
import { maskPersonName } from '../identity/identifiers.js';
import { Target } from '../targets/target.entity.js';
import { PersonRole, TargetCategory } from '../targets/target-category.js';
import type { TargetPerson } from '../targets/target-person.entity.js';
import type { Inspection } from '../inspections/inspection.entity.js';
import { InspectionError } from '../inspections/inspection.errors.js';
import { deadlineAfter, InspectionOutcome, OUTCOME_LABELS } from '../inspections/inspection-rules.js';
import { BlacklistEntry, BlacklistKind, BlacklistStatus, CreditFact } from './credit.entity.js';

const NEGATIVE = new Set<string>([
  InspectionOutcome.VIOLATION_FOUND,
  InspectionOutcome.HAZARD_FOUND,
  InspectionOutcome.REFUSED,
]);
const RESPONSIBLE = new Set<string>([PersonRole.LEGAL_REP, PersonRole.MANAGER]);

/** Settings for blacklists. */
export interface CreditSettings {
  objectionWorkingDays: number;
  validityDays: number;
}

/**
 * Credit facts for internet cafés and their responsible persons, and blacklists with due process:
 * proposal → prior notice (reasons, basis, rights) → objection period → decision → effective →
 * expiry or removal. HOTEL entries keep `Target.hotelBlacklisted` in step.
 */
export class CreditService {
  private readonly calendar = workCalendarFromYears(HOLIDAY_YEARS);
  private readonly outbox: OutboxLink;

  constructor(
    private readonly audit: AuditService,
    private readonly events: EventService,
    private readonly settings: CreditSettings,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.outbox = new OutboxLink(log);
  }

  attachOutbox(resolve: () => OutboxPort | undefined): void {
    this.outbox.attach(resolve);
  }

  private today(): string {
    return todayInShanghai(this.clock());
  }

  /** One fact for the café and one per current responsible person, in the approving transaction. */
  async recordFacts(
    em: EntityManager,
    actor: Principal,
    i: Inspection,
    persons: TargetPerson[],
    today: string,
  ): Promise<CreditFact[]> {
    const polarity = NEGATIVE.has(i.outcome!) ? 'NEGATIVE' : 'POSITIVE';
    const reasonText = `${i.inspectedOn} 随机抽查：${OUTCOME_LABELS[i.outcome!]}`;
    const facts: CreditFact[] = [];
    const base = {
      regionCode: i.regionCode,
      inspectionId: i.id,
      targetId: i.targetId,
      polarity,
      reasonCode: `INSPECTION_${i.outcome}`,
      reasonText,
      recordedOn: today,
    } as const;
    facts.push(em.create(CreditFact, { ...base, subjectType: 'ENTITY' }));
    for (const tp of persons) {
      if (!RESPONSIBLE.has(tp.role) || (tp.until && tp.until < i.inspectedOn!)) continue;
      facts.push(
        em.create(CreditFact, {
          ...base,
          subjectType: 'PERSON',
          personId: tp.person.id,
          personNameMasked: maskPersonName(tp.person.name),
          personRole: tp.role,
        }),
      );
    }
    em.persist(facts);
    await em.flush();
    const target = await em.findOneOrFail(Target, { id: i.targetId });
    for (const f of facts) {
      await this.audit.record(em, actor, {
        action: 'credit.record',
        entityType: 'CreditFact',
        entityId: f.id,
        after: { subjectType: f.subjectType, polarity },
      });
      await this.events.publish(em, {
        topic: 'creditFactRecorded',
        entityType: 'CreditFact',
        entityId: f.id,
        departmentCode: i.departmentCode,
        jurisdictionCode: i.jurisdictionCode,
        payload: { targetId: f.targetId, subjectType: f.subjectType, polarity },
      });
      const person = persons.find((p) => p.person.id === f.personId);
      const payload: CreditRecordPayload = {
        recordId: f.id,
        subjectType: f.subjectType,
        person: person ? { personId: person.person.id, name: person.person.name, role: person.role } : null,
        polarity,
        reason: { code: f.reasonCode, text: f.reasonText },
      };
      await this.outbox.enqueue(em, {
        type: 'CREDIT_RECORD',
        sourceId: f.id,
        subjectKey: target.id,
        subject: {
          targetId: target.id,
          uscc: target.usccNormalised,
          name: target.name,
          category: target.category,
        },
        payload: payload as unknown as Record<string, unknown>,
      });
    }
    return facts;
  }

  private async load(ctx: Ctx, em: EntityManager, id: string): Promise<BlacklistEntry> {
    const b = await em.findOne(BlacklistEntry, { id });
    const jur = (await ctx.scope()).visibleJurisdictions();
    if (!b || (jur && !jur.includes(b.jurisdictionCode))) throw new NotFoundError('blacklist entry', id);
    (await ctx.scope()).assertCanChangeDepartment(b.departmentCode);
    return b;
  }

  private async changed(
    em: EntityManager,
    actor: Principal,
    b: BlacklistEntry,
    action: string,
    before: unknown,
    details?: Record<string, unknown>,
  ) {
    await this.audit.record(em, actor, {
      action: `blacklist.${action}`,
      entityType: 'BlacklistEntry',
      entityId: b.id,
      before,
      after: { status: b.status, objectionDueOn: b.objectionDueOn, validTo: b.validTo },
      details: details ?? null,
    });
    await this.events.publish(em, {
      topic: 'blacklistChanged',
      entityType: 'BlacklistEntry',
      entityId: b.id,
      departmentCode: b.departmentCode,
      jurisdictionCode: b.jurisdictionCode,
      payload: { entryId: b.id, targetId: b.targetId, kind: b.kind, status: b.status, action },
    });
  }

  /** Proposes a blacklist entry for a café (or its responsible person) or a hotel. */
  propose(
    ctx: Ctx,
    a: {
      targetId: string;
      personId?: string;
      inspectionId?: string;
      reasons: string;
      basis: string;
      departmentCode: string;
    },
  ): Promise<BlacklistEntry> {
    return ctx.em.transactional(async (em) => {
      const t = await em.findOne(Target, { id: a.targetId });
      if (!t) throw new NotFoundError('target', a.targetId);
      (await ctx.scope()).assertCanChangeDepartment(a.departmentCode);
      const kind =
        t.category === TargetCategory.INTERNET_CAFE
          ? BlacklistKind.INTERNET_CAFE
          : t.category === TargetCategory.HOTEL
            ? BlacklistKind.HOTEL
            : null;
      if (!kind)
        throw new ValidationError([
          { field: 'targetId', message: 'blacklists exist for internet cafés and hotels only' },
        ]);
      let personNameMasked: string | null = null;
      if (a.personId) {
        const rows = await em
          .getConnection()
          .execute<{ name: string }[]>(
            `select p.name from target_person tp join person p on p.id = tp.person_id where tp.target_id = ? and tp.person_id = ?`,
            [t.id, a.personId],
            'all',
            em.getTransactionContext(),
          );
        if (!rows[0] || kind !== BlacklistKind.INTERNET_CAFE)
          throw new ValidationError([
            { field: 'personId', message: 'not a responsible person of this internet café' },
          ]);
        personNameMasked = maskPersonName(rows[0].name);
      }
      const b = em.create(BlacklistEntry, {
        regionCode: t.regionCode,
        kind,
        targetId: t.id,
        personId: a.personId ?? null,
        personNameMasked,
        departmentCode: a.departmentCode,
        jurisdictionCode: t.jurisdictionCode,
        inspectionId: a.inspectionId ?? null,
        reasons: a.reasons.trim(),
        basis: a.basis.trim(),
        proposedBy: ctx.user.sub,
        proposedOn: this.today(),
      });
      em.persist(b);
      await em.flush();
      await this.changed(em, ctx.user, b, 'propose', null);
      return b;
    });
  }

  /**
   * Records the service of the prior notice (告知: reasons, basis, the right to object) on
   * `servedOn` (a past day when served on paper), which starts the objection period.
   */
  serveNotice(ctx: Ctx, id: string, servedOn: string): Promise<BlacklistEntry> {
    if (!isIsoDate(servedOn) || servedOn > this.today())
      throw new ValidationError([
        { field: 'servedOn', message: 'expected a date (YYYY-MM-DD) not after today' },
      ]);
    return ctx.em.transactional(async (em) => {
      const b = await this.load(ctx, em, id);
      if (b.status !== BlacklistStatus.PROPOSED)
        throw new InspectionError(
          'BLACKLIST_BAD_STATE',
          `notice is served on a PROPOSED entry; it is ${b.status}`,
        );
      const before = { status: b.status };
      b.status = BlacklistStatus.NOTICED;
      b.noticeServedOn = servedOn;
      b.objectionDueOn = deadlineAfter(this.calendar, servedOn, this.settings.objectionWorkingDays);
      await em.flush();
      await this.changed(em, ctx.user, b, 'notice', before);
      const t = await em.findOneOrFail(Target, { id: b.targetId });
      await this.outbox.enqueue(em, {
        type: 'BLACKLIST_NOTICE',
        sourceId: b.id,
        subjectKey: t.id,
        subject: { targetId: t.id, uscc: t.usccNormalised, name: t.name, category: t.category },
        payload: {
          entryId: b.id,
          reasons: b.reasons,
          basis: b.basis,
          servedOn,
          objectionDueOn: b.objectionDueOn,
        },
      });
      return b;
    });
  }

  /** Records the party's objection (陈述申辩) received within the period. */
  recordObjection(ctx: Ctx, id: string, text: string, filedOn: string): Promise<BlacklistEntry> {
    if (!isIsoDate(filedOn) || filedOn > this.today())
      throw new ValidationError([
        { field: 'filedOn', message: 'expected a date (YYYY-MM-DD) not after today' },
      ]);
    if (text.trim().length < 2) throw new ValidationError([{ field: 'text', message: 'give the objection' }]);
    return ctx.em.transactional(async (em) => {
      const b = await this.load(ctx, em, id);
      if (b.status !== BlacklistStatus.NOTICED)
        throw new InspectionError('BLACKLIST_BAD_STATE', 'objections are taken on a NOTICED entry');
      if (filedOn > b.objectionDueOn!)
        throw new InspectionError('BLACKLIST_BAD_STATE', `the objection period ended on ${b.objectionDueOn}`);
      const before = { status: b.status };
      b.objectionText = text.trim();
      b.objectionFiledOn = filedOn;
      await em.flush();
      await this.changed(em, ctx.user, b, 'objection', before);
      return b;
    });
  }

  /**
   * Decides after the objection period: an upheld objection declines the entry; otherwise it takes
   * effect today for the configured validity. Refused while the period is still open.
   */
  decide(
    ctx: Ctx,
    id: string,
    a: { add: boolean; objectionUpheld?: boolean; decisionNo?: string },
  ): Promise<BlacklistEntry> {
    return ctx.em.transactional(async (em) => {
      const b = await this.load(ctx, em, id);
      const today = this.today();
      if (b.status !== BlacklistStatus.NOTICED)
        throw new InspectionError(
          'BLACKLIST_BAD_STATE',
          `only a NOTICED entry is decided; it is ${b.status} (serve the prior notice first)`,
        );
      if (today <= b.objectionDueOn!)
        throw new InspectionError(
          'BLACKLIST_OBJECTION_PERIOD_OPEN',
          `the objection period runs until ${b.objectionDueOn}; decide after it`,
          { objectionDueOn: b.objectionDueOn },
        );
      if (b.objectionText && a.objectionUpheld === undefined)
        throw new ValidationError([
          { field: 'objectionUpheld', message: 'an objection was filed: say whether it is upheld' },
        ]);
      const before = { status: b.status };
      b.decidedBy = ctx.user.sub;
      b.decidedOn = today;
      b.decisionNo = a.decisionNo ?? null;
      if (b.objectionText) b.objectionOutcome = a.objectionUpheld ? 'UPHELD' : 'DISMISSED';
      if (!a.add || a.objectionUpheld) {
        b.status = BlacklistStatus.DECLINED;
      } else {
        b.status = BlacklistStatus.EFFECTIVE;
        b.validFrom = today;
        b.validTo = addDays(today, this.settings.validityDays);
        await this.setHotelFlag(em, ctx.user, b, true);
      }
      await em.flush();
      await this.changed(em, ctx.user, b, 'decide', before);
      if (b.status === BlacklistStatus.EFFECTIVE) await this.sendEntry(em, b, 'BLACKLIST_ADD');
      return b;
    });
  }

  /** Removes an effective entry early: the party repaired its credit (信用修复) or an objection was upheld later. */
  remove(ctx: Ctx, id: string, reason: 'REPAIR' | 'OBJECTION_UPHELD', note: string): Promise<BlacklistEntry> {
    if (note.trim().length < 2) throw new ValidationError([{ field: 'note', message: 'state the grounds' }]);
    return ctx.em.transactional(async (em) => {
      const b = await this.load(ctx, em, id);
      if (b.status !== BlacklistStatus.EFFECTIVE)
        throw new InspectionError('BLACKLIST_BAD_STATE', 'only an EFFECTIVE entry is removed');
      const before = { status: b.status };
      await this.end(em, ctx.user, b, BlacklistStatus.REMOVED, reason);
      await this.changed(em, ctx.user, b, 'remove', before, { reason, note: note.trim() });
      return b;
    });
  }

  private async end(
    em: EntityManager,
    actor: Principal,
    b: BlacklistEntry,
    status: BlacklistStatus,
    reason: string,
  ) {
    b.status = status;
    b.endedOn = this.today();
    b.endReason = reason;
    await this.setHotelFlag(em, actor, b, false);
    await em.flush();
    await this.sendEntry(em, b, 'BLACKLIST_REMOVE');
  }

  /** Daily: effective entries past their validity expire. */
  async expire(em: EntityManager, actor: Principal): Promise<number> {
    return em.transactional(async (tem) => {
      const due = await tem.find(BlacklistEntry, {
        status: BlacklistStatus.EFFECTIVE,
        validTo: { $lt: this.today() },
      });
      for (const b of due) {
        await this.end(tem, actor, b, BlacklistStatus.EXPIRED, 'EXPIRY');
        await this.changed(tem, actor, b, 'expire', { status: BlacklistStatus.EFFECTIVE });
      }
      return due.length;
    });
  }

  private async setHotelFlag(em: EntityManager, actor: Principal, b: BlacklistEntry, on: boolean) {
    if (b.kind !== BlacklistKind.HOTEL) return;
    const t = await em.findOneOrFail(Target, { id: b.targetId });
    if (!on) {
      const others = await em.count(BlacklistEntry, {
        targetId: b.targetId,
        status: BlacklistStatus.EFFECTIVE,
        id: { $ne: b.id },
      });
      if (others) return;
    }
    if (t.hotelBlacklisted === on) return;
    t.hotelBlacklisted = on;
    await em.flush();
    await this.audit.record(em, actor, {
      action: 'target.hotelBlacklist',
      entityType: 'Target',
      entityId: t.id,
      before: { hotelBlacklisted: !on },
      after: { hotelBlacklisted: on },
      details: { entryId: b.id },
    });
    await this.events.publish(em, {
      topic: 'targetChanged',
      entityType: 'Target',
      entityId: t.id,
      jurisdictionCode: t.jurisdictionCode,
      payload: { hotelBlacklisted: on, blacklistEntryId: b.id },
    });
  }

  private async sendEntry(em: EntityManager, b: BlacklistEntry, type: 'BLACKLIST_ADD' | 'BLACKLIST_REMOVE') {
    if (b.kind !== BlacklistKind.INTERNET_CAFE) return;
    const t = await em.findOneOrFail(Target, { id: b.targetId });
    const payload: CreditRecordPayload = {
      recordId: b.id,
      subjectType: b.personId ? 'PERSON' : 'ENTITY',
      reason: { code: 'BLACKLIST', text: b.reasons },
      decision: b.decidedOn ? { no: b.decisionNo ?? b.id, date: b.decidedOn } : null,
      validity: b.validFrom && b.validTo ? { from: b.validFrom, to: b.validTo } : null,
      notice:
        type === 'BLACKLIST_ADD'
          ? {
              givenOn: b.noticeServedOn!,
              objectionDeadline: b.objectionDueOn!,
              objection: b.objectionText ? 'DISMISSED' : 'NONE',
            }
          : null,
      removalReason: type === 'BLACKLIST_REMOVE' ? b.endReason : null,
    };
    await this.outbox.enqueue(em, {
      type,
      sourceId: `${b.id}:${type}`,
      subjectKey: t.id,
      subject: { targetId: t.id, uscc: t.usccNormalised, name: t.name, category: t.category },
      payload: payload as unknown as Record<string, unknown>,
      correlatesTo: type === 'BLACKLIST_REMOVE' ? `${b.id}:BLACKLIST_ADD` : null,
    });
  }
}
