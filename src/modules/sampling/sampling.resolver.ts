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
  Subscription,
} from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import type { Ctx } from '../../graphql/context.js';
import { Role } from '../../graphql/auth.js';
import { connectionOf, paginate, PageArgs } from '../../graphql/connection.js';
import { fromGlobalId, toGlobalId } from '../../graphql/node.js';
import { ForbiddenError } from '../../shared/errors.js';
import { DomainEvent } from '../events/event.resolver.js';
import type { EventRow } from '../events/event-bus.js';
import { todayInShanghai } from '../calendar/working-days.js';
import { TargetCategory } from '../targets/target-category.js';
import type { CalendarDayKind } from '../calendar/holidays-data.js';
import { SamplingRule, SamplingRuleKind } from './sampling-rule.entity.js';
import { CalendarDay } from './calendar-day.entity.js';
import { PlanStratum, SamplingPlan } from './sampling-plan.entity.js';
import {
  AssignmentChange,
  DrawAssignment,
  RecusalRequest,
  RecusalRequestStatus,
  SamplingDraw,
} from './sampling-draw.entity.js';
import {
  AssignmentChangeInput,
  CoverageFilterInput,
  RecusalRequestInput,
  SamplingPlanInput,
  SamplingRuleInput,
} from './sampling.inputs.js';
import { DEFAULT_TEAM_SIZE, DEFAULT_WORKLOAD_CAP } from './plan.service.js';

@ObjectType('CoverageTarget', { description: 'A target of the coverage calendar.' })
export class CoverageTarget {
  @Field(() => ID) targetId!: string;
  @Field(() => String) name!: string;
  @Field(() => TargetCategory) category!: string;
  @Field(() => String, { nullable: true }) grade!: string | null;
  @Field(() => String) jurisdictionCode!: string;
  @Field(() => String, { description: 'COVERAGE rule in force for the target.' }) ruleCode!: string;
  @Field(() => String, { nullable: true }) lastVisitedOn!: string | null;
  @Field(() => String) dueOn!: string;
  @Field(() => Boolean) overdue!: boolean;
  @Field(() => Int) daysOverdue!: number;
}

@ObjectType('CoveragePage')
export class CoveragePage {
  @Field(() => Int) totalCount!: number;
  @Field(() => [CoverageTarget]) items!: CoverageTarget[];
}

@ObjectType('RuleCoverage', {
  description: 'Required versus done inspections of one rule in its current period.',
})
export class RuleCoverage {
  @Field(() => String) ruleCode!: string;
  @Field(() => String) mode!: string;
  @Field(() => String) periodLabel!: string;
  @Field(() => String) periodStart!: string;
  @Field(() => String) periodEnd!: string;
  @Field(() => Int) roster!: number;
  @Field(() => Int) required!: number;
  @Field(() => Int) done!: number;
}

@ObjectType('DrawVerification')
export class DrawVerification {
  @Field(() => Boolean) match!: boolean;
  @Field(() => String, { nullable: true, description: 'The first field that differs, with both values.' })
  firstDifference!: string | null;
}

export const SamplingPlanConnection = connectionOf(SamplingPlan, 'SamplingPlan');
export const DrawAssignmentConnection = connectionOf(DrawAssignment, 'DrawAssignment');

function asOfOrToday(asOf: string | undefined): string {
  return asOf ?? todayInShanghai(new Date());
}

/** Rules, calendar and coverage (覆盖日历). */
@Resolver()
export class SamplingResolver {
  @Authorized()
  @Query(() => [SamplingRule], {
    description: 'Rule versions in force on a date (default today), or every version.',
  })
  async samplingRules(
    @Arg('onDate', () => String, { nullable: true }) onDate: string | undefined,
    @Arg('allVersions', () => Boolean, { nullable: true }) allVersions: boolean | undefined,
    @C() ctx: Ctx,
  ): Promise<SamplingRule[]> {
    const day = asOfOrToday(onDate);
    const where = allVersions
      ? {}
      : { effectiveFrom: { $lte: day }, $or: [{ effectiveTo: null }, { effectiveTo: { $gte: day } }] };
    return ctx.em.find(SamplingRule, where, { orderBy: { code: 'asc', version: 'asc' } });
  }

  @Authorized()
  @Mutation(() => SamplingRule, {
    description: 'Saves a new rule version; the previous one ends the day before.',
  })
  saveSamplingRule(@Arg('input', () => SamplingRuleInput) input: SamplingRuleInput, @C() ctx: Ctx) {
    return ctx.services.samplingRules.save(ctx, input);
  }

  @Authorized()
  @Query(() => [CalendarDay], { description: 'Holidays and make-up workdays (调休) of a year.' })
  calendarDays(@Arg('year', () => Int) year: number, @C() ctx: Ctx): Promise<CalendarDay[]> {
    return ctx.em.find(
      CalendarDay,
      { day: { $gte: `${year}-01-01`, $lte: `${year}-12-31` } },
      { orderBy: { day: 'asc' } },
    );
  }

  @Authorized()
  @Mutation(() => CalendarDay, {
    nullable: true,
    description: 'Sets a holiday or make-up workday; kind null removes the day.',
  })
  setCalendarDay(
    @Arg('day', () => String) day: string,
    @Arg('kind', () => String, { nullable: true, description: 'HOLIDAY or MAKEUP_WORKDAY' })
    kind: string | undefined,
    @Arg('name', () => String) name: string,
    @C() ctx: Ctx,
  ) {
    if (kind !== undefined && kind !== 'HOLIDAY' && kind !== 'MAKEUP_WORKDAY') {
      throw new ForbiddenError('kind must be HOLIDAY or MAKEUP_WORKDAY');
    }
    return ctx.services.samplingRules.setDay(ctx, day, (kind ?? null) as CalendarDayKind | null, name);
  }

  @Authorized()
  @Query(() => CoveragePage, {
    description: 'Targets due (or overdue) under their COVERAGE rule, most urgent first.',
  })
  async coverageDue(
    @Arg('filter', () => CoverageFilterInput, { nullable: true }) filter: CoverageFilterInput | undefined,
    @Arg('asOf', () => String, { nullable: true }) asOf: string | undefined,
    @Arg('first', () => Int) first: number,
    @Arg('offset', () => Int, { nullable: true }) offset: number | undefined,
    @C() ctx: Ctx,
  ): Promise<CoveragePage> {
    const scope = await ctx.scope();
    const page = await ctx.services.coverage.due(
      ctx.em,
      asOfOrToday(asOf),
      filter ?? {},
      scope.visibleJurisdictions(),
      {
        first,
        offset: offset ?? 0,
      },
    );
    return {
      totalCount: page.totalCount,
      items: page.rows.map((r) => ({ ...r, targetId: toGlobalId('Target', r.targetId) })),
    };
  }

  @Authorized()
  @Query(() => [RuleCoverage], {
    description: 'Per rule in force: required versus done in its current period.',
  })
  async ruleCoverage(
    @Arg('filter', () => CoverageFilterInput, { nullable: true }) filter: CoverageFilterInput | undefined,
    @Arg('asOf', () => String, { nullable: true }) asOf: string | undefined,
    @C() ctx: Ctx,
  ): Promise<RuleCoverage[]> {
    const scope = await ctx.scope();
    return ctx.services.coverage.perRule(
      ctx.em,
      asOfOrToday(asOf),
      filter ?? {},
      scope.visibleJurisdictions(),
    );
  }
}

/** Plans (抽查计划). */
@Resolver(() => SamplingPlan)
export class SamplingPlanResolver {
  @FieldResolver(() => ID)
  id(@Root() p: SamplingPlan): string {
    return toGlobalId('SamplingPlan', p.id);
  }

  @FieldResolver(() => [PlanStratum])
  strata(@Root() p: SamplingPlan, @C() ctx: Ctx): Promise<PlanStratum[]> {
    return ctx.em.find(PlanStratum, { plan: p.id }, { orderBy: { stratum: 'asc' } });
  }

  @FieldResolver(() => [SamplingDraw], { description: 'Every attempt, first to last.' })
  draws(@Root() p: SamplingPlan, @C() ctx: Ctx): Promise<SamplingDraw[]> {
    return ctx.em.find(SamplingDraw, { planId: p.id }, { orderBy: { attempt: 'asc' } });
  }

  @Authorized()
  @Query(() => SamplingPlanConnection)
  samplingPlans(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('departmentCode', () => String, { nullable: true }) departmentCode: string | undefined,
    @C() ctx: Ctx,
  ) {
    return paginate(
      SamplingPlanConnection,
      ctx.em,
      SamplingPlan,
      departmentCode ? { leadDepartmentCode: departmentCode } : {},
      { periodStart: 'desc', id: 'asc' },
      page,
    );
  }

  @Authorized()
  @Query(() => SamplingPlan)
  samplingPlan(@Arg('id', () => ID) id: string, @C() ctx: Ctx) {
    return ctx.services.plans.get(ctx.em, fromGlobalId(id, 'SamplingPlan').id);
  }

  @Authorized()
  @Mutation(() => SamplingPlan)
  createSamplingPlan(@Arg('input', () => SamplingPlanInput) input: SamplingPlanInput, @C() ctx: Ctx) {
    return ctx.services.plans.create(ctx, {
      departmentCodes: input.departmentCodes,
      periodMonths: input.periodMonths,
      plannedDate: input.plannedDate,
      itemCodes: input.itemCodes ?? [],
      categories: input.categories ?? [],
      teamSize: input.teamSize ?? DEFAULT_TEAM_SIZE,
      workloadCap: input.workloadCap ?? DEFAULT_WORKLOAD_CAP,
      stratumMinimum: input.stratumMinimum ?? 1,
    });
  }
}

/** Draws: commit → draw → lock, verification and the published record. */
@Resolver(() => SamplingDraw)
export class DrawResolver {
  @FieldResolver(() => ID)
  id(@Root() d: SamplingDraw): string {
    return toGlobalId('Draw', d.id);
  }

  @FieldResolver(() => ID)
  planId(@Root() d: SamplingDraw): string {
    return toGlobalId('SamplingPlan', d.planId);
  }

  @FieldResolver(() => String, { nullable: true, description: 'The seed, revealed once the draw is locked.' })
  seed(@Root() d: SamplingDraw, @C() ctx: Ctx): Promise<string | null> {
    return ctx.services.draws.revealedSeed(ctx, d);
  }

  @Authorized()
  @Query(() => SamplingDraw)
  async draw(@Arg('id', () => ID) id: string, @C() ctx: Ctx): Promise<SamplingDraw> {
    return ctx.em.findOneOrFail(SamplingDraw, { id: fromGlobalId(id, 'Draw').id });
  }

  @Authorized()
  @Mutation(() => SamplingDraw, {
    description:
      'Freezes the pools and commits to a secret seed (announced). A further attempt needs a reason.',
  })
  commitDraw(
    @Arg('planId', () => ID) planId: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | undefined,
    @C() ctx: Ctx,
  ) {
    return ctx.services.draws.commit(ctx, fromGlobalId(planId, 'SamplingPlan').id, reason ?? null);
  }

  @Authorized()
  @Mutation(() => SamplingDraw, {
    description: 'Draws a committed attempt, mixing in optional public entropy.',
  })
  runDraw(
    @Arg('drawId', () => ID) drawId: string,
    @Arg('entropy', () => String, { nullable: true }) entropy: string | undefined,
    @C() ctx: Ctx,
  ) {
    return ctx.services.draws.draw(ctx, fromGlobalId(drawId, 'Draw').id, entropy ?? null);
  }

  @Authorized()
  @Mutation(() => SamplingDraw, {
    description: 'Reveals the seed, locks the draw and notifies the inspectors.',
  })
  lockDraw(@Arg('drawId', () => ID) drawId: string, @C() ctx: Ctx) {
    return ctx.services.draws.lock(ctx, fromGlobalId(drawId, 'Draw').id);
  }

  @Authorized()
  @Query(() => DrawVerification, {
    description: 'Recomputes the draw from the database: MATCH or the first difference.',
  })
  verifyDraw(@Arg('id', () => ID) id: string, @C() ctx: Ctx) {
    return ctx.services.draws.verify(ctx, fromGlobalId(id, 'Draw').id);
  }

  @Authorized()
  @Query(() => GraphQLJSONObject, {
    description:
      'The published record of a locked draw (ids only, no names): feed it to `npm run verify-draw`.',
  })
  async publishedDrawRecord(
    @Arg('id', () => ID) id: string,
    @C() ctx: Ctx,
  ): Promise<Record<string, unknown>> {
    return (await ctx.services.draws.publishedRecord(ctx, fromGlobalId(id, 'Draw').id)) as unknown as Record<
      string,
      unknown
    >;
  }
}

/** Assignments, manual changes after the lock and recusal requests. */
@Resolver(() => DrawAssignment)
export class DrawAssignmentResolver {
  @FieldResolver(() => ID)
  id(@Root() a: DrawAssignment): string {
    return toGlobalId('DrawAssignment', a.id);
  }

  @FieldResolver(() => ID)
  targetId(@Root() a: DrawAssignment): string {
    return toGlobalId('Target', a.targetId);
  }

  @FieldResolver(() => ID)
  drawId(@Root() a: DrawAssignment): string {
    return toGlobalId('Draw', a.drawId);
  }

  @Authorized()
  @Query(() => DrawAssignmentConnection, {
    description: 'Assignments of locked draws; an inspector sees only the ones naming them.',
  })
  async drawAssignments(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('drawId', () => ID, { nullable: true }) drawId: string | undefined,
    @C() ctx: Ctx,
  ) {
    const where: Record<string, unknown> = {};
    if (drawId) where.drawId = fromGlobalId(drawId, 'Draw').id;
    if (ctx.user.role === Role.INSPECTOR) where.policeNos = { $contains: [ctx.user.sub] };
    const jur = (await ctx.scope()).visibleJurisdictions();
    if (jur) where.jurisdictionCode = { $in: jur };
    return paginate(
      DrawAssignmentConnection,
      ctx.em,
      DrawAssignment,
      where,
      { plannedDate: 'desc', id: 'asc' },
      page,
    );
  }

  @Authorized()
  @Mutation(() => AssignmentChange, {
    description: 'Requests a change of a locked team (reason code; a second person approves).',
  })
  requestAssignmentChange(
    @Arg('input', () => AssignmentChangeInput) input: AssignmentChangeInput,
    @C() ctx: Ctx,
  ) {
    return ctx.services.draws.requestChange(ctx, {
      ...input,
      assignmentId: fromGlobalId(input.assignmentId, 'DrawAssignment').id,
    });
  }

  @Authorized()
  @Mutation(() => AssignmentChange, {
    description: 'Approves (applies) or rejects a requested change; SUPERVISOR, not the requester.',
  })
  decideAssignmentChange(
    @Arg('id', () => ID) id: string,
    @Arg('approve', () => Boolean) approve: boolean,
    @C() ctx: Ctx,
  ) {
    return ctx.services.draws.decideChange(ctx, fromGlobalId(id, 'AssignmentChange').id, approve);
  }

  @Authorized()
  @Mutation(() => RecusalRequest, {
    description: "Records an inspected party's recusal request (decide within 2 working days).",
  })
  fileRecusalRequest(@Arg('input', () => RecusalRequestInput) input: RecusalRequestInput, @C() ctx: Ctx) {
    return ctx.services.draws.fileRecusal(ctx, {
      ...input,
      assignmentId: fromGlobalId(input.assignmentId, 'DrawAssignment').id,
    });
  }

  @Authorized()
  @Mutation(() => RecusalRequest)
  decideRecusalRequest(
    @Arg('id', () => ID) id: string,
    @Arg('grant', () => Boolean) grant: boolean,
    @Arg('note', () => String) note: string,
    @C() ctx: Ctx,
  ) {
    return ctx.services.draws.decideRecusal(ctx, fromGlobalId(id, 'RecusalRequest').id, grant, note);
  }

  @Authorized()
  @Query(() => [RecusalRequest], {
    description: 'Pending recusal requests, earliest deadline first (at most 100).',
  })
  pendingRecusalRequests(@C() ctx: Ctx): Promise<RecusalRequest[]> {
    return ctx.em.find(
      RecusalRequest,
      { status: RecusalRequestStatus.PENDING },
      { orderBy: { decideBy: 'asc' }, limit: 100 },
    );
  }
}

@Resolver(() => AssignmentChange)
export class AssignmentChangeResolver {
  @FieldResolver(() => ID)
  id(@Root() c: AssignmentChange): string {
    return toGlobalId('AssignmentChange', c.id);
  }
}

@Resolver(() => RecusalRequest)
export class RecusalRequestResolver {
  @FieldResolver(() => ID)
  id(@Root() r: RecusalRequest): string {
    return toGlobalId('RecusalRequest', r.id);
  }

  @FieldResolver(() => Boolean, { description: 'Still pending after its deadline.' })
  overdue(@Root() r: RecusalRequest): boolean {
    return r.status === RecusalRequestStatus.PENDING && todayInShanghai(new Date()) > r.decideBy;
  }
}

/** Typed subscriptions over the cross-replica event bus. */
@Resolver()
export class SamplingSubscriptionResolver {
  @Subscription(() => DomainEvent, {
    description: 'Locked draws, with their revealed seeds; public (no token needed).',
    subscribe: async function* ({ args, context }) {
      const ctx = context as Ctx;
      const conn = ctx.em.getConnection();
      yield* ctx.services.eventBus.stream((sql, params) => conn.execute(sql, params) as Promise<EventRow[]>, {
        topics: ['drawLocked'],
        since: (args.since as string | undefined) ?? null,
        accept: () => true,
      });
    },
  })
  drawLocked(
    @Root() e: EventRow,
    @Arg('since', () => ID, { nullable: true }) _since: string | undefined,
  ): DomainEvent {
    return e;
  }

  @Subscription(() => DomainEvent, {
    description:
      'Inspection assignments: an inspector receives only their own; supervisors their department’s.',
    subscribe: async function* ({ args, context }) {
      const ctx = context as Ctx;
      const { role, sub, dept } = ctx.user;
      if (role !== Role.INSPECTOR && role !== Role.SUPERVISOR && role !== Role.ADMIN) {
        throw new ForbiddenError('inspectionAssigned is for inspectors, supervisors and administrators');
      }
      const conn = ctx.em.getConnection();
      yield* ctx.services.eventBus.stream((sql, params) => conn.execute(sql, params) as Promise<EventRow[]>, {
        topics: ['inspectionAssigned'],
        since: (args.since as string | undefined) ?? null,
        accept: (e) =>
          role === Role.ADMIN || (role === Role.INSPECTOR ? e.recipient === sub : e.departmentCode === dept),
      });
    },
  })
  inspectionAssigned(
    @Root() e: EventRow,
    @Arg('since', () => ID, { nullable: true }) _since: string | undefined,
  ): DomainEvent {
    return e;
  }
}

export { SamplingRuleKind };
