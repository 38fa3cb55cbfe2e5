import type { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import type { Ctx } from '../../graphql/context.js';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { isIsoDate, likeContains, rejectNulls } from '../../shared/input.js';
import { Department } from '../org/department.entity.js';
import { InspectionItem, InspectionItemVersion, ItemStatus } from './inspection-item.entity.js';
import type { CreateItemInput, ItemContentInput, ItemFilter } from './item.inputs.js';
import type { AuditService } from '../audit/audit.service.js';

function snapshot(item: InspectionItem, v: InspectionItemVersion) {
  return {
    code: item.code,
    status: item.status,
    currentVersion: item.currentVersion,
    publishedVersion: item.publishedVersion,
    version: v.version,
    name: v.name,
    legalBasis: v.legalBasis,
    departmentCode: v.departmentCode,
    categories: v.categories,
    content: v.content,
    keyPoints: v.keyPoints,
    method: v.method,
    ratioPercent: v.ratioPercent,
    frequencyText: v.frequencyText,
    frequencyMonths: v.frequencyMonths,
    implementationCode: v.implementationCode,
    effectiveFrom: v.effectiveFrom,
    effectiveTo: v.effectiveTo,
  };
}

/** The inspection-item list (一单): versioned items, publish and unpublish. */
export class ItemService {
  constructor(private readonly audit: AuditService) {}

  /** Ids of items whose shown version (current or published) matches category/search. */
  async filterWhere(
    em: EntityManager,
    filter: ItemFilter | undefined,
    published: boolean,
  ): Promise<FilterQuery<InspectionItem>> {
    rejectNulls(filter, 'filter');
    const where: Record<string, unknown> = { status: { $ne: ItemStatus.ARCHIVED } };
    if (published) where.status = ItemStatus.PUBLISHED;
    else if (filter?.status) where.status = filter.status;
    if (filter?.departmentCode) where.departmentCode = filter.departmentCode;
    if (filter?.category || filter?.search) {
      const versionCol = published ? 'i.published_version' : 'i.current_version';
      const params: unknown[] = [];
      let sql = `select i.id from inspection_item i join inspection_item_version v on v.item_id = i.id and v.version = ${versionCol} where true`;
      if (filter.category) {
        sql += ' and ? = any(v.categories)';
        params.push(filter.category);
      }
      if (filter.search) {
        sql += ` and v.name like ? escape '\\'`;
        params.push(likeContains(filter.search));
      }
      const rows = await em.getConnection().execute<{ id: string }[]>(sql, params);
      where.id = { $in: rows.map((r) => r.id) };
    }
    return where as FilterQuery<InspectionItem>;
  }

  private async validateContent(em: EntityManager, input: ItemContentInput): Promise<void> {
    const problems: { field: string; message: string }[] = [];
    if (!isIsoDate(input.effectiveFrom))
      problems.push({ field: 'effectiveFrom', message: 'not a real date' });
    if (
      input.effectiveTo != null &&
      (!isIsoDate(input.effectiveTo) || input.effectiveTo < input.effectiveFrom)
    ) {
      problems.push({ field: 'effectiveTo', message: 'must be a real date on or after effectiveFrom' });
    }
    const codes = input.keyPoints.map((k) => k.code);
    if (new Set(codes).size !== codes.length)
      problems.push({ field: 'keyPoints', message: 'key point codes must be unique' });
    if (!(await em.count(Department, { code: input.departmentCode }))) {
      problems.push({ field: 'departmentCode', message: `no department ${input.departmentCode}` });
    }
    if (problems.length) throw new ValidationError(problems);
  }

  private newVersion(
    em: EntityManager,
    item: InspectionItem,
    version: number,
    input: ItemContentInput,
    by: string,
  ) {
    return em.create(InspectionItemVersion, {
      item,
      version,
      name: input.name,
      legalBasis: input.legalBasis,
      departmentCode: input.departmentCode,
      categories: input.categories,
      content: input.content,
      keyPoints: input.keyPoints.map((k) => ({ code: k.code, text: k.text })),
      method: input.method,
      ratioPercent: input.ratioPercent,
      frequencyText: input.frequencyText,
      frequencyMonths: input.frequencyMonths ?? null,
      implementationCode: input.implementationCode,
      effectiveFrom: input.effectiveFrom,
      effectiveTo: input.effectiveTo ?? null,
      createdBy: by,
    });
  }

  async create(ctx: Ctx, input: CreateItemInput): Promise<InspectionItem> {
    (await ctx.scope()).assertCanChangeDepartment(input.departmentCode);
    return ctx.em.transactional(async (em) => {
      await this.validateContent(em, input);
      if (await em.count(InspectionItem, { code: input.code })) {
        throw new ValidationError([{ field: 'code', message: `item ${input.code} already exists` }]);
      }
      const item = em.create(InspectionItem, { code: input.code, departmentCode: input.departmentCode });
      const v = this.newVersion(em, item, 1, input, ctx.user.sub);
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'item.create',
        entityType: 'InspectionItem',
        entityId: item.id,
        after: snapshot(item, v),
      });
      return item;
    });
  }

  /** An edit writes a new version; earlier versions stay readable. */
  async update(
    ctx: Ctx,
    id: string,
    input: ItemContentInput,
    expectedVersion: number,
  ): Promise<InspectionItem> {
    return ctx.em.transactional(async (em) => {
      const item = await em.findOne(InspectionItem, { id }, { lockMode: 4 /* PESSIMISTIC_WRITE */ });
      if (!item || item.status === ItemStatus.ARCHIVED) throw new NotFoundError('item', id);
      const scope = await ctx.scope();
      scope.assertCanChangeDepartment(item.departmentCode);
      scope.assertCanChangeDepartment(input.departmentCode);
      if (item.currentVersion !== expectedVersion) {
        throw new ConflictError(
          `item is at version ${item.currentVersion}, you edited version ${expectedVersion}`,
        );
      }
      await this.validateContent(em, input);
      const before = await em.findOneOrFail(InspectionItemVersion, { item, version: item.currentVersion });
      const beforeSnap = snapshot(item, before);
      item.currentVersion += 1;
      item.departmentCode = input.departmentCode;
      const v = this.newVersion(em, item, item.currentVersion, input, ctx.user.sub);
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'item.update',
        entityType: 'InspectionItem',
        entityId: item.id,
        before: beforeSnap,
        after: snapshot(item, v),
      });
      return item;
    });
  }

  async setPublished(ctx: Ctx, id: string, publish: boolean): Promise<InspectionItem> {
    return ctx.em.transactional(async (em) => {
      const item = await em.findOne(InspectionItem, { id }, { lockMode: 4 });
      if (!item || item.status === ItemStatus.ARCHIVED) throw new NotFoundError('item', id);
      (await ctx.scope()).assertCanChangeDepartment(item.departmentCode);
      const before = { status: item.status, publishedVersion: item.publishedVersion };
      if (publish) {
        item.status = ItemStatus.PUBLISHED;
        item.publishedVersion = item.currentVersion;
        item.publishedAt = new Date();
      } else {
        if (item.status !== ItemStatus.PUBLISHED) throw new ConflictError('item is not published');
        item.status = ItemStatus.UNPUBLISHED;
      }
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: publish ? 'item.publish' : 'item.unpublish',
        entityType: 'InspectionItem',
        entityId: item.id,
        before,
        after: { status: item.status, publishedVersion: item.publishedVersion },
      });
      return item;
    });
  }

  async archive(ctx: Ctx, id: string, reason: string): Promise<InspectionItem> {
    return ctx.em.transactional(async (em) => {
      const item = await em.findOne(InspectionItem, { id });
      if (!item) throw new NotFoundError('item', id);
      const before = item.status;
      item.status = ItemStatus.ARCHIVED;
      await em.flush();
      await this.audit.record(em, ctx.user, {
        action: 'item.archive',
        entityType: 'InspectionItem',
        entityId: item.id,
        before: { status: before },
        after: { status: item.status },
        details: { reason },
      });
      return item;
    });
  }
}
