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
import type { Ctx } from '../../graphql/context.js';
import { Role } from '../../graphql/auth.js';
import { connectionOf, paginate, PageArgs } from '../../graphql/connection.js';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors.js';
import type { EventRow } from '../events/event-bus.js';
import { SyncQuarantine } from './sync-quarantine.entity.js';
import { SyncRun } from './sync-run.entity.js';
import { parseAdapterId } from './sync.service.js';

export const SyncRunConnection = connectionOf(SyncRun, 'SyncRun');
export const SyncQuarantineConnection = connectionOf(SyncQuarantine, 'SyncQuarantine');

const SUBSCRIBERS = new Set<Role>([Role.ADMIN, Role.SUPERVISOR, Role.ANALYST]);

@ObjectType({ description: 'A sync run has finished (done or failed).' })
export class SyncRunFinished {
  @Field(() => ID, { description: 'Event id; pass it as `since` to resume.' }) eventId!: string;
  @Field(() => ID) runId!: string;
  @Field(() => String) adapter!: string;
  @Field(() => String) status!: string;
  @Field(() => Int) fetched!: number;
  @Field(() => Int) inserted!: number;
  @Field(() => Int) updated!: number;
  @Field(() => Int) unchanged!: number;
  @Field(() => Int) quarantined!: number;
  @Field(() => String, { nullable: true }) errorCode!: string | null;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

@Resolver()
export class SyncResolver {
  @Authorized()
  @Query(() => SyncRunConnection, { description: 'Sync runs of the source adapters, newest first.' })
  syncRuns(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('adapter', () => String, { nullable: true }) adapter: string | undefined,
    @C() ctx: Ctx,
  ) {
    const where = adapter === undefined ? {} : { adapter: parseAdapterId(adapter) };
    return paginate(SyncRunConnection, ctx.em, SyncRun, where, { id: 'desc' }, page);
  }

  @Authorized()
  @Query(() => SyncQuarantineConnection, {
    description: 'Source records refused by validation, newest first; raw bytes are shown masked.',
  })
  quarantinedRecords(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('adapter', () => String, { nullable: true }) adapter: string | undefined,
    @C() ctx: Ctx,
  ) {
    const where = adapter === undefined ? {} : { adapter: parseAdapterId(adapter) };
    return paginate(SyncQuarantineConnection, ctx.em, SyncQuarantine, where, { id: 'desc' }, page);
  }

  @Authorized()
  @Mutation(() => SyncRun, {
    description: 'Runs one source adapter now and answers its run record. Refused while it runs.',
  })
  async runSync(@Arg('adapter', () => String) adapter: string, @C() ctx: Ctx): Promise<SyncRun> {
    const id = parseAdapterId(adapter);
    await ctx.em.transactional((em) =>
      ctx.services.audit.record(em, ctx.user, {
        action: 'sync.trigger',
        entityType: 'Job',
        entityId: `sync:${id}`,
      }),
    );
    return ctx.services.sync.runNow(ctx.em, id);
  }

  @Authorized()
  @Subscription(() => SyncRunFinished, {
    description:
      'Each finished sync run, live across replicas; with `since`, first those after that event id.',
    subscribe: async function* ({ args, context }) {
      const ctx = context as Ctx;
      if (ctx.user.role === Role.PUBLIC) throw new UnauthenticatedError();
      if (!SUBSCRIBERS.has(ctx.user.role))
        throw new ForbiddenError(`role ${ctx.user.role} may not follow sync runs`);
      const conn = ctx.em.getConnection();
      yield* ctx.services.eventBus.stream((sql, params) => conn.execute(sql, params) as Promise<EventRow[]>, {
        topics: ['syncRunFinished'],
        since: (args.since as string | undefined) ?? null,
        accept: () => true,
      });
    },
  })
  syncRunFinished(
    @Root() e: EventRow,
    @Arg('since', () => ID, { nullable: true }) _since: string | undefined,
  ): SyncRunFinished {
    const p = e.payload;
    return {
      eventId: e.id,
      runId: e.entityId,
      adapter: String(p.adapter ?? ''),
      status: String(p.status ?? ''),
      fetched: num(p.fetched),
      inserted: num(p.inserted),
      updated: num(p.updated),
      unchanged: num(p.unchanged),
      quarantined: num(p.quarantined),
      errorCode: typeof p.errorCode === 'string' ? p.errorCode : null,
    };
  }
}

@Resolver(() => SyncQuarantine)
export class SyncQuarantineResolver {
  @FieldResolver(() => String, {
    description:
      'The raw bytes as text (UTF-8 or GB18030), at most 2,000 characters, ID and phone numbers masked.',
  })
  rawMasked(@Root() q: SyncQuarantine, @C() ctx: Ctx): string {
    return ctx.services.sync.maskedRaw(q);
  }
}
