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
import type { Ctx } from '../../graphql/context.js';
import { connectionOf, paginate, PageArgs } from '../../graphql/connection.js';
import { fromGlobalId, toGlobalId } from '../../graphql/node.js';
import { ValidationError } from '../../shared/errors.js';
import { InspectionItem, InspectionItemVersion, ItemStatus } from './inspection-item.entity.js';
import { CreateItemInput, ItemContentInput, ItemFilter } from './item.inputs.js';

export const InspectionItemConnection = connectionOf(InspectionItem, 'InspectionItem');

@Resolver(() => InspectionItem)
export class ItemResolver {
  @FieldResolver(() => ID)
  id(@Root() item: InspectionItem): string {
    return toGlobalId('InspectionItem', item.id);
  }

  @FieldResolver(() => InspectionItemVersion, { description: 'The latest version (what staff edit).' })
  current(@Root() item: InspectionItem, @C() ctx: Ctx): Promise<InspectionItemVersion> {
    return ctx.loaders.itemVersion(item.id, item.currentVersion);
  }

  @FieldResolver(() => InspectionItemVersion, { nullable: true, description: 'The version the public sees.' })
  async published(@Root() item: InspectionItem, @C() ctx: Ctx): Promise<InspectionItemVersion | null> {
    if (item.publishedVersion == null || item.status !== ItemStatus.PUBLISHED) return null;
    return ctx.loaders.itemVersion(item.id, item.publishedVersion);
  }

  @FieldResolver(() => [InspectionItemVersion], { description: 'Every version, oldest first (staff only).' })
  async versions(@Root() item: InspectionItem, @C() ctx: Ctx): Promise<InspectionItemVersion[]> {
    if (ctx.user.role === 'PUBLIC') return [];
    return ctx.em.find(InspectionItemVersion, { item: item.id }, { orderBy: { version: 'asc' } });
  }

  @Authorized()
  @Query(() => InspectionItemConnection, { description: 'All items with their drafts (staff).' })
  async items(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ItemFilter, { nullable: true }) filter: ItemFilter | undefined,
    @C() ctx: Ctx,
  ) {
    const where = await ctx.services.items.filterWhere(ctx.em, filter, false);
    return paginate(
      InspectionItemConnection,
      ctx.em,
      InspectionItem,
      where,
      { code: 'asc', id: 'asc' },
      page,
    );
  }

  @Authorized()
  @Query(() => InspectionItemConnection, {
    description: 'The published item list (一单); open to the public.',
  })
  async publishedItems(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ItemFilter, { nullable: true }) filter: ItemFilter | undefined,
    @C() ctx: Ctx,
  ) {
    const where = await ctx.services.items.filterWhere(ctx.em, filter, true);
    return paginate(
      InspectionItemConnection,
      ctx.em,
      InspectionItem,
      where,
      { code: 'asc', id: 'asc' },
      page,
    );
  }

  @Authorized()
  @Mutation(() => InspectionItem)
  createItem(@Arg('input', () => CreateItemInput) input: CreateItemInput, @C() ctx: Ctx) {
    return ctx.services.items.create(ctx, input);
  }

  @Authorized()
  @Mutation(() => InspectionItem, {
    description: 'Writes a new version; fails with CONFLICT if someone edited first.',
  })
  updateItem(
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Arg('input', () => ItemContentInput) input: ItemContentInput,
    @C() ctx: Ctx,
  ) {
    return ctx.services.items.update(ctx, fromGlobalId(id, 'InspectionItem').id, input, expectedVersion);
  }

  @Authorized()
  @Mutation(() => InspectionItem)
  publishItem(@Arg('id', () => ID) id: string, @C() ctx: Ctx) {
    return ctx.services.items.setPublished(ctx, fromGlobalId(id, 'InspectionItem').id, true);
  }

  @Authorized()
  @Mutation(() => InspectionItem)
  unpublishItem(@Arg('id', () => ID) id: string, @C() ctx: Ctx) {
    return ctx.services.items.setPublished(ctx, fromGlobalId(id, 'InspectionItem').id, false);
  }

  @Authorized()
  @Mutation(() => InspectionItem)
  archiveItem(@Arg('id', () => ID) id: string, @Arg('reason', () => String) reason: string, @C() ctx: Ctx) {
    if (reason.trim().length < 2)
      throw new ValidationError([{ field: 'reason', message: 'state a reason (2–300 characters)' }]);
    return ctx.services.items.archive(ctx, fromGlobalId(id, 'InspectionItem').id, reason);
  }
}
