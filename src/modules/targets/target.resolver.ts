import {
  Arg,
  Args,
  Authorized,
  Ctx as C,
  FieldResolver,
  ID,
  Info,
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
import type { FieldNode, GraphQLResolveInfo } from 'graphql';
import { projection, selectedFields } from '../../graphql/projection.js';
import { targetPersonColumns, type TargetPersonColumns } from '../../graphql/loaders.js';
import { POLICY, type Scope } from '../../graphql/policy.js';
import {
  CreateTargetInput,
  PersonInput,
  SortDirection,
  TargetFieldsInput,
  TargetFilter,
  TargetSort,
} from './target.inputs.js';

export const TargetConnection = connectionOf(Target, 'Target');

/** What the `@FieldResolver`s of a target read from its row (see `projection`). */
const TARGET_NEEDS = { id: ['id'], rowVersion: ['rowVersion'], persons: ['id'], lastInspection: ['id'] };
/** What the `@FieldResolver`s of an inspection that only read its own row read (see `projection`). */
const INSPECTION_NEEDS = {
  id: ['id'],
  targetId: ['targetId'],
  appealCode: ['appealCode'],
  evidence: ['id'],
  measures: ['id'],
};

/**
 * `lastInspection`'s projection per selection: graphql-js hands every target of a page the same
 * `fieldNodes`, so a page computes it once (and the loader finds its columns by the same array).
 */
const lastInspectionFields = new WeakMap<readonly FieldNode[], string[] | null>();
/** `persons`' columns per selection, likewise. */
const personColumns = new WeakMap<readonly FieldNode[], TargetPersonColumns | null>();

/**
 * `persons`' columns for a selection: of the field itself (`path` empty, `info` the field's), or
 * of the field at `path` below a list (`info` the list's; `key` the list's field nodes).
 */
function personColumnsOf(
  key: readonly FieldNode[],
  info: GraphQLResolveInfo,
  path: readonly string[] = [],
): TargetPersonColumns | null {
  let columns = path.length ? undefined : personColumns.get(key);
  if (columns === undefined) {
    columns = targetPersonColumns(selectedFields(info, path), selectedFields(info, [...path, 'person']));
    if (!path.length) personColumns.set(key, columns);
  }
  return columns;
}

/** `lastInspection`'s projection for a selection (see {@link personColumnsOf} for the arguments). */
function lastInspectionFieldsOf(
  ctx: Ctx,
  key: readonly FieldNode[],
  info: GraphQLResolveInfo,
  path: readonly string[] = [],
): string[] | null {
  let fields = path.length ? undefined : lastInspectionFields.get(key);
  if (fields === undefined) {
    fields = projection(
      ctx.em.getMetadata().get(Inspection),
      selectedFields(info, path),
      INSPECTION_NEEDS,
      // The loader keys rows by target; the scope check reads the jurisdiction.
      ['id', 'targetId', 'jurisdictionCode'],
    );
    if (!path.length) lastInspectionFields.set(key, fields);
  }
  return fields;
}

/** An inspection if the caller's scope shows its jurisdiction, else null. */
function visibleTo(scope: Scope, i: Inspection | null): Inspection | null {
  if (!i) return null;
  const jur = scope.visibleJurisdictions();
  return !jur || jur.includes(i.jurisdictionCode) ? i : null;
}

/**
 * A page's relations, fetched with the page when the selection reads them through exactly one of
 * `nodes` and `edges.node` (as the loaders would batch them, one query each, in parallel), so the
 * per-target field resolvers answer from memory instead of a promise each. `lastInspection` only
 * for a role the policy lets read it (its resolver checks every call anyway).
 */
async function prefetchRelations(
  ctx: Ctx,
  info: GraphQLResolveInfo,
  targets: readonly Target[],
): Promise<void> {
  if (!targets.length) return;
  const inNodes = selectedFields(info, ['nodes']);
  const inEdges = selectedFields(info, ['edges', 'node']);
  const pathTo = (field: string): string[] | null =>
    inNodes.has(field) === inEdges.has(field)
      ? null
      : inNodes.has(field)
        ? ['nodes', field]
        : ['edges', 'node', field];
  const ids = targets.map((t) => t.id);
  const work: Promise<unknown>[] = [];
  const persons = pathTo('persons');
  if (persons) {
    const loader = ctx.loaders.targetPersons(personColumnsOf(info.fieldNodes, info, persons));
    work.push(ctx.loaders.prefetch(loader, ids));
  }
  const last = pathTo('lastInspection');
  if (last && POLICY['Target.lastInspection']?.includes(ctx.user.role)) {
    const loader = ctx.loaders.lastInspection(lastInspectionFieldsOf(ctx, info.fieldNodes, info, last));
    work.push(ctx.loaders.prefetch(loader, ids), ctx.scope());
  }
  await Promise.all(work);
}

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
  persons(
    @Root() t: Target,
    @C() ctx: Ctx,
    @Info() info: GraphQLResolveInfo,
  ): TargetPerson[] | Promise<TargetPerson[]> {
    const loader = ctx.loaders.targetPersons(personColumnsOf(info.fieldNodes, info));
    return ctx.loaders.peek(loader, t.id) ?? loader.load(t.id);
  }

  @Authorized()
  @FieldResolver(() => Inspection, {
    nullable: true,
    description: 'The last inspection carried out here (newest inspectedOn), or null if none yet.',
  })
  lastInspection(
    @Root() t: Target,
    @C() ctx: Ctx,
    @Info() info: GraphQLResolveInfo,
  ): Inspection | null | Promise<Inspection | null> {
    const loader = ctx.loaders.lastInspection(lastInspectionFieldsOf(ctx, info.fieldNodes, info));
    const hit = ctx.loaders.peek(loader, t.id);
    const scope = ctx.scopeNow();
    if (hit !== undefined && scope) return visibleTo(scope, hit);
    return loader.load(t.id).then(async (i) => i && visibleTo(await ctx.scope(), i));
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
    @Info() info: GraphQLResolveInfo,
  ) {
    const where = await ctx.services.targets.where(ctx, filter);
    const orderBy = ctx.services.targets.orderBy(sort, direction);
    const selected = [...selectedFields(info, ['nodes']), ...selectedFields(info, ['edges', 'node'])];
    const fields = projection(ctx.em.getMetadata().get(Target), selected, TARGET_NEEDS, Object.keys(orderBy));
    const conn = await paginate(TargetConnection, ctx.em, Target, where, orderBy, page, {
      lean: true,
      fields,
    });
    await prefetchRelations(ctx, info, conn.nodes);
    return conn;
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

/** An encrypted field of a person; lean rows (roster lists) leave it out, so it is read by id. */
async function sealedField(ctx: Ctx, p: Person, field: 'idEnc' | 'phoneEnc'): Promise<string | null> {
  if (p[field] !== undefined) return p[field] ?? null;
  const rows = await ctx.em
    .getConnection()
    .execute<{ v: string | null }[]>(
      `select ${field === 'idEnc' ? 'id_enc' : 'phone_enc'} as v from person where id = ?`,
      [p.id],
    );
  return rows[0]?.v ?? null;
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
  async idNumber(
    @Root() p: Person,
    @Arg('purpose', () => String) purpose: string,
    @C() ctx: Ctx,
  ): Promise<string | null> {
    return ctx.services.pii.reveal(
      ctx.em,
      ctx.user,
      { type: 'Person', id: p.id, field: 'idNumber' },
      await sealedField(ctx, p, 'idEnc'),
      purpose,
    );
  }

  @Authorized()
  @FieldResolver(() => String, {
    nullable: true,
    description: 'The full phone number; recorded like idNumber.',
  })
  async phone(
    @Root() p: Person,
    @Arg('purpose', () => String) purpose: string,
    @C() ctx: Ctx,
  ): Promise<string | null> {
    return ctx.services.pii.reveal(
      ctx.em,
      ctx.user,
      { type: 'Person', id: p.id, field: 'phone' },
      await sealedField(ctx, p, 'phoneEnc'),
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
