import {
  Arg,
  Args,
  Authorized,
  Ctx as C,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { wrap } from '@mikro-orm/core';
import type { Ctx } from '../../graphql/context.js';
import { checkPageArgs, connectionOf, paginate, PageArgs } from '../../graphql/connection.js';
import { fromGlobalId, toGlobalId } from '../../graphql/node.js';
import { Inspector } from './inspector.entity.js';
import { JointPool } from './joint-pool.entity.js';
import { Relationship } from './relationship.entity.js';
import { Department } from '../org/department.entity.js';
import {
  CreateInspectorInput,
  InspectorFieldsInput,
  InspectorFilter,
  JointPoolInput,
  RelationshipInput,
} from './inspector.inputs.js';

export const InspectorConnection = connectionOf(Inspector, 'Inspector');

@Resolver(() => Inspector)
export class InspectorResolver {
  @FieldResolver(() => ID)
  id(@Root() i: Inspector): string {
    return toGlobalId('Inspector', i.id);
  }

  @FieldResolver(() => Department, { nullable: true })
  department(@Root() i: Inspector, @C() ctx: Ctx): Promise<Department | null> {
    return ctx.loaders.department.load(i.departmentCode);
  }

  @Authorized()
  @Query(() => InspectorConnection)
  inspectors(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => InspectorFilter, { nullable: true }) filter: InspectorFilter | undefined,
    @C() ctx: Ctx,
  ) {
    return paginate(
      InspectorConnection,
      ctx.em,
      Inspector,
      ctx.services.inspectors.where(filter),
      { policeNo: 'asc', id: 'asc' },
      page,
    );
  }

  @Authorized()
  @Mutation(() => Inspector)
  createInspector(@Arg('input', () => CreateInspectorInput) input: CreateInspectorInput, @C() ctx: Ctx) {
    return ctx.services.inspectors.create(ctx, input);
  }

  @Authorized()
  @Mutation(() => Inspector)
  updateInspector(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => InspectorFieldsInput) input: InspectorFieldsInput,
    @C() ctx: Ctx,
  ) {
    return ctx.services.inspectors.update(ctx, fromGlobalId(id, 'Inspector').id, input);
  }

  @Authorized()
  @Mutation(() => Inspector)
  archiveInspector(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @C() ctx: Ctx,
  ) {
    return ctx.services.inspectors.archive(ctx, fromGlobalId(id, 'Inspector').id, reason);
  }

  @Authorized()
  @Query(() => [JointPool])
  jointPools(
    @Arg('first', () => Int, { defaultValue: 100, description: '1 to 100' }) first: number,
    @C() ctx: Ctx,
  ): Promise<JointPool[]> {
    checkPageArgs({ first });
    return ctx.em.find(JointPool, {}, { orderBy: { code: 'asc' }, limit: first });
  }

  @Authorized()
  @Mutation(() => JointPool)
  createJointPool(@Arg('input', () => JointPoolInput) input: JointPoolInput, @C() ctx: Ctx) {
    return ctx.services.inspectors.createJointPool(ctx, input);
  }

  @Authorized()
  @Mutation(() => Relationship, { description: 'Registers a relationship that requires recusal (回避).' })
  declareRelationship(@Arg('input', () => RelationshipInput) input: RelationshipInput, @C() ctx: Ctx) {
    return ctx.services.inspectors.declareRelationship(ctx, input);
  }
}

@Resolver(() => Relationship)
export class RelationshipResolver {
  @FieldResolver(() => ID)
  id(@Root() r: Relationship): string {
    return toGlobalId('Relationship', r.id);
  }

  @FieldResolver(() => String)
  async inspectorPoliceNo(@Root() r: Relationship): Promise<string> {
    const i = r.inspector;
    if (!wrap(i).isInitialized()) await wrap(i).init();
    return i.policeNo;
  }
}
