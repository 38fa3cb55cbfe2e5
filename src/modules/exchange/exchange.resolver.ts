import {
  Arg,
  Args,
  Authorized,
  Ctx as C,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { IsIn, IsOptional, Length, Matches } from 'class-validator';
import type { Ctx } from '../../graphql/context.js';
import { Role } from '../../graphql/auth.js';
import { connectionOf, paginate, PageArgs } from '../../graphql/connection.js';
import { ForbiddenError, ValidationError } from '../../shared/errors.js';
import { toGlobalId } from '../../graphql/node.js';
import { rejectNulls } from '../../shared/input.js';
import { DomainEvent } from '../events/event.resolver.js';
import type { EventRow } from '../events/event-bus.js';
import { ExchangeIntake, IntakeStatus } from './exchange-intake.entity.js';
import { ExchangeMessage, ExchangeMessageStatus } from './exchange-message.entity.js';

export const ExchangeMessageConnection = connectionOf(ExchangeMessage, 'ExchangeMessage');
export const ExchangeIntakeConnection = connectionOf(ExchangeIntake, 'ExchangeIntake');

@ObjectType({
  description: 'A routing rule: business event × target category (or *) → partner and message type.',
})
export class ExchangeRoute {
  @Field(() => ID) id!: string;
  @Field(() => String) eventType!: string;
  @Field(() => String) category!: string;
  @Field(() => String) partnerCode!: string;
  @Field(() => String) messageType!: string;
  @Field(() => Boolean) enabled!: boolean;
}

@ObjectType({
  description:
    'A business event held back from a partner because its target has no USCC of the shape the partner requires; it leaves once the roster has one (job exchange:release-held).',
})
export class ExchangeHeldEvent {
  @Field(() => ID) id!: string;
  @Field(() => String) partnerCode!: string;
  @Field(() => String) messageType!: string;
  @Field(() => String) eventType!: string;
  @Field(() => String) sourceId!: string;
  @Field(() => ID, { description: 'Global id of the target whose USCC is missing.' }) targetId!: string;
  @Field(() => String, { description: 'SUBJECT_USCC_MISSING' }) reason!: string;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({
  description: 'Health of one partner: circuit, backlog, dead letters and enqueue-to-receipt latency (24 h).',
})
export class ExchangePartnerHealth {
  @Field(() => String) partnerCode!: string;
  @Field(() => String) name!: string;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => Boolean) circuitOpen!: boolean;
  @Field(() => Date, { nullable: true }) circuitOpenUntil!: Date | null;
  @Field(() => Int) consecutiveFailures!: number;
  @Field(() => Date, { nullable: true }) lastSuccessAt!: Date | null;
  @Field(() => Date, { nullable: true }) lastFailureAt!: Date | null;
  @Field(() => Int) pending!: number;
  @Field(() => Int) dead!: number;
  @Field(() => Int) delivered24h!: number;
  @Field(() => Int, { nullable: true }) p50LatencyMs!: number | null;
  @Field(() => Int, { nullable: true }) p99LatencyMs!: number | null;
}

@InputType()
export class ExchangeRouteInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String) @Matches(/^[A-Z_]{3,32}$/) eventType!: string;
  @Field(() => String) @Matches(/^(\*|[A-Z_]{3,32})$/) category!: string;
  @Field(() => String) @Matches(/^[A-Z_]{3,16}$/) partnerCode!: string;
  @Field(() => String) @Matches(/^[A-Z_]{3,40}$/) messageType!: string;
  @Field(() => Boolean) enabled!: boolean;
}

@InputType()
export class IntakeDecisionGqlInput {
  @Field(() => String) @IsIn(['ACCEPTED', 'DECLINED', 'PASSED_ON']) decision!:
    'ACCEPTED' | 'DECLINED' | 'PASSED_ON';
  @Field(() => String, { nullable: true }) @IsOptional() @Length(2, 2000) reason?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 128) caseNo?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(/^[0-9A-HJ-NPQRTUWXY]{18}$/) passedToCode?:
    string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 128) passedToName?: string | null;
  @Field(() => String) @Length(1, 64) handlerName!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(5, 20) handlerPhone?: string | null;
}

const DEAD_LETTER_ROLES = new Set<Role>([Role.ADMIN, Role.SUPERVISOR, Role.ANALYST, Role.EXCHANGE]);

@Resolver(() => ExchangeMessage)
export class ExchangeResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: 'The exact bytes sent, as UTF-8 text; null for credit batches (they carry full ID numbers).',
  })
  async body(@Root() m: ExchangeMessage, @C() ctx: Ctx): Promise<string | null> {
    if (m.partnerCode === 'CREDIT') return null;
    const r = await ctx.em
      .getConnection()
      .execute<{ body: Buffer }[]>('select body from exchange_message where id = ?', [m.id]);
    return r[0] ? r[0].body.toString('utf8') : null;
  }

  @Authorized()
  @Query(() => ExchangeMessageConnection, {
    description: 'Outbound messages, newest first, by partner, status, subject and time.',
  })
  exchangeMessages(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('partnerCode', () => String, { nullable: true }) partnerCode: string | undefined,
    @Arg('status', () => ExchangeMessageStatus, { nullable: true }) status: ExchangeMessageStatus | undefined,
    @Arg('subjectKey', () => String, { nullable: true }) subjectKey: string | undefined,
    @Arg('from', () => Date, { nullable: true }) from: Date | undefined,
    @Arg('to', () => Date, { nullable: true }) to: Date | undefined,
    @C() ctx: Ctx,
  ) {
    rejectNulls({ partnerCode, status, subjectKey, from, to }, 'args');
    const where: Record<string, unknown> = {};
    if (partnerCode) where.partnerCode = partnerCode;
    if (status) where.status = status;
    if (subjectKey) where.subjectKey = subjectKey;
    if (from || to) where.createdAt = { ...(from ? { $gte: from } : {}), ...(to ? { $lt: to } : {}) };
    return paginate(
      ExchangeMessageConnection,
      ctx.em,
      ExchangeMessage,
      where,
      { createdAt: 'desc', id: 'desc' },
      page,
    );
  }

  @Authorized()
  @Query(() => ExchangeMessageConnection, {
    description: 'Dead-lettered messages with their reason, newest first.',
  })
  exchangeDeadLetters(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('partnerCode', () => String, { nullable: true }) partnerCode: string | undefined,
    @C() ctx: Ctx,
  ) {
    rejectNulls({ partnerCode }, 'args');
    return paginate(
      ExchangeMessageConnection,
      ctx.em,
      ExchangeMessage,
      { status: ExchangeMessageStatus.DEAD, ...(partnerCode ? { partnerCode } : {}) },
      { deadAt: 'desc', id: 'desc' },
      page,
    );
  }

  @Authorized()
  @Query(() => [ExchangeHeldEvent], {
    description: 'Events still held for a missing USCC, oldest first (at most `first`, 1–500).',
  })
  async exchangeHeldEvents(
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
    @C() ctx: Ctx,
  ): Promise<ExchangeHeldEvent[]> {
    if (!Number.isInteger(first) || first < 1 || first > 500)
      throw new ValidationError([{ field: 'first', message: `expected 1 to 500, got ${first}` }]);
    const rows = await ctx.em.getConnection().execute<
      {
        id: string;
        partner_code: string;
        message_type: string;
        event_type: string;
        source_id: string;
        target_id: string;
        reason: string;
        created_at: Date;
      }[]
    >(
      `select id, partner_code, message_type, event_type, source_id, target_id, reason, created_at
         from exchange_held_event where released_at is null order by created_at, id limit ?`,
      [first],
    );
    return rows.map((r) => ({
      id: r.id,
      partnerCode: r.partner_code,
      messageType: r.message_type,
      eventType: r.event_type,
      sourceId: r.source_id,
      targetId: toGlobalId('Target', r.target_id),
      reason: r.reason,
      createdAt: r.created_at,
    }));
  }

  @Authorized()
  @Query(() => [ExchangePartnerHealth], { description: 'Partner health and delivery latency.' })
  exchangePartnerHealth(@C() ctx: Ctx) {
    return ctx.services.exchange.ops.health(ctx.em);
  }

  @Authorized()
  @Query(() => ExchangeIntakeConnection, {
    description: 'Intake records of inbound referrals, by decision deadline.',
  })
  exchangeIntakes(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('status', () => IntakeStatus, { nullable: true }) status: IntakeStatus | undefined,
    @C() ctx: Ctx,
  ) {
    rejectNulls({ status }, 'args');
    return paginate(
      ExchangeIntakeConnection,
      ctx.em,
      ExchangeIntake,
      status ? { status } : {},
      { decideBy: 'asc', id: 'asc' },
      page,
    );
  }

  @Authorized()
  @Query(() => [ExchangeRoute], { description: 'Routing rules (data, editable by ADMIN).' })
  exchangeRoutes(@C() ctx: Ctx) {
    return ctx.services.exchange.ops.routes(ctx.em);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: 'Re-sends a dead-lettered message as is (same id, same bytes); audited.',
  })
  async redriveMessage(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @C() ctx: Ctx,
  ): Promise<boolean> {
    await ctx.services.exchange.ops.redrive(ctx.em, ctx.user, id, reason);
    return true;
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: 'Puts a dead-lettered credit record into the next batch; audited.',
  })
  async redriveCreditRecord(
    @Arg('recordId', () => String) recordId: string,
    @Arg('reason', () => String) reason: string,
    @C() ctx: Ctx,
  ): Promise<boolean> {
    await ctx.services.exchange.ops.redriveCreditRecord(ctx.em, ctx.user, recordId, reason);
    return true;
  }

  @Authorized()
  @Mutation(() => ID, {
    description:
      'Replaces a dead letter by a corrected message under a new id referencing the old one; `body` carries the old id, which is swapped. Audited.',
  })
  correctAndResend(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @Arg('body', () => String, { nullable: true }) body: string | undefined,
    @C() ctx: Ctx,
  ): Promise<string> {
    return ctx.services.exchange.ops.correctAndResend(ctx.em, ctx.user, id, body ?? null, reason);
  }

  @Authorized()
  @Mutation(() => ID, {
    description:
      'Decides an intake record; the decision goes back as REFERRAL_DECISION. Returns its message id.',
  })
  decideIntake(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => IntakeDecisionGqlInput) input: IntakeDecisionGqlInput,
    @C() ctx: Ctx,
  ): Promise<string> {
    return ctx.services.exchange.ops.decideIntake(ctx.em, ctx.user, id, {
      decision: input.decision,
      reason: input.reason ?? null,
      caseNo: input.caseNo ?? null,
      passedTo: input.passedToCode
        ? { code: input.passedToCode, name: input.passedToName ?? input.passedToCode }
        : null,
      handlerName: input.handlerName,
      handlerPhone: input.handlerPhone ?? null,
    });
  }

  @Authorized()
  @Mutation(() => ExchangeRoute, { description: 'Creates or updates a routing rule; audited.' })
  upsertExchangeRoute(@Arg('input', () => ExchangeRouteInput) input: ExchangeRouteInput, @C() ctx: Ctx) {
    return ctx.services.exchange.ops.upsertRoute(ctx.em, ctx.user, { ...input, id: input.id ?? null });
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Deletes a routing rule; audited.' })
  deleteExchangeRoute(@Arg('id', () => ID) id: string, @C() ctx: Ctx) {
    return ctx.services.exchange.ops.deleteRoute(ctx.em, ctx.user, id);
  }

  @Subscription(() => DomainEvent, {
    description: 'Dead letters as they happen (topic exchange.deadLetter), across replicas.',
    subscribe: async function* ({ context }) {
      const ctx = context as Ctx;
      if (!DEAD_LETTER_ROLES.has(ctx.user.role)) throw new ForbiddenError('dead letters are for operators');
      const conn = ctx.em.getConnection();
      yield* ctx.services.eventBus.stream((sql, params) => conn.execute(sql, params) as Promise<EventRow[]>, {
        topics: ['exchange.deadLetter'],
        since: null,
        accept: () => true,
      });
    },
  })
  deadLetter(@Root() e: EventRow): DomainEvent {
    return e as unknown as DomainEvent;
  }
}
