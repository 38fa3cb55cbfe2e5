import { Arg, Authorized, Ctx as C, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { Ctx } from '../../graphql/context.js';
import type { Scorecard } from './scorecard.service.js';

/** A met / due count; `pending` items are not due yet. */
@ObjectType('ScorecardRate')
export class ScorecardRate {
  @Field(() => Int) met!: number;
  @Field(() => Int, { description: 'Items due: met plus missed.' }) total!: number;
  @Field(() => Int) pending!: number;
  @Field(() => String, {
    nullable: true,
    description: 'Percent met, one decimal (decimal string); null when nothing was due.',
  })
  percent!: string | null;
}

@ObjectType('ScorecardPeriod')
export class ScorecardPeriodType {
  @Field(() => String, { description: 'E.g. 2026-11, 2026-Q4, 2026-H2.' }) label!: string;
  @Field(() => String, { description: 'MONTH | QUARTER | HALF_YEAR' }) kind!: string;
  @Field(() => String) start!: string;
  @Field(() => String) end!: string;
}

/** One department's performance for a period (督促): what the efficiency office criticises. */
@ObjectType('DepartmentScorecard')
export class DepartmentScorecard {
  @Field(() => String) departmentCode!: string;
  @Field(() => String) departmentName!: string;
  @Field(() => String) departmentKind!: string;
  @Field(() => ScorecardPeriodType) period!: ScorecardPeriodType;
  @Field(() => String, { description: 'Open items are late when their deadline is before this day (today).' })
  asOf!: string;
  @Field(() => String, { description: 'Coverage measured on this day (period end, or today while it runs).' })
  coverageAsOf!: string;
  @Field(() => ScorecardRate, {
    description:
      'Sampling coverage: Σ min(done, required) vs Σ required over the frequency rules, each over its own period containing asOf.',
  })
  coverage!: ScorecardRate;
  @Field(() => Int) inspectionsPlanned!: number;
  @Field(() => Int, { description: 'Planned in the period, day passed, result not submitted.' })
  inspectionsOverdue!: number;
  @Field(() => ScorecardRate) inspectionTimeliness!: ScorecardRate;
  @Field(() => Int, { description: 'Rectification orders due in the period and not complied with.' })
  rectificationsOverdue!: number;
  @Field(() => ScorecardRate, { description: 'Submitted → approved within the review working days.' })
  reviewTimeliness!: ScorecardRate;
  @Field(() => ScorecardRate, { description: 'Approved → published by the publication deadline.' })
  publicationTimeliness!: ScorecardRate;
  @Field(() => ScorecardRate, { description: 'Referral approved or rejected within 3 working days.' })
  referralApproval!: ScorecardRate;
  @Field(() => ScorecardRate, { description: 'Approved referral transferred within 24 hours.' })
  referralTransfer!: ScorecardRate;
  @Field(() => Boolean, { description: 'A rate is below the threshold: a 通报批评 candidate.' })
  belowThreshold!: boolean;
  @Field(() => [String]) reasons!: string[];
}

@Resolver()
export class ScorecardResolver {
  @Authorized()
  @Query(() => [DepartmentScorecard], {
    description:
      'Scorecards per department for a period (YYYY-MM, YYYY-Qn, YYYY-Hn); stations see their own.',
  })
  scorecards(
    @Arg('period', () => String) period: string,
    @Arg('departmentCode', () => String, { nullable: true }) departmentCode: string | undefined,
    @C() ctx: Ctx,
  ): Promise<Scorecard[]> {
    return ctx.services.scorecards.compute(ctx, period, departmentCode);
  }
}
