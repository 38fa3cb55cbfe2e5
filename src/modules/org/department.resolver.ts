import {
  Arg,
  Authorized,
  Ctx as C,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { IsIn, IsOptional, Length, Matches } from 'class-validator';
import type { Ctx } from '../../graphql/context.js';
import { checkPageArgs } from '../../graphql/connection.js';
import { toGlobalId } from '../../graphql/node.js';
import { forgetScopeDepartment } from '../../graphql/policy.js';
import { Department, DepartmentKind } from './department.entity.js';
import { REGION_CODE } from '../targets/target.service.js';
import { TargetCategory } from '../targets/target-category.js';

@InputType()
export class DepartmentInput {
  @Field(() => String) @Matches(/^[A-Z0-9-]{2,16}$/) code!: string;
  @Field(() => String) @Length(2, 64) name!: string;
  @Field(() => DepartmentKind) kind!: DepartmentKind;
  @Field(() => String) @Matches(/^\d{12}$/) orgCode!: string;
  @Field(() => String, { nullable: true }) @IsOptional() parentCode?: string | null;
  @Field(() => [String], { nullable: true })
  @IsOptional()
  @Matches(/^\d{12}$/, { each: true })
  jurisdictionCodes?: string[];
  @Field(() => [TargetCategory], { nullable: true })
  @IsOptional()
  @IsIn(Object.values(TargetCategory), { each: true })
  categories?: TargetCategory[];
}

@Resolver(() => Department)
export class DepartmentResolver {
  @FieldResolver(() => ID)
  id(@Root() d: Department): string {
    return toGlobalId('Department', d.id);
  }

  @Authorized()
  @Query(() => [Department], {
    description: 'All departments: branches, offices and police stations (a short list, not paginated).',
  })
  departments(
    @Arg('kind', () => DepartmentKind, { nullable: true }) kind: DepartmentKind | undefined,
    @Arg('first', () => Int, { defaultValue: 100, description: '1 to 100' }) first: number,
    @C() ctx: Ctx,
  ) {
    checkPageArgs({ first });
    return ctx.em.find(Department, kind ? { kind, archivedAt: null } : { archivedAt: null }, {
      orderBy: { kind: 'asc', code: 'asc' },
      limit: first,
    });
  }

  @Authorized()
  @Mutation(() => Department, { description: 'Creates or updates a department by code (ADMIN).' })
  async upsertDepartment(@Arg('input', () => DepartmentInput) input: DepartmentInput, @C() ctx: Ctx) {
    const saved = await ctx.em.transactional(async (em) => {
      const existing = await em.findOne(Department, { code: input.code });
      const before = existing ? { ...existing } : undefined;
      const d =
        existing ??
        em.create(Department, {
          code: input.code,
          name: input.name,
          kind: input.kind,
          orgCode: input.orgCode,
          regionCode: REGION_CODE,
        });
      Object.assign(d, {
        name: input.name,
        kind: input.kind,
        orgCode: input.orgCode,
        parentCode: input.parentCode ?? null,
        jurisdictionCodes: input.jurisdictionCodes ?? d.jurisdictionCodes,
        categories: input.categories ?? d.categories,
      });
      await em.flush();
      await ctx.services.audit.record(em, ctx.user, {
        action: existing ? 'department.update' : 'department.create',
        entityType: 'Department',
        entityId: d.id,
        before: before && {
          name: before.name,
          kind: before.kind,
          jurisdictionCodes: before.jurisdictionCodes,
          categories: before.categories,
        },
        after: {
          name: d.name,
          kind: d.kind,
          jurisdictionCodes: d.jurisdictionCodes,
          categories: d.categories,
        },
      });
      return d;
    });
    forgetScopeDepartment(input.code);
    return saved;
  }
}
