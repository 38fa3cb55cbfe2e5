import { Arg, Ctx as C, Field, ID, ObjectType, Resolver, Root, Subscription } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import type { Ctx } from '../../graphql/context.js';
import { Role } from '../../graphql/auth.js';
import type { Scope } from '../../graphql/policy.js';
import { ForbiddenError } from '../../shared/errors.js';
import type { EventRow } from './event-bus.js';

/** Topics anyone may follow without a token. */
export const PUBLIC_TOPICS = new Set(['drawLocked', 'publicationPublished', 'itemPublished']);

@ObjectType({ description: 'A domain event. Pass the last id you saw as `since` to resume without gaps.' })
export class DomainEvent {
  @Field(() => ID) id!: string;
  @Field(() => Date) at!: Date;
  @Field(() => String) topic!: string;
  @Field(() => String) entityType!: string;
  @Field(() => String) entityId!: string;
  @Field(() => String, { nullable: true }) departmentCode!: string | null;
  @Field(() => String, { nullable: true }) jurisdictionCode!: string | null;
  @Field(() => GraphQLJSONObject) payload!: Record<string, unknown>;
}

/** Whether a caller may receive an event: topic, role, jurisdiction and addressee all count. */
export function eventVisible(user: Ctx['user'], scope: Scope, e: EventRow): boolean {
  if (user.role === Role.PUBLIC) return PUBLIC_TOPICS.has(e.topic);
  if (user.role === Role.EXCHANGE) return e.topic.startsWith('exchange.');
  if (e.recipient && user.role === Role.INSPECTOR && e.recipient !== user.sub) return false;
  const jur = scope.visibleJurisdictions();
  if (jur && e.jurisdictionCode && !jur.includes(e.jurisdictionCode)) return false;
  return true;
}

@Resolver()
export class EventResolver {
  @Subscription(() => DomainEvent, {
    description:
      'Events of the given topics, live across replicas; with `since`, first every event after that id.',
    subscribe: async function* ({ args, context }) {
      const ctx = context as Ctx;
      const topics = args.topics as string[];
      if (ctx.user.role === Role.PUBLIC && !topics.every((t) => PUBLIC_TOPICS.has(t))) {
        throw new ForbiddenError(`without a token only these topics: ${[...PUBLIC_TOPICS].join(', ')}`);
      }
      const scope = await ctx.scope();
      const conn = ctx.em.getConnection();
      yield* ctx.services.eventBus.stream((sql, params) => conn.execute(sql, params) as Promise<EventRow[]>, {
        topics,
        since: (args.since as string | undefined) ?? null,
        accept: (e) => eventVisible(ctx.user, scope, e),
      });
    },
  })
  events(
    @Root() e: EventRow,
    @Arg('topics', () => [String]) _topics: string[],
    @Arg('since', () => ID, { nullable: true }) _since: string | undefined,
    @C() _ctx: Ctx,
  ): DomainEvent {
    return e;
  }
}
