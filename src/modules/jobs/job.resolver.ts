import { Arg, Args, Authorized, Ctx as C, Mutation, Query, Resolver } from 'type-graphql';
import type { Ctx } from '../../graphql/context.js';
import { connectionOf, paginate, PageArgs } from '../../graphql/connection.js';
import { JobRun } from './job-run.entity.js';

export const JobRunConnection = connectionOf(JobRun, 'JobRun');

@Resolver()
export class JobResolver {
  @Authorized()
  @Query(() => JobRunConnection, { description: 'Runs of scheduled jobs, newest first.' })
  jobRuns(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('job', () => String, { nullable: true }) job: string | undefined,
    @C() ctx: Ctx,
  ) {
    return paginate(JobRunConnection, ctx.em, JobRun, job ? { job } : {}, { id: 'desc' }, page);
  }

  @Authorized()
  @Mutation(() => String, {
    description: 'Starts a job now in the background; returns the run id. Refused while it runs.',
  })
  async triggerJob(@Arg('job', () => String) job: string, @C() ctx: Ctx): Promise<string> {
    const runId = await ctx.services.scheduler.triggerInBackground(job);
    await ctx.em.transactional((em) =>
      ctx.services.audit.record(em, ctx.user, {
        action: 'job.trigger',
        entityType: 'Job',
        entityId: job,
        details: { runId },
      }),
    );
    return runId;
  }
}
