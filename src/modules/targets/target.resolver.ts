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
import { Target } from './target.entity.js';
import { TargetPerson } from './target-person.entity.js';
import { Person } from './person.entity.js';
import { Inspection } from '../inspections/inspection.entity.js';
import {
  CreateTargetInput,
  PersonInput,
  SortDirection,
  TargetFieldsInput,
  TargetFilter,
  TargetSort,
} from './target.inputs.js';

export const TargetConnection = connectionOf(Target, 'Target');

@Resolver(() => Target)
export class TargetResolver {
  @FieldResolver(() => ID)
  id(@Root() t: Target): string {
    return toGlobalId('Target', t.id);
  }

  @FieldResolver(() => Int, { description: 'Optimistic-lock version; pass it back to updateTarget.' })
  rowVersion(@Root() t: Target): number {
    return t.rowVersion;
  }

  @FieldResolver(() => [TargetPerson], { description: 'Legal representative, managers and staff.' })
  persons(@Root() t: Target, @C() ctx: Ctx): Promise<TargetPerson[]> {
    return ctx.loaders.targetPersons.load(t.id);
  }

  @Authorized()
  @FieldResolver(() => Inspection, {
    nullable: true,
    description: 'The last inspection carried out here (newest inspectedOn), or null if none yet.',
  })
  async lastInspection(@Root() t: Target, @C() ctx: Ctx): Promise<Inspection | null> {
    const i = await ctx.loaders.lastInspection.load(t.id);
    const jur = i ? (await ctx.scope()).visibleJurisdictions() : null;
    return i && (!jur || jur.includes(i.jurisdictionCode)) ? i : null;
  }

  @Authorized()
  @Query(() => TargetConnection, {
    description: 'The target roster; police stations see their own jurisdiction only.',
  })
  async targets(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => TargetFilter, { nullable: true }) filter: TargetFilter | undefined,
    @Arg('sort', () => TargetSort, { nullable: true }) sort: TargetSort | undefined,
    @Arg('direction', () => SortDirection, { nullable: true }) direction: SortDirection | undefined,
    @C() ctx: Ctx,
  ) {
    const where = await ctx.services.targets.where(ctx, filter);
    return paginate(
      TargetConnection,
      ctx.em,
      Target,
      where,
      ctx.services.targets.orderBy(sort, direction),
      page,
      { lean: true },
    );
  }

  @Authorized()
  @Mutation(() => Target)
  createTarget(@Arg('input', () => CreateTargetInput) input: CreateTargetInput, @C() ctx: Ctx) {
    return ctx.services.targets.create(ctx, input);
  }

  @Authorized()
  @Mutation(() => Target, { description: 'Fails if the target changed since expectedRowVersion.' })
  updateTarget(
    @Arg('id', () => ID) id: string,
    @Arg('expectedRowVersion', () => Int) expectedRowVersion: number,
    @Arg('input', () => TargetFieldsInput) input: TargetFieldsInput,
    @C() ctx: Ctx,
  ) {
    return ctx.services.targets.update(ctx, fromGlobalId(id, 'Target').id, input, expectedRowVersion);
  }

  @Authorized()
  @Mutation(() => Target)
  archiveTarget(@Arg('id', () => ID) id: string, @Arg('reason', () => String) reason: string, @C() ctx: Ctx) {
    return ctx.services.targets.archive(ctx, fromGlobalId(id, 'Target').id, reason);
  }

  @Authorized()
  @Mutation(() => TargetPerson, { description: 'Links a person (found by ID number, or new) to a target.' })
  linkPerson(
    @Arg('targetId', () => ID) targetId: string,
    @Arg('person', () => PersonInput) person: PersonInput,
    @C() ctx: Ctx,
  ) {
    return ctx.services.targets.linkPerson(ctx, fromGlobalId(targetId, 'Target').id, person);
  }
}

@Resolver(() => TargetPerson)
export class TargetPersonResolver {
  @FieldResolver(() => Person)
  person(@Root() tp: TargetPerson): Person {
    return tp.person;
  }
}

@Resolver(() => Person)
export class PersonResolver {
  @FieldResolver(() => ID)
  id(@Root() p: Person): string {
    return toGlobalId('Person', p.id);
  }

  @Authorized()
  @FieldResolver(() => String, {
    nullable: true,
    description:
      'The full ID number. Needs a role allowed to read it; every read is recorded with its purpose.',
  })
  idNumber(
    @Root() p: Person,
    @Arg('purpose', () => String) purpose: string,
    @C() ctx: Ctx,
  ): Promise<string | null> {
    return ctx.services.pii.reveal(
      ctx.em,
      ctx.user,
      { type: 'Person', id: p.id, field: 'idNumber' },
      p.idEnc,
      purpose,
    );
  }

  @Authorized()
  @FieldResolver(() => String, {
    nullable: true,
    description: 'The full phone number; recorded like idNumber.',
  })
  phone(
    @Root() p: Person,
    @Arg('purpose', () => String) purpose: string,
    @C() ctx: Ctx,
  ): Promise<string | null> {
    return ctx.services.pii.reveal(
      ctx.em,
      ctx.user,
      { type: 'Person', id: p.id, field: 'phone' },
      p.phoneEnc,
      purpose,
    );
  }

  @Authorized()
  @Query(() => [Person], {
    description: 'Exact lookup of persons by ID number (matched through the blind index).',
  })
  async persons(@Arg('idNumber', () => String) idNumber: string, @C() ctx: Ctx): Promise<Person[]> {
    return ctx.em.find(Person, { idIndex: ctx.services.pii.indexOf(idNumber) });
  }
}
