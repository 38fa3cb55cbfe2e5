import {
  Arg,
  Args,
  Authorized,
  Ctx as C,
  Field,
  FieldResolver,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Ctx } from '../../graphql/context.js';
import { connectionOf, paginate, PageArgs } from '../../graphql/connection.js';
import { fromGlobalId, toGlobalId } from '../../graphql/node.js';
import { ValidationError } from '../../shared/errors.js';
import { EvidenceFile, Inspection } from './inspection.entity.js';
import { Measure } from './measure.entity.js';
import { AdHocInspectionInput, InspectionFilter, RecordResultInput } from './inspection.inputs.js';

export const InspectionConnection = connectionOf(Inspection, 'Inspection');

@ObjectType({ description: 'An open deadline of a department.' })
export class Deadline {
  @Field(() => String, {
    description: 'RECTIFICATION | PUBLICATION | APPEAL | REFERRAL_APPROVAL | BLACKLIST_OBJECTION',
  })
  kind!: string;
  @Field(() => String) entityId!: string;
  @Field(() => String) dueOn!: string;
  @Field(() => String) title!: string;
  @Field(() => String, { description: 'OVERDUE | DUE_SOON' }) status!: string;
}

const id = (gid: string, type: string) => fromGlobalId(gid, type).id;

@Resolver(() => Inspection)
export class InspectionResolver {
  @FieldResolver(() => ID)
  id(@Root() i: Inspection): string {
    return toGlobalId('Inspection', i.id);
  }

  @FieldResolver(() => ID)
  targetId(@Root() i: Inspection): string {
    return toGlobalId('Target', i.targetId);
  }

  @FieldResolver(() => String, { description: 'Appeal code printed on the result notice (staff view).' })
  appealCode(@Root() i: Inspection): string {
    return i.appealCode;
  }

  @FieldResolver(() => [EvidenceFile])
  evidence(@Root() i: Inspection, @C() ctx: Ctx): Promise<EvidenceFile[]> {
    return ctx.em.find(EvidenceFile, { inspectionId: i.id }, { orderBy: { createdAt: 'asc' } });
  }

  @FieldResolver(() => [Measure])
  measures(@Root() i: Inspection, @C() ctx: Ctx): Promise<Measure[]> {
    return ctx.services.inspections.measuresOf(ctx.em, i.id);
  }

  @Authorized()
  @Query(() => InspectionConnection, { description: 'Inspections the caller may see.' })
  async inspections(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => InspectionFilter, { nullable: true }) filter: InspectionFilter | undefined,
    @C() ctx: Ctx,
  ) {
    const f = filter?.targetId ? { ...filter, targetId: id(filter.targetId, 'Target') } : filter;
    const where = await ctx.services.inspections.where(ctx, f);
    return paginate(InspectionConnection, ctx.em, Inspection, where, { plannedOn: 'desc', id: 'desc' }, page);
  }

  @Authorized()
  @Query(() => Inspection)
  inspection(@Arg('id', () => ID) gid: string, @C() ctx: Ctx) {
    return ctx.services.inspections.visible(ctx, id(gid, 'Inspection'));
  }

  @Authorized()
  @Query(() => [Deadline], {
    description: 'Open deadlines of a department: overdue, and due within soonDays calendar days.',
  })
  deadlines(
    @Arg('departmentCode', () => String) departmentCode: string,
    @Arg('soonDays', () => Int, { defaultValue: 5 }) soonDays: number,
    @C() ctx: Ctx,
  ) {
    if (soonDays < 0 || soonDays > 90)
      throw new ValidationError([{ field: 'soonDays', message: 'from 0 to 90' }]);
    return ctx.services.inspections.deadlines(ctx, departmentCode, soonDays);
  }

  @Authorized()
  @Mutation(() => Inspection, { description: 'An ad-hoc inspection (source AD_HOC).' })
  createAdHocInspection(
    @Arg('input', () => AdHocInspectionInput) input: AdHocInspectionInput,
    @C() ctx: Ctx,
  ) {
    return ctx.services.inspections.createAdHoc(ctx, {
      targetId: id(input.targetId, 'Target'),
      inspectorIds: input.inspectorIds.map((g) => id(g, 'Inspector')),
      itemCodes: input.itemCodes,
      plannedOn: input.plannedOn,
      departmentCode: input.departmentCode,
    });
  }

  @Authorized()
  @Mutation(() => Inspection)
  startInspection(@Arg('id', () => ID) gid: string, @C() ctx: Ctx) {
    return ctx.services.inspections.start(ctx, id(gid, 'Inspection'));
  }

  @Authorized()
  @Mutation(() => Inspection)
  recordInspectionResult(
    @Arg('id', () => ID) gid: string,
    @Arg('input', () => RecordResultInput) input: RecordResultInput,
    @C() ctx: Ctx,
  ) {
    return ctx.services.inspections.record(ctx, id(gid, 'Inspection'), input);
  }

  @Authorized()
  @Mutation(() => Inspection)
  submitInspection(@Arg('id', () => ID) gid: string, @C() ctx: Ctx) {
    return ctx.services.inspections.submit(ctx, id(gid, 'Inspection'));
  }

  @Authorized()
  @Mutation(() => Inspection)
  returnInspection(
    @Arg('id', () => ID) gid: string,
    @Arg('reason', () => String) reason: string,
    @C() ctx: Ctx,
  ) {
    return ctx.services.inspections.returnForRework(ctx, id(gid, 'Inspection'), reason);
  }

  @Authorized()
  @Mutation(() => Inspection, { description: 'Two-person review: a SUPERVISOR not on the team approves.' })
  approveInspection(@Arg('id', () => ID) gid: string, @C() ctx: Ctx) {
    return ctx.services.inspections.approve(ctx, id(gid, 'Inspection'));
  }

  @Authorized()
  @Mutation(() => Inspection)
  closeInspection(@Arg('id', () => ID) gid: string, @C() ctx: Ctx) {
    return ctx.services.inspections.close(ctx, id(gid, 'Inspection'));
  }
}

@Resolver(() => Measure)
export class MeasureResolver {
  @FieldResolver(() => ID)
  id(@Root() m: Measure): string {
    return toGlobalId('Measure', m.id);
  }
}

@Resolver(() => EvidenceFile)
export class EvidenceResolver {
  @FieldResolver(() => String, { description: 'Download path (needs a staff token).' })
  url(@Root() e: EvidenceFile): string {
    return `/inspections/evidence/${e.id}`;
  }
}
