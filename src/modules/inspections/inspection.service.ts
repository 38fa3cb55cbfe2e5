import type { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import type { Ctx } from '../../graphql/context.js';
import { Role, type Principal } from '../../graphql/auth.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { isIsoDate, rejectNulls } from '../../shared/input.js';
import type { Logger } from '../../shared/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import { executeBound } from '../../db/bound.js';
import { pgArray } from '../../db/pg-array.js';
import type { EventService, PublishInput } from '../events/event.service.js';
import { OutboxLink, type BusinessEvent, type OutboxPort } from '../exchange/outbox-port.js';
import { HOLIDAY_YEARS } from '../calendar/holidays-data.js';
import { todayInShanghai, workCalendarFromYears, type WorkCalendar } from '../calendar/working-days.js';
import { Target } from '../targets/target.entity.js';
import { TargetPerson } from '../targets/target-person.entity.js';
import { Inspector, InspectorStatus } from '../inspectors/inspector.entity.js';
import { InspectionItem, InspectionItemVersion, ItemStatus } from '../items/inspection-item.entity.js';
import { Inspection, type InspectionKeyPoint, type TeamMember } from './inspection.entity.js';
import { Measure, MeasureKind, MeasureStatus } from './measure.entity.js';
import { InspectionError } from './inspection.errors.js';
import { randomCode } from './random-code.js';
import {
  deadlineAfter,
  deadlineStatus,
  EXCHANGE_MEASURE_KIND,
  exchangeOutcome,
  FindingSeverity,
  assignmentProblems,
  InspectionOutcome,
  InspectionSource,
  isBlasting,
  PenaltyKind,
  redactForPublication,
  routeOf,
  SUPERVISION_OFFICE_CONTACT,
  transition,
  type ClockSettings,
  type InspectionAction,
} from './inspection-rules.js';
import type { InspectionFilter, RecordResultInput } from './inspection.inputs.js';
import { personNamesOf, type PublicationService } from '../publication/publication.service.js';
import type { CreditService } from '../credit/credit.service.js';

/** Settings of the inspection modules, from the configuration. */
export interface InspectionSettings {
  clocks: ClockSettings;
  dataDir: string;
  evidenceMaxBytes: number;
  blacklistValidityDays: number;
}

/** What `create` needs; `createFromAssignment` and the ad-hoc mutation both end here. */
export interface CreateInspectionArgs {
  source: InspectionSource;
  assignmentId?: string | null;
  followUpOf?: string | null;
  targetId: string;
  inspectorIds: string[];
  itemCodes: string[];
  plannedOn: string;
  departmentCode: string;
}

/** One drawn assignment for {@link InspectionService.createManyFromAssignments}. */
export interface AssignmentInspectionArgs {
  assignmentId: string;
  targetId: string;
  inspectorIds: string[];
  itemCodes: string[];
  plannedOn: string;
  departmentCode: string;
}

/** Rows per statement of the bulk creation. */
const BULK_BATCH = 2000;

interface BulkTarget {
  id: string;
  region_code: string;
  name: string;
  category: string;
  jurisdiction_code: string;
}

interface BulkInspector {
  id: string;
  police_no: string;
  name: string;
  certificate_no: string;
  department_code: string;
  status: string;
  archived: boolean;
  valid_from: string;
  valid_to: string;
}

interface BulkItem {
  code: string;
  status: string;
  published_version: number | null;
  categories: string[] | null;
  key_points: { code: string; text: string }[] | null;
  implementation_code: string | null;
}

interface BulkRefs {
  targets: Map<string, BulkTarget>;
  inspectors: Map<string, BulkInspector>;
  items: Map<string, BulkItem>;
}

/** The events `publishChange` writes for one inspection, in the same order. */
function changeEvents(i: Inspection, change: string, extra: Record<string, unknown> = {}): PublishInput[] {
  const payload = {
    inspectionId: i.id,
    state: i.state,
    change,
    targetName: i.targetName,
    plannedOn: i.plannedOn,
    ...extra,
  };
  const base = {
    entityType: 'Inspection',
    entityId: i.id,
    departmentCode: i.departmentCode,
    jurisdictionCode: i.jurisdictionCode,
    payload,
  };
  const out: PublishInput[] = [{ topic: 'inspectionChanged', ...base }];
  if (change === 'ASSIGNED' || change === 'RETURNED') {
    for (const p of i.teamPoliceNos) out.push({ topic: 'inspectionTask', ...base, recipient: p });
  }
  return out;
}

/** The actor written to audit rows by scheduled jobs and module-to-module calls. */
export const SYSTEM_ACTOR: Principal = {
  sub: 'system:inspections',
  role: Role.ADMIN,
  dept: null,
  name: null,
};

export function inspectionSnapshot(i: Inspection) {
  return {
    state: i.state,
    outcome: i.outcome,
    inspectedOn: i.inspectedOn,
    checklist: i.checklist,
    findings: i.findings,
    penalty: i.penalty,
    summary: i.summary,
    rectificationWorkingDays: i.rectificationWorkingDays,
    suspectedCrime: i.suspectedCrime,
    returnReason: i.returnReason,
    approvedBy: i.approvedBy,
  };
}

/**
 * Inspections from assignment to closing: the state machine with the two-person review, results,
 * and what approval sets off (target visit, measures and clocks, publication, credit facts,
 * outbound messages), all in the approving transaction.
 */
export class InspectionService {
  readonly calendar: WorkCalendar = workCalendarFromYears(HOLIDAY_YEARS);
  private readonly outbox: OutboxLink;

  constructor(
    private readonly audit: AuditService,
    private readonly events: EventService,
    readonly settings: InspectionSettings,
    private readonly publications: PublicationService,
    private readonly credit: CreditService,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.outbox = new OutboxLink(log);
  }

  /** Binds the exchange hub's outbox once the services exist (it may not be installed yet). */
  attachOutbox(resolve: () => OutboxPort | undefined): void {
    this.outbox.attach(resolve);
    this.publications.attachOutbox(resolve);
    this.credit.attachOutbox(resolve);
  }

  today(): string {
    return todayInShanghai(this.clock());
  }

  now(): Date {
    return this.clock();
  }

  /** Enqueues an outbound business event in the caller's transaction, when the hub is installed. */
  enqueue(em: EntityManager, event: BusinessEvent): Promise<void> {
    return this.outbox.enqueue(em, event);
  }

  // ---------------------------------------------------------------- creation

  /** Called by the sampling module for each drawn assignment (idempotent per assignment id). */
  async createFromAssignment(
    em: EntityManager,
    a: {
      assignmentId: string;
      targetId: string;
      inspectorIds: string[];
      itemCodes: string[];
      plannedOn: string;
      departmentCode: string;
      actor?: Principal;
    },
  ): Promise<Inspection> {
    const found = await em.findOne(Inspection, { assignmentId: a.assignmentId });
    if (found) return found;
    const run = (tem: EntityManager) =>
      this.create(tem, a.actor ?? SYSTEM_ACTOR, { ...a, source: InspectionSource.DRAW });
    return em.isInTransaction() ? run(em) : em.transactional(run);
  }

  /**
   * The set-based `createFromAssignment` for a whole lock: the same checks, coded errors, rows,
   * audit rows and events as calling it once per assignment, in the caller's transaction, with a
   * handful of statements per 2,000 assignments instead of ~10 per assignment. Assignments that
   * already have their inspection are skipped (idempotent). The team keeps the given (draw) order.
   * Returns the inspection id of every assignment, in input order.
   * @example await inspections.createManyFromAssignments(em, ctx.user, assignments)
   * @throws NotFoundError for an unknown target; InspectionError INSPECTION_TEAM_INVALID naming the
   * first offending target and its fields (inspectorIds, itemCodes); nothing is written then.
   */
  async createManyFromAssignments(
    em: EntityManager,
    actor: Principal,
    list: readonly AssignmentInspectionArgs[],
  ): Promise<string[]> {
    if (!em.isInTransaction()) {
      return em.transactional((tem) => this.createManyFromAssignments(tem, actor, list));
    }
    const conn = em.getConnection();
    const trx = em.getTransactionContext();
    const ids = new Map<string, string>();
    const todo: AssignmentInspectionArgs[] = [];
    for (let from = 0; from < list.length; from += BULK_BATCH) {
      const chunk = list.slice(from, from + BULK_BATCH);
      const existing = await conn.execute<{ assignment_id: string; id: string }[]>(
        'select assignment_id::text as assignment_id, id::text as id from inspection where assignment_id = any(?::uuid[])',
        [pgArray(chunk.map((a) => a.assignmentId))],
        'all',
        trx,
      );
      for (const r of existing) ids.set(r.assignment_id, r.id);
      for (const a of chunk) {
        if (ids.has(a.assignmentId)) continue;
        ids.set(a.assignmentId, '');
        todo.push(a);
      }
    }
    const created: Inspection[] = [];
    for (let from = 0; from < todo.length; from += BULK_BATCH) {
      const chunk = todo.slice(from, from + BULK_BATCH);
      const refs = await this.loadBulkRefs(em, chunk);
      for (const a of chunk) created.push(this.buildFromAssignment(a, refs));
    }
    for (let from = 0; from < created.length; from += BULK_BATCH) {
      const rows = created.slice(from, from + BULK_BATCH).map((i) => ({
        id: i.id,
        region_code: i.regionCode,
        source: i.source,
        assignment_id: i.assignmentId,
        target_id: i.targetId,
        target_name: i.targetName,
        category: i.category,
        department_code: i.departmentCode,
        jurisdiction_code: i.jurisdictionCode,
        item_codes: i.itemCodes,
        implementation_codes: i.implementationCodes,
        key_points: i.keyPoints,
        planned_on: i.plannedOn,
        team: i.team,
        team_police_nos: i.teamPoliceNos,
        appeal_code: i.appealCode,
      }));
      await executeBound(
        em,
        `insert into inspection (id, region_code, source, assignment_id, target_id, target_name, category,
           department_code, jurisdiction_code, item_codes, implementation_codes, key_points, planned_on, team,
           team_police_nos, appeal_code)
         select r.id, r.region_code, r.source::inspection_source, r.assignment_id, r.target_id, r.target_name,
                r.category::target_category, r.department_code, r.jurisdiction_code, r.item_codes,
                r.implementation_codes, r.key_points, r.planned_on, r.team, r.team_police_nos, r.appeal_code
           from rows from (jsonb_to_recordset(?::jsonb) as (id uuid, region_code text, source text,
                  assignment_id uuid, target_id uuid, target_name text, category text, department_code text,
                  jurisdiction_code text, item_codes text[], implementation_codes text[], key_points jsonb,
                  planned_on date, team jsonb, team_police_nos text[], appeal_code text))
                with ordinality as r(id, region_code, source, assignment_id, target_id, target_name, category,
                  department_code, jurisdiction_code, item_codes, implementation_codes, key_points, planned_on,
                  team, team_police_nos, appeal_code, n)
          order by r.n`,
        [JSON.stringify(rows)],
      );
    }
    await this.audit.recordMany(
      em,
      actor,
      created.map((i) => ({
        action: 'inspection.create',
        entityType: 'Inspection',
        entityId: i.id,
        after: inspectionSnapshot(i),
        details: { source: i.source, assignmentId: i.assignmentId, team: i.teamPoliceNos },
      })),
    );
    await this.events.publishMany(
      em,
      created.flatMap((i) => changeEvents(i, 'ASSIGNED')),
    );
    for (const i of created) ids.set(i.assignmentId!, i.id);
    return list.map((a) => ids.get(a.assignmentId)!);
  }

  /** Targets, inspectors and published item versions named by a chunk of assignments. */
  private async loadBulkRefs(
    em: EntityManager,
    chunk: readonly AssignmentInspectionArgs[],
  ): Promise<BulkRefs> {
    const conn = em.getConnection();
    const trx = em.getTransactionContext();
    const targetIds = [...new Set(chunk.map((a) => a.targetId))];
    const inspectorIds = [...new Set(chunk.flatMap((a) => a.inspectorIds))];
    const codes = [...new Set(chunk.flatMap((a) => a.itemCodes))];
    const targets = await conn.execute<BulkTarget[]>(
      `select id::text as id, region_code, name, category::text as category, jurisdiction_code
         from target where id = any(?::uuid[])`,
      [pgArray(targetIds)],
      'all',
      trx,
    );
    const inspectors = inspectorIds.length
      ? await conn.execute<BulkInspector[]>(
          `select id::text as id, police_no, name, certificate_no, department_code, status::text as status,
                  archived_at is not null as archived, certificate_valid_from::text as valid_from,
                  certificate_valid_to::text as valid_to
             from inspector where id = any(?::uuid[])`,
          [pgArray(inspectorIds)],
          'all',
          trx,
        )
      : [];
    const items = codes.length
      ? await conn.execute<BulkItem[]>(
          `select i.code, i.status::text as status, i.published_version, v.categories, v.key_points,
                  v.implementation_code
             from inspection_item i
             left join inspection_item_version v on v.item_id = i.id and v.version = i.published_version
            where i.code = any(?::text[])`,
          [pgArray(codes)],
          'all',
          trx,
        )
      : [];
    return {
      targets: new Map(targets.map((t) => [t.id, t])),
      inspectors: new Map(inspectors.map((i) => [i.id, i])),
      items: new Map(items.map((i) => [i.code, i])),
    };
  }

  /** One assignment's inspection after the checks of {@link create}; detached (not in the em). */
  private buildFromAssignment(a: AssignmentInspectionArgs, refs: BulkRefs): Inspection {
    const target = refs.targets.get(a.targetId);
    if (!target) throw new NotFoundError('target', a.targetId);
    const ids = [...new Set(a.inspectorIds)];
    const inspectors = ids.map((id) => refs.inspectors.get(id)).filter((i) => i !== undefined);
    const codes = [...new Set(a.itemCodes)];
    const items = codes.map((c) => refs.items.get(c)).filter((i) => i !== undefined);
    const problems = assignmentProblems(
      { ...a, category: target.category },
      inspectors.map((i) => ({
        policeNo: i.police_no,
        active: i.status === InspectorStatus.ACTIVE && !i.archived,
        certificateValidFrom: i.valid_from,
        certificateValidTo: i.valid_to,
      })),
      items.map((i) => ({
        code: i.code,
        published: i.status === ItemStatus.PUBLISHED && i.published_version != null && !!i.categories,
        categories: i.categories ?? [],
      })),
    );
    const versions = items.filter(
      (i) => i.status === ItemStatus.PUBLISHED && i.published_version != null && !!i.categories,
    );
    if (problems.length)
      throw new InspectionError(
        'INSPECTION_TEAM_INVALID',
        `target ${target.id}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
        { targetId: target.id, assignmentId: a.assignmentId, fields: problems },
      );
    const team: TeamMember[] = inspectors.map((i) => ({
      inspectorId: i.id,
      policeNo: i.police_no,
      name: i.name,
      certificateNo: i.certificate_no,
      departmentCode: i.department_code,
    }));
    return Object.assign(new Inspection(), {
      regionCode: target.region_code,
      source: InspectionSource.DRAW,
      assignmentId: a.assignmentId,
      followUpOf: null,
      targetId: target.id,
      targetName: target.name,
      category: target.category as Inspection['category'],
      departmentCode: a.departmentCode,
      jurisdictionCode: target.jurisdiction_code,
      itemCodes: versions.map((v) => v.code),
      implementationCodes: versions.map((v) => v.implementation_code!),
      keyPoints: versions.flatMap((v) =>
        (v.key_points ?? []).map((k) => ({ itemCode: v.code, code: k.code, text: k.text })),
      ),
      plannedOn: a.plannedOn,
      team,
      teamPoliceNos: team.map((t) => t.policeNo),
      appealCode: randomCode(12),
    });
  }

  /** Ad-hoc inspection (not from a draw); marked AD_HOC. */
  async createAdHoc(ctx: Ctx, args: Omit<CreateInspectionArgs, 'source'>): Promise<Inspection> {
    (await ctx.scope()).assertCanChangeDepartment(args.departmentCode);
    return ctx.em.transactional((em) =>
      this.create(em, ctx.user, { ...args, source: InspectionSource.AD_HOC }),
    );
  }

  /** Creates an inspection in state ASSIGNED after checking team, items and target; in a transaction. */
  async create(em: EntityManager, actor: Principal, a: CreateInspectionArgs): Promise<Inspection> {
    const target = await em.findOne(Target, { id: a.targetId });
    if (!target) throw new NotFoundError('target', a.targetId);
    const ids = [...new Set(a.inspectorIds)];
    const inspectors = ids.length ? await em.find(Inspector, { id: { $in: ids } }) : [];
    const codes = [...new Set(a.itemCodes)];
    const items = codes.length ? await em.find(InspectionItem, { code: { $in: codes } }) : [];
    const versions: InspectionItemVersion[] = [];
    for (const item of items) {
      if (item.status !== ItemStatus.PUBLISHED || item.publishedVersion == null) continue;
      versions.push(
        await em.findOneOrFail(InspectionItemVersion, { item: item.id, version: item.publishedVersion }),
      );
    }
    const problems = assignmentProblems(
      { ...a, category: target.category },
      inspectors.map((i) => ({
        policeNo: i.policeNo,
        active: i.status === InspectorStatus.ACTIVE && !i.archivedAt,
        certificateValidFrom: i.certificateValidFrom,
        certificateValidTo: i.certificateValidTo,
      })),
      items.map((i) => ({
        code: i.code,
        published: i.status === ItemStatus.PUBLISHED && i.publishedVersion != null,
        categories: versions.find((v) => v.item.id === i.id)?.categories ?? [],
      })),
    );
    if (problems.length)
      throw new InspectionError(
        'INSPECTION_TEAM_INVALID',
        problems.map((p) => `${p.field}: ${p.message}`).join('; '),
        { fields: problems },
      );
    const team: TeamMember[] = inspectors.map((i) => ({
      inspectorId: i.id,
      policeNo: i.policeNo,
      name: i.name,
      certificateNo: i.certificateNo,
      departmentCode: i.departmentCode,
    }));
    const keyPoints: InspectionKeyPoint[] = versions.flatMap((v) =>
      v.keyPoints.map((k) => ({
        itemCode: items.find((it) => it.id === v.item.id)!.code,
        code: k.code,
        text: k.text,
      })),
    );
    const insp = em.create(Inspection, {
      regionCode: target.regionCode,
      source: a.source,
      assignmentId: a.assignmentId ?? null,
      followUpOf: a.followUpOf ?? null,
      targetId: target.id,
      targetName: target.name,
      category: target.category,
      departmentCode: a.departmentCode,
      jurisdictionCode: target.jurisdictionCode,
      itemCodes: versions.map((v) => items.find((it) => it.id === v.item.id)!.code),
      implementationCodes: versions.map((v) => v.implementationCode),
      keyPoints,
      plannedOn: a.plannedOn,
      team,
      teamPoliceNos: team.map((t) => t.policeNo),
      appealCode: randomCode(12),
    });
    em.persist(insp);
    await em.flush();
    await this.audit.record(em, actor, {
      action: 'inspection.create',
      entityType: 'Inspection',
      entityId: insp.id,
      after: inspectionSnapshot(insp),
      details: { source: a.source, assignmentId: a.assignmentId ?? null, team: insp.teamPoliceNos },
    });
    await this.publishChange(em, insp, 'ASSIGNED');
    return insp;
  }

  private async publishChange(
    em: EntityManager,
    i: Inspection,
    change: string,
    extra: Record<string, unknown> = {},
  ) {
    for (const e of changeEvents(i, change, extra)) await this.events.publish(em, e);
  }

  // ---------------------------------------------------------------- reading

  /** Loads an inspection the caller may see (stations: their jurisdiction only). */
  async visible(ctx: Ctx, id: string): Promise<Inspection> {
    const i = await ctx.em.findOne(Inspection, { id });
    const jur = (await ctx.scope()).visibleJurisdictions();
    if (!i || (jur && !jur.includes(i.jurisdictionCode))) throw new NotFoundError('inspection', id);
    return i;
  }

  async where(ctx: Ctx, f: InspectionFilter | undefined): Promise<FilterQuery<Inspection>> {
    rejectNulls(f, 'filter');
    const w: Record<string, unknown> = {};
    const jur = (await ctx.scope()).visibleJurisdictions();
    if (jur) w.jurisdictionCode = { $in: jur };
    if (f?.states) w.state = { $in: f.states };
    if (f?.departmentCodes) w.departmentCode = { $in: f.departmentCodes };
    if (f?.categories) w.category = { $in: f.categories };
    if (f?.sources) w.source = { $in: f.sources };
    if (f?.targetId) w.targetId = f.targetId;
    if (f?.mine) w.teamPoliceNos = { $contains: [ctx.user.sub] };
    if (f?.plannedFrom || f?.plannedTo)
      w.plannedOn = {
        ...(f.plannedFrom ? { $gte: f.plannedFrom } : {}),
        ...(f.plannedTo ? { $lte: f.plannedTo } : {}),
      };
    return w as FilterQuery<Inspection>;
  }

  measuresOf(em: EntityManager, inspectionId: string): Promise<Measure[]> {
    return em.find(Measure, { inspectionId }, { orderBy: { createdAt: 'asc' } });
  }

  // ---------------------------------------------------------------- transitions

  private async step(
    ctx: Ctx,
    id: string,
    action: InspectionAction,
    apply: (em: EntityManager, i: Inspection) => Promise<void> | void,
  ): Promise<Inspection> {
    return ctx.em.transactional(async (em) => {
      const i = await em.findOne(Inspection, { id }, { lockMode: 4 /* PESSIMISTIC_WRITE */ });
      const jur = (await ctx.scope()).visibleJurisdictions();
      if (!i || (jur && !jur.includes(i.jurisdictionCode))) throw new NotFoundError('inspection', id);
      if (action === 'RETURN' || action === 'APPROVE' || action === 'CLOSE') {
        (await ctx.scope()).assertCanChangeDepartment(i.departmentCode);
      }
      const t = transition({
        state: i.state,
        action,
        role: ctx.user.role,
        actor: ctx.user.sub,
        teamPoliceNos: i.teamPoliceNos,
        submittedBy: i.submittedBy,
      });
      if (!t.ok) throw new InspectionError(t.code as never, t.reason, { state: i.state, action });
      const before = inspectionSnapshot(i);
      const from = i.state;
      await apply(em, i);
      i.state = t.to;
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: `inspection.${action.toLowerCase()}`,
        entityType: 'Inspection',
        entityId: i.id,
        before,
        after: inspectionSnapshot(i),
        details: {
          from,
          to: i.state,
          ...(i.returnReason && action === 'RETURN' ? { reason: i.returnReason } : {}),
        },
      });
      if (from !== i.state) await this.publishChange(em, i, i.state, { from, by: ctx.user.sub });
      return i;
    });
  }

  start(ctx: Ctx, id: string) {
    return this.step(ctx, id, 'START', () => undefined);
  }

  /** Records (or rewrites) the result while in progress or returned. */
  record(ctx: Ctx, id: string, input: RecordResultInput) {
    return this.step(ctx, id, 'RECORD', (_em, i) => {
      const problems: { field: string; message: string }[] = [];
      const points = new Set(i.keyPoints.map((k) => k.code));
      for (const [n, c] of (input.checklist ?? []).entries()) {
        if (!points.has(c.pointCode))
          problems.push({
            field: `checklist.${n}.pointCode`,
            message: `${c.pointCode} is not a key point of this inspection's items`,
          });
      }
      if (!isIsoDate(input.inspectedOn) || input.inspectedOn > this.today())
        problems.push({
          field: 'inspectedOn',
          message: `expected a date (YYYY-MM-DD) not after today, got ${input.inspectedOn}`,
        });
      if (problems.length) throw new ValidationError(problems);
      i.inspectedOn = input.inspectedOn;
      i.place = input.place ?? i.place;
      i.outcome = input.outcome;
      i.checklist = (input.checklist ?? []).map((c) => ({
        pointCode: c.pointCode,
        answer: c.answer,
        note: c.note ?? null,
      }));
      i.findings = (input.findings ?? []).map((f) => ({
        code: f.code,
        severity: f.severity,
        legalClause: f.legalClause ?? null,
        text: f.text,
      }));
      i.summary = input.summary ?? null;
      i.penalty = input.penalty ?? PenaltyKind.NONE;
      i.rectificationWorkingDays = input.rectificationWorkingDays ?? null;
      i.suspectedCrime = input.suspectedCrime ?? null;
      i.contactName = input.contactName ?? null;
    });
  }

  submit(ctx: Ctx, id: string) {
    return this.step(ctx, id, 'SUBMIT', (_em, i) => {
      const missing: string[] = [];
      if (!i.outcome || !i.inspectedOn) missing.push('outcome and inspectedOn');
      const answered = new Set(i.checklist.map((c) => c.pointCode));
      const reached =
        i.outcome !== InspectionOutcome.UNREACHABLE &&
        i.outcome !== InspectionOutcome.CLOSED_DOWN &&
        i.outcome !== InspectionOutcome.NOT_OPERATING;
      if (reached)
        for (const k of i.keyPoints) if (!answered.has(k.code)) missing.push(`checklist ${k.code}`);
      const needsFindings =
        i.outcome === InspectionOutcome.VIOLATION_FOUND ||
        i.outcome === InspectionOutcome.HAZARD_FOUND ||
        i.outcome === InspectionOutcome.CORRECTED;
      if (needsFindings && i.findings.length === 0) missing.push('findings for this outcome');
      if (i.outcome === InspectionOutcome.HAZARD_FOUND && !i.rectificationWorkingDays)
        missing.push('a rectification deadline for the hazard');
      if (missing.length)
        throw new InspectionError('INSPECTION_INCOMPLETE', `cannot submit: missing ${missing.join(', ')}`, {
          missing,
        });
      i.submittedBy = ctx.user.sub;
      i.submittedAt = this.now();
      i.returnReason = null;
    });
  }

  returnForRework(ctx: Ctx, id: string, reason: string) {
    if (reason.trim().length < 2)
      throw new ValidationError([{ field: 'reason', message: 'state why the result goes back' }]);
    return this.step(ctx, id, 'RETURN', (_em, i) => {
      i.returnReason = reason.trim();
    });
  }

  /** Approves a submitted result and sets off everything that follows, in one transaction. */
  approve(ctx: Ctx, id: string) {
    return this.step(ctx, id, 'APPROVE', async (em, i) => {
      i.approvedBy = ctx.user.sub;
      i.approvedAt = this.now();
      i.approvedOn = this.today();
      await this.afterApproval(em, ctx.user, i);
    });
  }

  close(ctx: Ctx, id: string) {
    return this.step(ctx, id, 'CLOSE', async (em, i) => {
      const open = await em.count(Measure, {
        inspectionId: i.id,
        status: MeasureStatus.OPEN,
        kind: MeasureKind.RECTIFICATION,
      });
      if (open)
        throw new InspectionError(
          'INSPECTION_BAD_STATE',
          'a rectification order is still open; close after its follow-up',
        );
      i.closedAt = this.now();
    });
  }

  private async afterApproval(em: EntityManager, actor: Principal, i: Inspection): Promise<void> {
    const target = await em.findOneOrFail(Target, { id: i.targetId });
    const inspectedOn = i.inspectedOn!;
    await em
      .getConnection()
      .execute(
        `insert into target_visit (target_id, visited_on, inspection_id, team_police_nos) values (?, ?, ?, array(select jsonb_array_elements_text(?::jsonb))) on conflict (inspection_id) do nothing`,
        [i.targetId, inspectedOn, i.id, JSON.stringify(i.teamPoliceNos)],
        'run',
        em.getTransactionContext(),
      );
    const measures: Measure[] = [];
    const add = (kind: MeasureKind, note: string, extra: Partial<Measure> = {}) => {
      const m = em.create(Measure, {
        regionCode: i.regionCode,
        inspectionId: i.id,
        targetId: i.targetId,
        departmentCode: i.departmentCode,
        kind,
        orderedOn: inspectedOn,
        note,
        ...extra,
      });
      measures.push(m);
      return m;
    };
    if (i.rectificationWorkingDays) {
      const dueOn = deadlineAfter(this.calendar, inspectedOn, i.rectificationWorkingDays);
      const m = add(MeasureKind.RECTIFICATION, `责令${i.rectificationWorkingDays}个工作日内整改`, {
        workingDays: i.rectificationWorkingDays,
        dueOn,
      });
      const followUp = await this.create(em, actor, {
        source: InspectionSource.FOLLOW_UP,
        followUpOf: i.id,
        targetId: i.targetId,
        inspectorIds: i.team.map((t) => t.inspectorId),
        itemCodes: i.itemCodes,
        plannedOn: dueOn,
        departmentCode: i.departmentCode,
      });
      m.followUpInspectionId = followUp.id;
    }
    if (isBlasting(i.category) && i.findings.some((f) => f.severity === FindingSeverity.SERIOUS)) {
      add(MeasureKind.REVOCATION_PROPOSAL, '爆破作业单位违反规定情节严重，建议依法吊销许可证件');
    }
    if (i.suspectedCrime) {
      i.criminalCaseFlag = true;
      add(MeasureKind.CRIMINAL_CASE, `涉嫌违法犯罪，依法追究法律责任：${i.suspectedCrime}`);
    }
    if (
      i.followUpOf &&
      (i.outcome === InspectionOutcome.CORRECTED || i.outcome === InspectionOutcome.NO_VIOLATION)
    ) {
      const parent = await em.findOne(Measure, {
        inspectionId: i.followUpOf,
        kind: MeasureKind.RECTIFICATION,
      });
      if (parent && (parent.status === MeasureStatus.OPEN || parent.status === MeasureStatus.OVERDUE)) {
        parent.status = MeasureStatus.DONE;
        parent.closedAt = this.now();
      }
    }
    em.persist(measures);
    await em.flush();
    for (const m of measures) {
      await this.audit.record(em, actor, {
        action: 'measure.create',
        entityType: 'Measure',
        entityId: m.id,
        after: { kind: m.kind, dueOn: m.dueOn },
      });
      await this.events.publish(em, {
        topic: 'measureChanged',
        entityType: 'Measure',
        entityId: m.id,
        departmentCode: m.departmentCode,
        jurisdictionCode: i.jurisdictionCode,
        payload: { kind: m.kind, status: m.status, dueOn: m.dueOn, inspectionId: i.id },
      });
    }
    const persons = await em.find(TargetPerson, { target: i.targetId }, { populate: ['person'] });
    await this.publications.createForApproved(em, actor, i, target, persons, this.today());
    const route = routeOf(i.category);
    const names = personNamesOf(i, persons);
    if (route.credit) await this.credit.recordFacts(em, actor, i, persons, this.today());
    const subject = {
      targetId: target.id,
      uscc: target.usccNormalised,
      name: target.name,
      category: target.category,
      licenceNo: target.licenceNos[0]?.number ?? null,
    };
    if (route.notify.length) {
      await this.enqueue(em, {
        type: 'INSPECTION_RESULT',
        sourceId: i.id,
        subjectKey: target.id,
        subject,
        payload: {
          inspectionId: i.id,
          noticeNo: i.appealCode,
          itemCode: i.itemCodes[0]!,
          implementationCode: i.implementationCodes[0]!,
          inspectedOn,
          outcome: exchangeOutcome(i.outcome!),
          // Partners get the same redacted wording as the public.
          findings: i.findings.map((f) => ({
            code: f.code,
            severity: f.severity,
            text: redactForPublication(f.text, names),
            legalClause: f.legalClause,
          })),
          measures: [
            ...measures.map((m) => ({ kind: EXCHANGE_MEASURE_KIND[m.kind]!, deadline: m.dueOn })),
            ...(i.penalty !== PenaltyKind.NONE ? [{ kind: 'PENALTY', deadline: null }] : []),
          ],
          contact: { ...SUPERVISION_OFFICE_CONTACT },
          needFeedback: i.outcome === InspectionOutcome.VIOLATION_FOUND,
        },
      });
    }
    if (i.penalty !== PenaltyKind.NONE && i.penalty !== PenaltyKind.WARNING) {
      await this.enqueue(em, {
        type: 'PENALTY_PUBLICITY',
        sourceId: i.id,
        subjectKey: target.id,
        subject,
        payload: { inspectionId: i.id, penalty: i.penalty, decidedOn: i.approvedOn },
      });
    }
  }

  // ---------------------------------------------------------------- clocks

  /**
   * Daily clocks: overdue rectification → OVERDUE and a suspension (停业整顿) proposal. Idempotent
   * (one proposal per inspection). Returns what changed.
   */
  async runClocks(em: EntityManager, today = this.today()): Promise<{ overdue: number; proposals: number }> {
    return em.transactional(async (tem) => {
      const late = await tem.find(Measure, {
        kind: MeasureKind.RECTIFICATION,
        status: MeasureStatus.OPEN,
        dueOn: { $lt: today },
      });
      let proposals = 0;
      for (const m of late) {
        m.status = MeasureStatus.OVERDUE;
        const exists = await tem.count(Measure, {
          inspectionId: m.inspectionId,
          kind: MeasureKind.SUSPENSION_PROPOSAL,
        });
        await this.audit.record(tem, SYSTEM_ACTOR, {
          action: 'measure.overdue',
          entityType: 'Measure',
          entityId: m.id,
          details: { dueOn: m.dueOn, today },
        });
        if (!exists) {
          const p = tem.create(Measure, {
            regionCode: m.regionCode,
            inspectionId: m.inspectionId,
            targetId: m.targetId,
            departmentCode: m.departmentCode,
            kind: MeasureKind.SUSPENSION_PROPOSAL,
            orderedOn: today,
            causedBy: m.id,
            note: `逾期（${m.dueOn}）未改正，建议依法责令停业整顿`,
          });
          tem.persist(p);
          await tem.flush();
          proposals++;
          await this.audit.record(tem, SYSTEM_ACTOR, {
            action: 'measure.create',
            entityType: 'Measure',
            entityId: p.id,
            after: { kind: p.kind, causedBy: m.id },
          });
          await this.events.publish(tem, {
            topic: 'measureChanged',
            entityType: 'Measure',
            entityId: p.id,
            departmentCode: p.departmentCode,
            payload: { kind: p.kind, status: p.status, causedBy: m.id, inspectionId: m.inspectionId },
          });
        }
      }
      await tem.flush();
      return { overdue: late.length, proposals };
    });
  }

  /**
   * Every open deadline of a department: rectifications, publications, appeals, referral
   * approvals and blacklist objection periods, marked OVERDUE or DUE_SOON (within `soonDays`).
   */
  async deadlines(ctx: Ctx, departmentCode: string, soonDays: number): Promise<DeadlineRow[]> {
    if (ctx.user.role !== Role.ADMIN && ctx.user.role !== Role.ANALYST && ctx.user.dept !== departmentCode) {
      (await ctx.scope()).assertCanChangeDepartment(departmentCode);
    }
    const today = this.today();
    const rows = await ctx.em
      .getConnection()
      .execute<{ kind: string; entity_id: string; due_on: string; title: string }[]>(
        `select 'RECTIFICATION' as kind, m.id as entity_id, m.due_on::text as due_on, i.target_name as title
         from inspection_measure m join inspection i on i.id = m.inspection_id
        where m.department_code = ? and m.kind = 'RECTIFICATION' and m.status in ('OPEN', 'OVERDUE')
       union all
       select 'PUBLICATION', p.id, p.due_on::text, p.title from publication p where p.department_code = ? and p.status = 'PENDING'
       union all
       select 'APPEAL', a.id, a.due_on::text, a.ticket from appeal a where a.department_code = ? and a.status = 'FILED'
       union all
       select 'REFERRAL_APPROVAL', r.id, r.approval_due_on::text, r.referral_no from referral r where r.department_code = ? and r.status = 'PROPOSED'
       union all
       select 'BLACKLIST_OBJECTION', b.id, b.objection_due_on::text, b.reasons from blacklist_entry b where b.department_code = ? and b.status = 'NOTICED'
       order by 3, 1, 2`,
        [departmentCode, departmentCode, departmentCode, departmentCode, departmentCode],
      );
    return rows
      .map((r) => ({
        kind: r.kind,
        entityId: r.entity_id,
        dueOn: r.due_on,
        title: r.title,
        status: deadlineStatus(today, r.due_on, soonDays),
      }))
      .filter((r) => r.status !== 'LATER' || soonDays < 0) as DeadlineRow[];
  }
}

/** One row of the deadline list. */
export interface DeadlineRow {
  kind: string;
  entityId: string;
  dueOn: string;
  title: string;
  status: 'OVERDUE' | 'DUE_SOON';
}
