import { Arg, Authorized, Ctx as C, Field, ID, ObjectType, Query, Resolver } from 'type-graphql';
import type { Ctx } from './context.js';
import { Role } from './auth.js';
import { fromGlobalId, Node } from './node.js';
import { Target } from '../modules/targets/target.entity.js';
import { Inspector } from '../modules/inspectors/inspector.entity.js';
import { InspectionItem } from '../modules/items/inspection-item.entity.js';
import { Department } from '../modules/org/department.entity.js';
import { Person } from '../modules/targets/person.entity.js';
import { NotFoundError } from '../shared/errors.js';

@ObjectType({ description: 'The caller as the API sees it.' })
export class Me {
  @Field(() => String) sub!: string;
  @Field(() => Role) role!: Role;
  @Field(() => String, { nullable: true }) dept!: string | null;
  @Field(() => [String], {
    nullable: true,
    description: 'Jurisdictions visible to the caller; null = whole county.',
  })
  visibleJurisdictions!: string[] | null;
}

@Resolver()
export class CommonResolver {
  @Authorized()
  @Query(() => Me)
  async me(@C() ctx: Ctx): Promise<Me> {
    const scope = await ctx.scope();
    return {
      sub: ctx.user.sub,
      role: ctx.user.role,
      dept: ctx.user.dept,
      visibleJurisdictions: scope.visibleJurisdictions(),
    };
  }

  @Authorized()
  @Query(() => Node, { nullable: true, description: 'Any object by its global id.' })
  async node(@Arg('id', () => ID) id: string, @C() ctx: Ctx): Promise<Node | null> {
    const g = fromGlobalId(id);
    switch (g.type) {
      case 'Target':
        return (await ctx.services.targets.visible(ctx, g.id)) as unknown as Node;
      case 'Inspector':
        return (await ctx.em.findOne(Inspector, { id: g.id })) as unknown as Node | null;
      case 'InspectionItem':
        return (await ctx.em.findOne(InspectionItem, { id: g.id })) as unknown as Node | null;
      case 'Department':
        return (await ctx.em.findOne(Department, { id: g.id })) as unknown as Node | null;
      case 'Person':
        return (await ctx.em.findOne(Person, { id: g.id })) as unknown as Node | null;
      default:
        throw new NotFoundError(g.type, id);
    }
  }
}

/** Maps an entity instance to its GraphQL type name for the Node interface. */
export function resolveNodeType(value: unknown): string | undefined {
  if (value instanceof Target) return 'Target';
  if (value instanceof Inspector) return 'Inspector';
  if (value instanceof InspectionItem) return 'InspectionItem';
  if (value instanceof Department) return 'Department';
  if (value instanceof Person) return 'Person';
  return undefined;
}
