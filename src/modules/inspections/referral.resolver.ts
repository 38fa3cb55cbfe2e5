import type { FilterQuery } from '@mikro-orm/core';
import {
  Arg,
  Args,
  Authorized,
  Ctx as C,
  Field,
  FieldResolver,
  ID,
  InputType,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { ArrayMaxSize, IsIn, IsOptional, Length, Matches, ValidateNested } from 'class-validator';
import type { Ctx } from '../../graphql/context.js';
import { connectionOf, paginate, PageArgs } from '../../graphql/connection.js';
import { fromGlobalId, toGlobalId } from '../../graphql/node.js';
import { Referral, ReferralStatus } from './measure.entity.js';
import { targetsIn } from '../targets/jurisdiction-scope.js';

export const ReferralConnection = connectionOf(Referral, 'Referral');

@InputType()
export class ReferralMaterialInput {
  @Field(() => String) @Length(2, 40) code!: string;
  @Field(() => Boolean) provided!: boolean;
  @Field(() => String, { nullable: true, description: 'SM3 digest of the material (hex).' })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/)
  digest?: string;
}

@InputType({ description: 'An outbound referral (移送) of a violation outside police competence.' })
export class ProposeReferralInput {
  @Field(() => ID) targetId!: string;
  @Field(() => ID, { nullable: true }) inspectionId?: string;
  @Field(() => String) @Length(2, 16) departmentCode!: string;
  @Field(() => String, { description: 'COMMERCE | CULTURE | OTHER' })
  @IsIn(['COMMERCE', 'CULTURE', 'OTHER'])
  toPartner!: string;
  @Field(() => String) @Length(2, 100) toDepartment!: string;
  @Field(() => String) @Length(2, 1000) suspectedViolation!: string;
  @Field(() => String) @Length(2, 8000) facts!: string;
  @Field(() => [String]) @ArrayMaxSize(20) legalBasis!: string[];
  @Field(() => [ReferralMaterialInput])
  @ValidateNested({ each: true })
  @ArrayMaxSize(20)
  materials!: ReferralMaterialInput[];
}

@Resolver(() => Referral)
export class ReferralResolver {
  @FieldResolver(() => ID)
  id(@Root() r: Referral): string {
    return toGlobalId('Referral', r.id);
  }

  @Authorized()
  @Query(() => ReferralConnection, { description: 'Police stations see their own jurisdiction only.' })
  async referrals(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('departmentCode', () => String, { nullable: true }) departmentCode: string | undefined,
    @Arg('statuses', () => [ReferralStatus], { nullable: true }) statuses: ReferralStatus[] | undefined,
    @C() ctx: Ctx,
  ) {
    const jur = (await ctx.scope()).visibleJurisdictions();
    const where = {
      ...(departmentCode ? { departmentCode } : {}),
      ...(statuses ? { status: { $in: statuses } } : {}),
      ...(jur ? { targetId: { $in: targetsIn(ctx.em, jur) } } : {}),
    } as FilterQuery<Referral>;
    return paginate(ReferralConnection, ctx.em, Referral, where, { createdAt: 'desc', id: 'desc' }, page);
  }

  @Authorized()
  @Mutation(() => Referral)
  proposeReferral(@Arg('input', () => ProposeReferralInput) input: ProposeReferralInput, @C() ctx: Ctx) {
    return ctx.services.referrals.propose(ctx, {
      ...input,
      targetId: fromGlobalId(input.targetId, 'Target').id,
      inspectionId: input.inspectionId ? fromGlobalId(input.inspectionId, 'Inspection').id : undefined,
    });
  }

  @Authorized()
  @Mutation(() => Referral, {
    description: 'Approve (needs every required material) or reject with a reason.',
  })
  decideReferral(
    @Arg('id', () => ID) id: string,
    @Arg('approve', () => Boolean) approve: boolean,
    @Arg('reason', () => String, { nullable: true }) reason: string | undefined,
    @C() ctx: Ctx,
  ) {
    return ctx.services.referrals.decide(ctx, fromGlobalId(id, 'Referral').id, approve, reason);
  }

  @Authorized()
  @Mutation(() => Referral)
  markReferralTransferred(@Arg('id', () => ID) id: string, @C() ctx: Ctx) {
    return ctx.services.referrals.transfer(ctx, fromGlobalId(id, 'Referral').id);
  }
}
