import type { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import type { Ctx } from '../../graphql/context.js';
import { ANONYMOUS, type Principal } from '../../graphql/auth.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { likeContains, rejectNulls } from '../../shared/input.js';
import type { Logger } from '../../shared/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import type { EventService } from '../events/event.service.js';
import { OutboxLink, type OutboxPort } from '../exchange/outbox-port.js';
import { HOLIDAY_YEARS } from '../calendar/holidays-data.js';
import { todayInShanghai, workCalendarFromYears } from '../calendar/working-days.js';
import type { Target } from '../targets/target.entity.js';
import { TargetPerson } from '../targets/target-person.entity.js';
import { TARGET_CATEGORY_LABELS, type TargetCategory } from '../targets/target-category.js';
import { InspectionItem, InspectionItemVersion } from '../items/inspection-item.entity.js';
import { Inspection } from '../inspections/inspection.entity.js';
import { InspectionError } from '../inspections/inspection.errors.js';
import {
  deadlineAfter,
  InspectionState,
  OUTCOME_LABELS,
  PENALTY_LABELS,
  PenaltyKind,
  PublicationMode,
  redactForPublication,
  routeOf,
  type ClockSettings,
} from '../inspections/inspection-rules.js';
import { Appeal, AppealRemedy, AppealStatus, Publication, PublicationStatus } from './publication.entity.js';
import type { PublishedResultFilter } from './publication.inputs.js';
import { randomCode } from '../inspections/random-code.js';

/** Names of natural persons that must never appear in a published text for this inspection. */
export function personNamesOf(i: Inspection, persons: TargetPerson[]): string[] {
  return [
    ...persons.map((p) => p.person.name),
    ...i.team.map((t) => t.name),
    ...(i.contactName ? [i.contactName] : []),
  ];
}

/**
 * Publication (一公开) and appeals (申诉): the redacted public form of approved results, its
 * deadline, publish / correct / withdraw, and the anonymous appeal channel keyed by appeal code.
 */
export class PublicationService {
  private readonly calendar = workCalendarFromYears(HOLIDAY_YEARS);
  private readonly outbox: OutboxLink;

  constructor(
    private readonly audit: AuditService,
    private readonly events: EventService,
    private readonly clocks: ClockSettings,
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

  /** Composes the redacted text of a result for its publication mode. Pure apart from the item names. */
  compose(i: Inspection, itemNames: string[], mode: PublicationMode, names: string[]) {
    const label = TARGET_CATEGORY_LABELS[i.category as TargetCategory] ?? i.category;
    const targetName = redactForPublication(i.targetName, names);
    const lines = [
      `检查对象：${targetName}（${label}）`,
      `抽查事项：${itemNames.join('、')}`,
      `检查日期：${i.inspectedOn}`,
      `检查结果：${OUTCOME_LABELS[i.outcome!]}`,
    ];
    if (mode !== PublicationMode.RESTRICTED) {
      for (const [n, f] of i.findings.entries()) {
        lines.push(`问题${n + 1}：${f.text}${f.legalClause ? `（依据：${f.legalClause}）` : ''}`);
      }
      if (i.rectificationWorkingDays) lines.push(`处理措施：责令${i.rectificationWorkingDays}个工作日内整改`);
      // Warning-only penalties are not published; heavier ones are.
      if (i.penalty !== PenaltyKind.NONE && i.penalty !== PenaltyKind.WARNING)
        lines.push(`行政处罚：${PENALTY_LABELS[i.penalty]}`);
      if (i.summary) lines.push(`说明：${i.summary}`);
    } else {
      lines.push('依法有限制公开：不公开检查发现的具体情况。');
    }
    return {
      title: redactForPublication(`${i.targetName}${label}随机抽查结果`, names),
      targetName,
      body: redactForPublication(lines.join('\n'), names),
    };
  }

  async itemNames(em: EntityManager, codes: string[]): Promise<string[]> {
    const items = await em.find(InspectionItem, { code: { $in: codes } });
    const out: string[] = [];
    for (const it of items) {
      const v = await em.findOne(InspectionItemVersion, {
        item: it.id,
        version: it.publishedVersion ?? it.currentVersion,
      });
      out.push(v?.name ?? it.code);
    }
    return out;
  }

  /** Writes the PENDING publication of an approved result (in the approving transaction). */
  async createForApproved(
    em: EntityManager,
    actor: Principal,
    i: Inspection,
    target: Target,
    persons: TargetPerson[],
    today: string,
  ): Promise<Publication> {
    const mode = routeOf(i.category).publication;
    const names = personNamesOf(i, persons);
    const text = this.compose(i, await this.itemNames(em, i.itemCodes), mode, names);
    const p = em.create(Publication, {
      regionCode: i.regionCode,
      inspectionId: i.id,
      targetId: target.id,
      category: i.category,
      departmentCode: i.departmentCode,
      jurisdictionCode: i.jurisdictionCode,
      mode,
      title: text.title,
      targetName: text.targetName,
      itemNames: await this.itemNames(em, i.itemCodes),
      inspectedOn: i.inspectedOn!,
      outcome: i.outcome!,
      body: text.body,
      dueOn: deadlineAfter(this.calendar, today, this.clocks.publicationWorkingDays),
    });
    em.persist(p);
    await em.flush();
    await this.audit.record(em, actor, {
      action: 'publication.create',
      entityType: 'Publication',
      entityId: p.id,
      after: { mode, dueOn: p.dueOn, body: p.body },
    });
    return p;
  }

  private async load(ctx: Ctx, em: EntityManager, id: string): Promise<Publication> {
    const p = await em.findOne(Publication, { id });
    if (!p) throw new NotFoundError('publication', id);
    (await ctx.scope()).assertCanChangeDepartment(p.departmentCode);
    return p;
  }

  private async after(
    em: EntityManager,
    actor: Principal,
    p: Publication,
    action: string,
    before: unknown,
    reason?: string,
  ) {
    await this.audit.record(em, actor, {
      action: `publication.${action}`,
      entityType: 'Publication',
      entityId: p.id,
      before,
      after: { status: p.status, version: p.version, body: p.body },
      details: reason ? { reason } : null,
    });
    await this.events.publish(em, {
      topic: p.status === PublicationStatus.PUBLISHED ? 'publicationPublished' : 'publicationChanged',
      entityType: 'Publication',
      entityId: p.id,
      departmentCode: p.departmentCode,
      jurisdictionCode: p.jurisdictionCode,
      payload: { publicationId: p.id, status: p.status, version: p.version, action },
    });
    if (p.mode === PublicationMode.PORTAL) {
      const withdrawn = p.status === PublicationStatus.WITHDRAWN;
      await this.outbox.enqueue(em, {
        type: withdrawn ? 'PUBLICATION_WITHDRAWN' : 'PUBLICATION_ARTICLE',
        sourceId: `${p.id}:${p.version}${withdrawn ? ':w' : ''}`,
        subjectKey: p.targetId,
        subject: { targetId: p.targetId, name: p.targetName, category: p.category },
        payload: {
          publicationId: p.id,
          version: p.version,
          title: p.title,
          body: p.body,
          publishedOn: p.publishedOn,
          reason: reason ?? null,
        },
        correlatesTo: p.version > 1 || withdrawn ? p.id : null,
      });
    }
  }

  /** Publishes a pending result after internal approval (严格抽查结果公开的内部审批程序). */
  publish(ctx: Ctx, id: string): Promise<Publication> {
    return ctx.em.transactional(async (em) => {
      const p = await this.load(ctx, em, id);
      if (p.status !== PublicationStatus.PENDING)
        throw new InspectionError(
          'PUBLICATION_BAD_STATE',
          `only a PENDING publication is published; it is ${p.status}`,
        );
      const before = { status: p.status };
      p.status = PublicationStatus.PUBLISHED;
      p.publishedAt = this.clock();
      p.publishedOn = this.today();
      await em.flush();
      await this.after(em, ctx.user, p, 'publish', before);
      return p;
    });
  }

  /** Corrects the published text (re-redacted), with a reason; the version goes up. */
  correct(ctx: Ctx, id: string, body: string, reason: string, em0?: EntityManager): Promise<Publication> {
    if (reason.trim().length < 2)
      throw new ValidationError([{ field: 'reason', message: 'state why the text is corrected' }]);
    const run = async (em: EntityManager) => {
      const p = await this.load(ctx, em, id);
      if (p.status === PublicationStatus.WITHDRAWN)
        throw new InspectionError('PUBLICATION_BAD_STATE', 'a withdrawn publication cannot be corrected');
      const i = await em.findOneOrFail(Inspection, { id: p.inspectionId });
      const persons = await em.find(TargetPerson, { target: p.targetId }, { populate: ['person'] });
      const before = { status: p.status, version: p.version, body: p.body };
      p.body = redactForPublication(body, personNamesOf(i, persons));
      p.version += 1;
      p.lastReason = reason.trim();
      await em.flush();
      await this.after(em, ctx.user, p, 'correct', before, p.lastReason);
      return p;
    };
    return em0 ? run(em0) : ctx.em.transactional(run);
  }

  /** Withdraws a publication, with a reason. */
  withdraw(ctx: Ctx, id: string, reason: string, em0?: EntityManager): Promise<Publication> {
    if (reason.trim().length < 2)
      throw new ValidationError([{ field: 'reason', message: 'state why it is withdrawn' }]);
    const run = async (em: EntityManager) => {
      const p = await this.load(ctx, em, id);
      if (p.status === PublicationStatus.WITHDRAWN)
        throw new InspectionError('PUBLICATION_BAD_STATE', 'already withdrawn');
      const before = { status: p.status, version: p.version };
      p.status = PublicationStatus.WITHDRAWN;
      p.withdrawnAt = this.clock();
      p.lastReason = reason.trim();
      await em.flush();
      await this.after(em, ctx.user, p, 'withdraw', before, p.lastReason);
      return p;
    };
    return em0 ? run(em0) : ctx.em.transactional(run);
  }

  /** WHERE for the anonymous list: PUBLISHED rows only, whatever the filter says. */
  publicWhere(f: PublishedResultFilter | undefined): FilterQuery<Publication> {
    rejectNulls(f, 'filter');
    const w: Record<string, unknown> = { status: PublicationStatus.PUBLISHED };
    if (f?.categories) w.category = { $in: f.categories };
    if (f?.departmentCodes) w.departmentCode = { $in: f.departmentCodes };
    if (f?.jurisdictionCodes) w.jurisdictionCode = { $in: f.jurisdictionCodes };
    if (f?.outcomes) w.outcome = { $in: f.outcomes };
    if (f?.modes) w.mode = { $in: f.modes };
    if (f?.search) w.targetName = { $like: likeContains(f.search) };
    if (f?.inspectedFrom || f?.inspectedTo)
      w.inspectedOn = {
        ...(f.inspectedFrom ? { $gte: f.inspectedFrom } : {}),
        ...(f.inspectedTo ? { $lte: f.inspectedTo } : {}),
      };
    return w as FilterQuery<Publication>;
  }

  async staffWhere(
    ctx: Ctx,
    statuses: PublicationStatus[] | undefined,
    departmentCode: string | undefined,
  ): Promise<FilterQuery<Publication>> {
    const w: Record<string, unknown> = {};
    const jur = (await ctx.scope()).visibleJurisdictions();
    if (jur) w.jurisdictionCode = { $in: jur };
    if (statuses) w.status = { $in: statuses };
    if (departmentCode) w.departmentCode = departmentCode;
    return w as FilterQuery<Publication>;
  }

  // ---------------------------------------------------------------- appeals

  private async byCode(em: EntityManager, code: string): Promise<Inspection> {
    const norm = code.replace(/[\s-]/g, '').toUpperCase();
    const i = /^[2-9A-Z]{12}$/.test(norm) ? await em.findOne(Inspection, { appealCode: norm }) : null;
    if (!i || (i.state !== InspectionState.APPROVED && i.state !== InspectionState.CLOSED)) {
      throw new InspectionError('APPEAL_CODE_UNKNOWN', 'no result notice carries this appeal code');
    }
    return i;
  }

  /** Files an objection anonymously with the appeal code of the result notice. */
  fileAppeal(ctx: Ctx, code: string, text: string, contact: string | undefined): Promise<Appeal> {
    const problems = [];
    if (text.trim().length < 5 || text.length > 4000)
      problems.push({ field: 'text', message: 'state the objection (5–4000 characters)' });
    if (contact !== undefined && contact.length > 100)
      problems.push({ field: 'contact', message: 'at most 100 characters' });
    if (problems.length) throw new ValidationError(problems);
    return ctx.em.transactional(async (em) => {
      const i = await this.byCode(em, code);
      const today = this.today();
      const a = em.create(Appeal, {
        regionCode: i.regionCode,
        inspectionId: i.id,
        departmentCode: i.departmentCode,
        ticket: `SS${today.replaceAll('-', '')}${randomCode(6)}`,
        text: text.trim(),
        contact: contact?.trim() || null,
        filedOn: today,
        dueOn: deadlineAfter(this.calendar, today, this.clocks.appealWorkingDays),
      });
      em.persist(a);
      await em.flush();
      await this.audit.record(em, ctx.user.role === 'PUBLIC' ? ANONYMOUS : ctx.user, {
        action: 'appeal.file',
        entityType: 'Appeal',
        entityId: a.id,
        after: { inspectionId: i.id, dueOn: a.dueOn },
      });
      await this.events.publish(em, {
        topic: 'appealChanged',
        entityType: 'Appeal',
        entityId: a.id,
        departmentCode: a.departmentCode,
        jurisdictionCode: i.jurisdictionCode,
        payload: { appealId: a.id, status: a.status, dueOn: a.dueOn },
      });
      return a;
    });
  }

  /** Every appeal filed with this code, newest first (what the code holder may see). */
  async appealsByCode(em: EntityManager, code: string): Promise<Appeal[]> {
    const i = await this.byCode(em, code);
    return em.find(Appeal, { inspectionId: i.id }, { orderBy: { createdAt: 'desc' } });
  }

  /** Decides an appeal; an upheld one corrects or withdraws the publication in the same transaction. */
  decideAppeal(
    ctx: Ctx,
    id: string,
    upheld: boolean,
    decision: string,
    remedy: AppealRemedy | undefined,
    correctedBody: string | undefined,
  ): Promise<Appeal> {
    const problems = [];
    if (decision.trim().length < 2)
      problems.push({ field: 'decision', message: 'state the decision and its reasons' });
    if (upheld && !remedy)
      problems.push({ field: 'remedy', message: 'an upheld appeal corrects or withdraws the publication' });
    if (upheld && remedy === AppealRemedy.CORRECT && !correctedBody?.trim())
      problems.push({ field: 'correctedBody', message: 'give the corrected text' });
    if (problems.length) throw new ValidationError(problems);
    return ctx.em.transactional(async (em) => {
      const a = await em.findOne(Appeal, { id });
      if (!a) throw new NotFoundError('appeal', id);
      (await ctx.scope()).assertCanChangeDepartment(a.departmentCode);
      if (a.status !== AppealStatus.FILED)
        throw new InspectionError('APPEAL_BAD_STATE', `the appeal is already ${a.status}`);
      a.status = upheld ? AppealStatus.UPHELD : AppealStatus.DISMISSED;
      a.decision = decision.trim();
      a.remedy = upheld ? remedy! : null;
      a.decidedBy = ctx.user.sub;
      a.decidedAt = this.clock();
      await em.flush();
      const p = await em.findOne(Publication, { inspectionId: a.inspectionId });
      if (upheld && p) {
        const reason = `申诉成立（${a.ticket}）：${a.decision}`;
        if (remedy === AppealRemedy.WITHDRAW) await this.withdraw(ctx, p.id, reason, em);
        else await this.correct(ctx, p.id, correctedBody!, reason, em);
      }
      await this.audit.record(em, ctx.user, {
        action: 'appeal.decide',
        entityType: 'Appeal',
        entityId: a.id,
        after: { status: a.status, remedy: a.remedy },
      });
      await this.events.publish(em, {
        topic: 'appealChanged',
        entityType: 'Appeal',
        entityId: a.id,
        departmentCode: a.departmentCode,
        payload: { appealId: a.id, status: a.status, remedy: a.remedy },
      });
      return a;
    });
  }
}
