import {
  Arg,
  Args,
  Authorized,
  Ctx as C,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Ctx } from '../../graphql/context.js';
import { connectionOf, paginate, PageArgs } from '../../graphql/connection.js';
import { fromGlobalId, toGlobalId } from '../../graphql/node.js';
import { ValidationError } from '../../shared/errors.js';
import { BlacklistEntry, BlacklistKind, BlacklistStatus, CreditFact } from './credit.entity.js';

export const CreditFactConnection = connectionOf(CreditFact, 'CreditFact');
export const BlacklistConnection = connectionOf(BlacklistEntry, 'BlacklistEntry');

@Resolver(() => CreditFact)
export class CreditFactResolver {
  @FieldResolver(() => ID)
  id(@Root() f: CreditFact): string {
    return toGlobalId('CreditFact', f.id);
  }

  @Authorized()
  @Query(() => CreditFactConnection, {
    description: 'Credit facts of an internet café and its responsible persons.',
  })
  creditFacts(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('targetId', () => ID) targetId: string,
    @C() ctx: Ctx,
  ) {
    return paginate(
      CreditFactConnection,
      ctx.em,
      CreditFact,
      { targetId: fromGlobalId(targetId, 'Target').id },
      { recordedOn: 'desc', id: 'desc' },
      page,
    );
  }
}

@Resolver(() => BlacklistEntry)
export class BlacklistResolver {
  @FieldResolver(() => ID)
  id(@Root() b: BlacklistEntry): string {
    return toGlobalId('BlacklistEntry', b.id);
  }

  @Authorized()
  @Query(() => BlacklistConnection, { description: 'Police stations see their own jurisdiction only.' })
  async blacklist(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('kind', () => BlacklistKind, { nullable: true }) kind: BlacklistKind | undefined,
    @Arg('statuses', () => [BlacklistStatus], { nullable: true }) statuses: BlacklistStatus[] | undefined,
    @C() ctx: Ctx,
  ) {
    const jur = (await ctx.scope()).visibleJurisdictions();
    const where = {
      ...(kind ? { kind } : {}),
      ...(statuses ? { status: { $in: statuses } } : {}),
      ...(jur ? { jurisdictionCode: { $in: jur } } : {}),
    };
    return paginate(
      BlacklistConnection,
      ctx.em,
      BlacklistEntry,
      where,
      { createdAt: 'desc', id: 'desc' },
      page,
    );
  }

  @Authorized()
  @Mutation(() => BlacklistEntry)
  proposeBlacklist(
    @Arg('targetId', () => ID) targetId: string,
    @Arg('departmentCode', () => String) departmentCode: string,
    @Arg('reasons', () => String) reasons: string,
    @Arg('basis', () => String) basis: string,
    @Arg('personId', () => ID, { nullable: true }) personId: string | undefined,
    @Arg('inspectionId', () => ID, { nullable: true }) inspectionId: string | undefined,
    @C() ctx: Ctx,
  ) {
    if (reasons.trim().length < 2 || basis.trim().length < 2)
      throw new ValidationError([
        {
          field: reasons.trim().length < 2 ? 'reasons' : 'basis',
          message: 'required (the notice states reasons and basis)',
        },
      ]);
    return ctx.services.credit.propose(ctx, {
      targetId: fromGlobalId(targetId, 'Target').id,
      personId: personId ? fromGlobalId(personId, 'Person').id : undefined,
      inspectionId: inspectionId ? fromGlobalId(inspectionId, 'Inspection').id : undefined,
      reasons,
      basis,
      departmentCode,
    });
  }

  @Authorized()
  @Mutation(() => BlacklistEntry, {
    description: 'Records service of the prior notice; the objection period starts.',
  })
  serveBlacklistNotice(
    @Arg('id', () => ID) id: string,
    @Arg('servedOn', () => String) servedOn: string,
    @C() ctx: Ctx,
  ) {
    return ctx.services.credit.serveNotice(ctx, fromGlobalId(id, 'BlacklistEntry').id, servedOn);
  }

  @Authorized()
  @Mutation(() => BlacklistEntry)
  recordBlacklistObjection(
    @Arg('id', () => ID) id: string,
    @Arg('text', () => String) text: string,
    @Arg('filedOn', () => String) filedOn: string,
    @C() ctx: Ctx,
  ) {
    return ctx.services.credit.recordObjection(ctx, fromGlobalId(id, 'BlacklistEntry').id, text, filedOn);
  }

  @Authorized()
  @Mutation(() => BlacklistEntry, {
    description: 'Decides after the objection period; refused while it runs.',
  })
  decideBlacklist(
    @Arg('id', () => ID) id: string,
    @Arg('add', () => Boolean) add: boolean,
    @Arg('objectionUpheld', () => Boolean, { nullable: true }) objectionUpheld: boolean | undefined,
    @Arg('decisionNo', () => String, { nullable: true }) decisionNo: string | undefined,
    @C() ctx: Ctx,
  ) {
    return ctx.services.credit.decide(ctx, fromGlobalId(id, 'BlacklistEntry').id, {
      add,
      objectionUpheld,
      decisionNo,
    });
  }

  @Authorized()
  @Mutation(() => BlacklistEntry, {
    description: 'Removes an effective entry: REPAIR (信用修复) or OBJECTION_UPHELD.',
  })
  removeBlacklistEntry(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @Arg('note', () => String) note: string,
    @C() ctx: Ctx,
  ) {
    if (reason !== 'REPAIR' && reason !== 'OBJECTION_UPHELD')
      throw new ValidationError([{ field: 'reason', message: 'REPAIR or OBJECTION_UPHELD' }]);
    return ctx.services.credit.remove(ctx, fromGlobalId(id, 'BlacklistEntry').id, reason, note);
  }
}
