import { Args, Authorized, Ctx as C, Extensions, Query, Resolver } from 'type-graphql';
import type { Ctx } from '../../graphql/context.js';
import { AggregateArgs, AggregateResult } from './aggregate.types.js';

@Resolver()
export class AggregateResolver {
  @Authorized()
  // One SQL statement over possibly the whole roster: weighed like a 50-row page.
  @Extensions({ cost: { weight: 50 } })
  @Query(() => AggregateResult, {
    description:
      'Group-by counts and rates over a subject (targets, job runs, audit events, and what modules register), by department, category, grade, jurisdiction, status and period, with having, ordering by a measure and an asOf snapshot. Row scope applies.',
  })
  async aggregate(@Args(() => AggregateArgs) args: AggregateArgs, @C() ctx: Ctx): Promise<AggregateResult> {
    return ctx.services.aggregates.aggregate(ctx.em, await ctx.scope(), args);
  }
}
