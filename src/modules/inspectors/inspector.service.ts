import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Ctx } from '../../graphql/context.js';
import { Role } from '../../graphql/auth.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { isIsoDate, likeContains, rejectNulls } from '../../shared/input.js';
import { Department } from '../org/department.entity.js';
import { Target } from '../targets/target.entity.js';
import { Person } from '../targets/person.entity.js';
import type { AuditService } from '../audit/audit.service.js';
import type { PiiService } from '../pii/pii.service.js';
import { REGION_CODE } from '../targets/target.service.js';
import { fromGlobalId } from '../../graphql/node.js';
import { Inspector } from './inspector.entity.js';
import { JointPool } from './joint-pool.entity.js';
import { Relationship } from './relationship.entity.js';
import type {
  CreateInspectorInput,
  InspectorFieldsInput,
  InspectorFilter,
  JointPoolInput,
  RelationshipInput,
} from './inspector.inputs.js';

function snap(i: Inspector) {
  return {
    policeNo: i.policeNo,
    name: i.name,
    departmentCode: i.departmentCode,
    certificateNo: i.certificateNo,
    certificateValidFrom: i.certificateValidFrom,
    certificateValidTo: i.certificateValidTo,
    status: i.status,
    qualifiedCategories: i.qualifiedCategories,
    archived: i.archivedAt !== null,
  };
}

/** The inspector roster (执法检查人员名录库), joint pools and the recusal registry. */
export class InspectorService {
  constructor(
    private readonly audit: AuditService,
    private readonly pii: PiiService,
  ) {}

  where(filter: InspectorFilter | undefined): FilterQuery<Inspector> {
    rejectNulls(filter, 'filter');
    const f = filter ?? {};
    const w: Record<string, unknown> = {};
    if (!f.includeArchived) w.archivedAt = null;
    if (f.departmentCodes) w.departmentCode = { $in: f.departmentCodes };
    if (f.statuses) w.status = { $in: f.statuses };
    if (f.certificateExpiresBefore) w.certificateValidTo = { $lt: f.certificateExpiresBefore };
    if (f.qualifiedFor) w.qualifiedCategories = { $contains: [f.qualifiedFor] };
    if (f.search) w.$or = [{ name: { $like: likeContains(f.search) } }, { policeNo: f.search }];
    return w as FilterQuery<Inspector>;
  }

  private async validate(em: EntityManager, i: Inspector): Promise<void> {
    const p: { field: string; message: string }[] = [];
    if (!isIsoDate(i.certificateValidFrom))
      p.push({ field: 'certificateValidFrom', message: 'not a real date' });
    if (!isIsoDate(i.certificateValidTo) || i.certificateValidTo < i.certificateValidFrom) {
      p.push({
        field: 'certificateValidTo',
        message: 'must be a real date on or after certificateValidFrom',
      });
    }
    if (!(await em.count(Department, { code: i.departmentCode })))
      p.push({ field: 'departmentCode', message: `no department ${i.departmentCode}` });
    if (p.length) throw new ValidationError(p);
  }

  async create(ctx: Ctx, input: CreateInspectorInput): Promise<Inspector> {
    (await ctx.scope()).assertCanChangeDepartment(input.departmentCode);
    return ctx.em.transactional(async (em) => {
      if (await em.count(Inspector, { policeNo: input.policeNo })) {
        throw new ValidationError([
          { field: 'policeNo', message: `inspector ${input.policeNo} already exists` },
        ]);
      }
      const i = em.create(Inspector, {
        policeNo: input.policeNo,
        name: input.name,
        departmentCode: input.departmentCode,
        regionCode: REGION_CODE,
        certificateNo: input.certificateNo,
        certificateValidFrom: input.certificateValidFrom,
        certificateValidTo: input.certificateValidTo,
        status: input.status,
        qualifiedCategories: input.qualifiedCategories ?? [],
      });
      await this.validate(em, i);
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'inspector.create',
        entityType: 'Inspector',
        entityId: i.id,
        after: snap(i),
      });
      return i;
    });
  }

  async update(ctx: Ctx, id: string, input: InspectorFieldsInput): Promise<Inspector> {
    return ctx.em.transactional(async (em) => {
      const i = await em.findOne(Inspector, { id });
      if (!i) throw new NotFoundError('inspector', id);
      const scope = await ctx.scope();
      scope.assertCanChangeDepartment(i.departmentCode);
      if (input.departmentCode) scope.assertCanChangeDepartment(input.departmentCode);
      const before = snap(i);
      for (const k of [
        'name',
        'departmentCode',
        'certificateNo',
        'certificateValidFrom',
        'certificateValidTo',
        'status',
        'qualifiedCategories',
      ] as const) {
        if (input[k] !== undefined) (i as unknown as Record<string, unknown>)[k] = input[k];
      }
      await this.validate(em, i);
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'inspector.update',
        entityType: 'Inspector',
        entityId: i.id,
        before,
        after: snap(i),
      });
      return i;
    });
  }

  async archive(ctx: Ctx, id: string, reason: string): Promise<Inspector> {
    if (reason.trim().length < 2) throw new ValidationError([{ field: 'reason', message: 'state a reason' }]);
    return ctx.em.transactional(async (em) => {
      const i = await em.findOne(Inspector, { id });
      if (!i) throw new NotFoundError('inspector', id);
      (await ctx.scope()).assertCanChangeDepartment(i.departmentCode);
      const before = snap(i);
      i.archivedAt = new Date();
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'inspector.archive',
        entityType: 'Inspector',
        entityId: i.id,
        before,
        after: snap(i),
        details: { reason },
      });
      return i;
    });
  }

  async createJointPool(ctx: Ctx, input: JointPoolInput): Promise<JointPool> {
    return ctx.em.transactional(async (em) => {
      const known = await em.count(Department, { code: { $in: input.departmentCodes } });
      if (known !== new Set(input.departmentCodes).size) {
        throw new ValidationError([
          { field: 'departmentCodes', message: 'every department must exist, each once' },
        ]);
      }
      const pool = em.create(JointPool, {
        ...input,
        validTo: input.validTo ?? null,
        approvedBy: ctx.user.sub,
      });
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'jointPool.create',
        entityType: 'JointPool',
        entityId: pool.id,
        after: input,
      });
      return pool;
    });
  }

  /** Records a relationship requiring recusal. Inspectors may declare their own. */
  async declareRelationship(ctx: Ctx, input: RelationshipInput): Promise<Relationship> {
    return ctx.em.transactional(async (em) => {
      const inspector = await em.findOne(Inspector, { policeNo: input.policeNo });
      if (!inspector)
        throw new ValidationError([{ field: 'policeNo', message: `no inspector ${input.policeNo}` }]);
      if (ctx.user.role === Role.INSPECTOR && ctx.user.sub !== inspector.policeNo) {
        throw new ForbiddenError('inspectors declare their own relationships only');
      }
      if (ctx.user.role === Role.SUPERVISOR)
        (await ctx.scope()).assertCanChangeDepartment(inspector.departmentCode);
      if (!input.targetId && !input.personIdNumber) {
        throw new ValidationError([{ field: 'targetId', message: 'name a target or a person' }]);
      }
      const target = input.targetId
        ? await em.findOne(Target, { id: fromGlobalId(input.targetId, 'Target').id })
        : null;
      if (input.targetId && !target)
        throw new ValidationError([{ field: 'targetId', message: 'no such target' }]);
      let person: Person | null = null;
      if (input.personIdNumber) {
        const idx = this.pii.indexOf(input.personIdNumber);
        person = await em.findOne(Person, { idIndex: idx });
        if (!person) {
          const p = this.pii.protectId(input.personIdNumber);
          person = em.create(Person, {
            name: '（申报关系人）',
            idType: '111',
            idEnc: p.enc,
            idIndex: p.index,
            idMasked: p.masked,
            idValid: p.valid,
          });
        }
      }
      const rel = em.create(Relationship, {
        inspector,
        target,
        person,
        kind: input.kind,
        validFrom: input.validFrom,
        validTo: input.validTo ?? null,
        note: input.note ?? null,
      });
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'relationship.declare',
        entityType: 'Relationship',
        entityId: rel.id,
        after: {
          inspector: inspector.policeNo,
          targetId: target?.id ?? null,
          personId: person?.id ?? null,
          kind: rel.kind,
          validFrom: rel.validFrom,
          validTo: rel.validTo,
        },
      });
      return rel;
    });
  }
}
