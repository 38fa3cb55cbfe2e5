import type { FilterQuery } from '@mikro-orm/core';
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
import { Appeal, AppealRemedy, AppealStatus, Publication, PublicationStatus } from './publication.entity.js';
import { inspectionsIn } from '../targets/jurisdiction-scope.js';
import { PublishedResultFilter } from './publication.inputs.js';

export const PublicationConnection = connectionOf(Publication, 'Publication');
export const AppealConnection = connectionOf(Appeal, 'Appeal');

@Resolver(() => Publication)
export class PublicationResolver {
  @FieldResolver(() => ID)
  id(@Root() p: Publication): string {
    return toGlobalId('Publication', p.id);
  }

  @Authorized()
  @Query(() => PublicationConnection, {
    description: 'Published results (一公开); open to the public, redacted.',
  })
  publishedResults(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => PublishedResultFilter, { nullable: true }) filter: PublishedResultFilter | undefined,
    @C() ctx: Ctx,
  ) {
    const where = ctx.services.publications.publicWhere(filter);
    return paginate(
      PublicationConnection,
      ctx.em,
      Publication,
      where,
      { inspectedOn: 'desc', id: 'desc' },
      page,
    );
  }

  @Authorized()
  @Query(() => PublicationConnection, { description: 'Publications in every state (staff).' })
  async publications(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('statuses', () => [PublicationStatus], { nullable: true }) statuses: PublicationStatus[] | undefined,
    @Arg('departmentCode', () => String, { nullable: true }) departmentCode: string | undefined,
    @C() ctx: Ctx,
  ) {
    const where = await ctx.services.publications.staffWhere(ctx, statuses, departmentCode);
    return paginate(PublicationConnection, ctx.em, Publication, where, { dueOn: 'asc', id: 'asc' }, page);
  }

  @Authorized()
  @Mutation(() => Publication)
  publishResult(@Arg('id', () => ID) id: string, @C() ctx: Ctx) {
    return ctx.services.publications.publish(ctx, fromGlobalId(id, 'Publication').id);
  }

  @Authorized()
  @Mutation(() => Publication, {
    description: 'Corrects the text (redacted again); audited with the reason.',
  })
  correctPublication(
    @Arg('id', () => ID) id: string,
    @Arg('body', () => String) body: string,
    @Arg('reason', () => String) reason: string,
    @C() ctx: Ctx,
  ) {
    return ctx.services.publications.correct(ctx, fromGlobalId(id, 'Publication').id, body, reason);
  }

  @Authorized()
  @Mutation(() => Publication)
  withdrawPublication(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @C() ctx: Ctx,
  ) {
    return ctx.services.publications.withdraw(ctx, fromGlobalId(id, 'Publication').id, reason);
  }
}

@Resolver(() => Appeal)
export class AppealResolver {
  @FieldResolver(() => ID)
  id(@Root() a: Appeal): string {
    return toGlobalId('Appeal', a.id);
  }

  @Authorized()
  @Mutation(() => Appeal, {
    description: 'Files an objection with the appeal code of the result notice (no token needed).',
  })
  fileAppeal(
    @Arg('appealCode', () => String) code: string,
    @Arg('text', () => String) text: string,
    @Arg('contact', () => String, { nullable: true }) contact: string | undefined,
    @C() ctx: Ctx,
  ) {
    return ctx.services.publications.fileAppeal(ctx, code, text, contact);
  }

  @Authorized()
  @Query(() => [Appeal], {
    description: 'Status and decision of the appeals filed with this code (no token needed).',
  })
  appealStatus(@Arg('appealCode', () => String) code: string, @C() ctx: Ctx) {
    return ctx.services.publications.appealsByCode(ctx.em, code);
  }

  @Authorized()
  @Query(() => AppealConnection, { description: 'Police stations see their own jurisdiction only.' })
  async appeals(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('departmentCode', () => String, { nullable: true }) departmentCode: string | undefined,
    @Arg('statuses', () => [AppealStatus], { nullable: true }) statuses: AppealStatus[] | undefined,
    @C() ctx: Ctx,
  ) {
    const jur = (await ctx.scope()).visibleJurisdictions();
    const where = {
      ...(departmentCode ? { departmentCode } : {}),
      ...(statuses ? { status: { $in: statuses } } : {}),
      ...(jur ? { inspectionId: { $in: inspectionsIn(ctx.em, jur) } } : {}),
    } as FilterQuery<Appeal>;
    return paginate(AppealConnection, ctx.em, Appeal, where, { dueOn: 'asc', id: 'asc' }, page);
  }

  @Authorized()
  @Mutation(() => Appeal, {
    description: 'Upheld appeals correct or withdraw the publication in the same step.',
  })
  decideAppeal(
    @Arg('id', () => ID) id: string,
    @Arg('upheld', () => Boolean) upheld: boolean,
    @Arg('decision', () => String) decision: string,
    @Arg('remedy', () => AppealRemedy, { nullable: true }) remedy: AppealRemedy | undefined,
    @Arg('correctedBody', () => String, { nullable: true }) correctedBody: string | undefined,
    @C() ctx: Ctx,
  ) {
    return ctx.services.publications.decideAppeal(
      ctx,
      fromGlobalId(id, 'Appeal').id,
      upheld,
      decision,
      remedy,
      correctedBody,
    );
  }
}
