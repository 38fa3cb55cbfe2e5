import type { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import type { Ctx } from '../../graphql/context.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { likeContains, rejectNulls } from '../../shared/input.js';
import { checkUscc } from '../identity/identifiers.js';
import { Department, DepartmentKind } from '../org/department.entity.js';
import type { AuditService } from '../audit/audit.service.js';
import type { PiiService } from '../pii/pii.service.js';
import type { EventService } from '../events/event.service.js';
import { Target } from './target.entity.js';
import { Person } from './person.entity.js';
import { TargetPerson } from './target-person.entity.js';
import { TargetCategory } from './target-category.js';
import type { CreateTargetInput, PersonInput, TargetFieldsInput, TargetFilter } from './target.inputs.js';
import { SortDirection, TargetSort } from './target.inputs.js';

export const REGION_CODE = '350322';

/** A snapshot of the fields that matter for audit digests and change events. */
export function targetSnapshot(t: Target) {
  return {
    category: t.category,
    name: t.name,
    uscc: t.usccNormalised,
    licenceNos: t.licenceNos,
    address: t.address,
    jurisdictionCode: t.jurisdictionCode,
    status: t.status,
    grade: t.grade,
    hotelBlacklisted: t.hotelBlacklisted,
    keyInspection: t.keyInspection,
    abnormalListed: t.abnormalListed,
    complaints90d: t.complaints90d,
    archived: t.archivedAt !== null,
  };
}

/** The target roster (检查对象名录库). */
export class TargetService {
  constructor(
    private readonly audit: AuditService,
    private readonly pii: PiiService,
    private readonly events: EventService,
  ) {}

  /** Builds the WHERE for a target list: the caller's row scope first, then the filter. */
  async where(ctx: Ctx, filter: TargetFilter | undefined): Promise<FilterQuery<Target>> {
    rejectNulls(filter, 'filter');
    const w: Record<string, unknown> = {};
    const visible = (await ctx.scope()).visibleJurisdictions();
    const f = filter ?? {};
    if (!f.includeArchived) w.archivedAt = null;
    if (f.categories) w.category = { $in: f.categories };
    if (f.grades && f.ungraded) {
      w.$or = [{ grade: { $in: f.grades } }, { grade: null, category: TargetCategory.ENTERTAINMENT }];
    } else if (f.grades) w.grade = { $in: f.grades };
    else if (f.ungraded !== undefined) {
      w.category = TargetCategory.ENTERTAINMENT;
      w.grade = f.ungraded ? null : { $ne: null };
    }
    if (f.statuses) w.status = { $in: f.statuses };
    const jur = f.jurisdictionCodes
      ? visible
        ? f.jurisdictionCodes.filter((j) => visible.includes(j))
        : f.jurisdictionCodes
      : visible;
    if (jur) w.jurisdictionCode = { $in: jur };
    for (const flag of ['hotelBlacklisted', 'keyInspection', 'abnormalListed', 'usccValid'] as const) {
      if (f[flag] !== undefined) w[flag] = f[flag];
    }
    if (f.minComplaints !== undefined) w.complaints90d = { $gte: f.minComplaints };
    if (f.search) w.name = { $like: likeContains(f.search) };
    if (f.uscc) w.usccNormalised = checkUscc(f.uscc).normalised;
    return w as FilterQuery<Target>;
  }

  orderBy(sort: TargetSort | undefined, dir: SortDirection | undefined) {
    const d = dir === SortDirection.DESC ? 'desc' : 'asc';
    switch (sort) {
      case TargetSort.UPDATED_AT:
        return { updatedAt: d, id: d } as const;
      case TargetSort.COMPLAINTS:
        return { complaints90d: d, id: d } as const;
      default:
        return { name: d, id: d } as const;
    }
  }

  /** Loads a target the caller may see, or throws NOT_FOUND. */
  async visible(ctx: Ctx, id: string): Promise<Target> {
    const t = await ctx.em.findOne(Target, { id });
    const visible = (await ctx.scope()).visibleJurisdictions();
    if (!t || (visible && !visible.includes(t.jurisdictionCode))) throw new NotFoundError('target', id);
    return t;
  }

  private async assertStation(em: EntityManager, code: string): Promise<void> {
    const station = await em.count(Department, {
      kind: DepartmentKind.STATION,
      jurisdictionCodes: { $contains: [code] },
    });
    if (!station)
      throw new ValidationError([
        { field: 'jurisdictionCode', message: `no police station has jurisdiction ${code}` },
      ]);
  }

  private applyFields(t: Target, input: TargetFieldsInput): void {
    if (input.name !== undefined) t.name = input.name.trim();
    if (input.uscc !== undefined) {
      const chk = checkUscc(input.uscc);
      t.usccRaw = input.uscc;
      t.usccNormalised = chk.normalised || null;
      t.usccValid = chk.raw && chk.normalised ? chk.valid : null;
    }
    if (input.licenceNos !== undefined)
      t.licenceNos = input.licenceNos.map((l) => ({ kind: l.kind, number: l.number }));
    if (input.address !== undefined) t.address = input.address;
    if (input.jurisdictionCode !== undefined) t.jurisdictionCode = input.jurisdictionCode;
    if (input.status !== undefined) t.status = input.status;
    if (input.grade !== undefined) t.grade = input.grade;
    if (input.hotelBlacklisted !== undefined) t.hotelBlacklisted = input.hotelBlacklisted;
    if (input.keyInspection !== undefined) t.keyInspection = input.keyInspection;
    if (input.abnormalListed !== undefined) t.abnormalListed = input.abnormalListed;
    if (input.complaints90d !== undefined) t.complaints90d = input.complaints90d;
  }

  private checkCategoryFields(t: Target): void {
    const problems: { field: string; message: string }[] = [];
    if (t.grade !== null && t.category !== TargetCategory.ENTERTAINMENT) {
      problems.push({ field: 'grade', message: 'only entertainment venues have a security grade' });
    }
    if (t.hotelBlacklisted && t.category !== TargetCategory.HOTEL) {
      problems.push({ field: 'hotelBlacklisted', message: 'the hotel blacklist applies to hotels only' });
    }
    if (problems.length) throw new ValidationError(problems);
  }

  /** Finds or creates a person by the blind index of the ID number. */
  async upsertPerson(em: EntityManager, p: PersonInput): Promise<Person> {
    if (p.idNumber) {
      const idx = this.pii.indexOf(p.idNumber);
      const found = await em.findOne(Person, { idIndex: idx });
      if (found) {
        if (p.phone) Object.assign(found, this.phoneFields(p.phone));
        return found;
      }
      const id = this.pii.protectId(p.idNumber);
      return em.create(Person, {
        name: p.name,
        idType: p.idType ?? '111',
        idEnc: id.enc,
        idIndex: id.index,
        idMasked: id.masked,
        idValid: id.valid,
        ...(p.phone ? this.phoneFields(p.phone) : {}),
      });
    }
    return em.create(Person, {
      name: p.name,
      idType: p.idType ?? null,
      ...(p.phone ? this.phoneFields(p.phone) : {}),
    });
  }

  private phoneFields(phone: string) {
    const ph = this.pii.protectPhone(phone);
    return { phoneEnc: ph.enc, phoneMasked: ph.masked };
  }

  async create(ctx: Ctx, input: CreateTargetInput): Promise<Target> {
    (await ctx.scope()).assertCanChangeTarget(input.category, input.jurisdictionCode);
    return ctx.em.transactional(async (em) => {
      await this.assertStation(em, input.jurisdictionCode);
      const t = em.create(Target, {
        regionCode: REGION_CODE,
        category: input.category,
        name: input.name.trim(),
        jurisdictionCode: input.jurisdictionCode,
        sourceSystem: 'MANUAL',
        sourceId: crypto.randomUUID(),
      });
      this.applyFields(t, input);
      this.checkCategoryFields(t);
      for (const p of input.persons ?? []) {
        const person = await this.upsertPerson(em, p);
        em.create(TargetPerson, { target: t, person, role: p.role });
      }
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'target.create',
        entityType: 'Target',
        entityId: t.id,
        after: targetSnapshot(t),
      });
      await this.events.publish(em, {
        topic: 'targetChanged',
        entityType: 'Target',
        entityId: t.id,
        jurisdictionCode: t.jurisdictionCode,
        payload: { change: 'CREATED' },
      });
      return t;
    });
  }

  async update(ctx: Ctx, id: string, input: TargetFieldsInput, expectedRowVersion: number): Promise<Target> {
    return ctx.em.transactional(async (em) => {
      const t = await this.visible({ ...ctx, em }, id);
      const scope = await ctx.scope();
      scope.assertCanChangeTarget(t.category, t.jurisdictionCode);
      if (input.jurisdictionCode && input.jurisdictionCode !== t.jurisdictionCode) {
        scope.assertCanChangeTarget(t.category, input.jurisdictionCode);
        await this.assertStation(em, input.jurisdictionCode);
      }
      if (t.rowVersion !== expectedRowVersion) {
        throw new ValidationError([
          {
            field: 'expectedRowVersion',
            message: `target is at version ${t.rowVersion}; reload and edit again`,
          },
        ]);
      }
      const before = targetSnapshot(t);
      this.applyFields(t, input);
      this.checkCategoryFields(t);
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'target.update',
        entityType: 'Target',
        entityId: t.id,
        before,
        after: targetSnapshot(t),
      });
      await this.events.publish(em, {
        topic: 'targetChanged',
        entityType: 'Target',
        entityId: t.id,
        jurisdictionCode: t.jurisdictionCode,
        payload: { change: 'UPDATED' },
      });
      return t;
    });
  }

  async archive(ctx: Ctx, id: string, reason: string): Promise<Target> {
    if (reason.trim().length < 2) throw new ValidationError([{ field: 'reason', message: 'state a reason' }]);
    return ctx.em.transactional(async (em) => {
      const t = await this.visible({ ...ctx, em }, id);
      (await ctx.scope()).assertCanChangeTarget(t.category, t.jurisdictionCode);
      const before = targetSnapshot(t);
      t.archivedAt = new Date();
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'target.archive',
        entityType: 'Target',
        entityId: t.id,
        before,
        after: targetSnapshot(t),
        details: { reason },
      });
      return t;
    });
  }

  async linkPerson(ctx: Ctx, targetId: string, input: PersonInput): Promise<TargetPerson> {
    return ctx.em.transactional(async (em) => {
      const t = await this.visible({ ...ctx, em }, targetId);
      (await ctx.scope()).assertCanChangeTarget(t.category, t.jurisdictionCode);
      const person = await this.upsertPerson(em, input);
      const existing = person.id
        ? await em.findOne(TargetPerson, { target: t, person, role: input.role })
        : null;
      const link = existing ?? em.create(TargetPerson, { target: t, person, role: input.role });
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'target.linkPerson',
        entityType: 'Target',
        entityId: t.id,
        details: { personId: person.id, role: input.role },
      });
      return link;
    });
  }
}
