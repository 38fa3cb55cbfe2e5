import type { EntityMetadata, EntityName, FilterQuery, FindOptions } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { queryBound } from './bound.js';

/**
 * Read-only rows for GraphQL lists, without entity hydration.
 *
 * `em.find` turns each row into a managed entity: identity map, unit-of-work snapshot, relation
 * propagation. For a page that is only read and serialised that is most of the request's CPU (see
 * `npm run bench:api`). These helpers run the same query through the driver — the same SQL, where
 * handling, keyset cursor conditions and column→property mapping as `em.find` — and give back plain
 * objects: properties named as on the entity, ManyToOne relations as their primary key value.
 *
 * The objects are instances of the entity class (so `instanceof`, class getters, GraphQL interface
 * resolution and type-graphql's own `convertToType` take them as they are) without being entities:
 * their prototype is a per-class "lean prototype" under the entity's, where every property MikroORM
 * tracks through a prototype setter is shadowed by a plain writable slot. Assigning a property then
 * stores it, instead of building the unit-of-work state (`__helper`) the way an entity would; no
 * constructor runs (its defaults and collections are not wanted here).
 *
 * They are NOT managed: never persist, flush or mutate them; load the entity with `em` to change it.
 * Collections (OneToMany) are absent: resolve relations through dataloaders.
 */
export type Lean<E> = E;

const leanPrototypes = new Map<abstract new (...args: never[]) => unknown, object>();

function leanPrototype(cls: abstract new (...args: never[]) => unknown): object {
  let proto = leanPrototypes.get(cls);
  if (!proto) {
    const base = cls.prototype as object;
    proto = Object.create(base) as object;
    for (
      let p: object | null = base;
      p && p !== Object.prototype;
      p = Object.getPrototypeOf(p) as object | null
    )
      for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(p)))
        if (d.set && !Object.prototype.hasOwnProperty.call(proto, name))
          Object.defineProperty(proto, name, { value: undefined, writable: true, configurable: true });
    leanPrototypes.set(cls, proto);
  }
  return proto;
}

/** An empty unmanaged instance of `cls`, to fill property by property (see above). */
export function leanInstance<E extends object>(cls: new (...args: never[]) => E): Lean<E> {
  return Object.create(leanPrototype(cls)) as E;
}

/** An unmanaged instance of `cls` holding `data` (property names as on the entity); see above. */
export function leanRows<E extends object>(
  cls: new (...args: never[]) => E,
  data: Record<string, unknown>,
): Lean<E> {
  return Object.assign(leanInstance(cls), data);
}

/**
 * Column names of `props` on `entity`'s table, for hand-written reads of a projection; each must be
 * a column property (as `projection` returns).
 * @throws Error for a property that is not a single column (a programming error).
 */
export function leanColumns<E extends object>(
  em: EntityManager,
  entity: EntityName<E>,
  props: readonly string[],
): string[] {
  const meta = em.getMetadata().get((entity as { name: string }).name) as EntityMetadata;
  return props.map((name) => {
    const cols = (meta.properties as Record<string, { fieldNames?: string[] } | undefined>)[name]?.fieldNames;
    if (cols?.length !== 1) throw new Error(`${meta.className}.${name} is not a single column`);
    return cols[0]!;
  });
}

/**
 * Driver-level `find`: same query as `em.find`, rows as unmanaged lean instances (see above).
 *
 * The statement is kept per query shape and values (see {@link statementKey}): building it through
 * MikroORM's QueryBuilder and knex is a sixth of a roster page's CPU, and a dashboard asks the
 * same page again and again. A cached statement runs as built, its rows mapped as `find` maps them.
 */
export async function leanFind<E extends object>(
  em: EntityManager,
  entity: EntityName<E>,
  where: FilterQuery<E>,
  options: FindOptions<E, never, never, never> = {},
): Promise<Lean<E>[]> {
  const name = (entity as { name: string }).name;
  const meta = em.getMetadata().get(name);
  const cls = meta.class as new () => E;
  const key = statementKey(name, where, options);
  let statement = key === null ? undefined : statements.get(key);
  if (key !== null && !statement) {
    statement = buildFind(em, name, where, options) ?? undefined;
    if (statement) remember(key, statement);
  }
  if (!statement) {
    const rows = await em.getDriver().find(
      name,
      where as never,
      {
        ...options,
        ctx: em.getTransactionContext(),
      } as never,
    );
    return rows.map((r) => leanRows(cls, r as Record<string, unknown>));
  }
  // Bound and prepared when every value is a plain scalar (their text is what MikroORM would have
  // inlined); other values keep MikroORM's own formatting.
  const raw = statement.scalar
    ? await queryBound(em, statement.sql, statement.bindings, { prepare: true })
    : await em
        .getConnection('read')
        .execute<Record<string, unknown>[]>(
          statement.sql,
          [...statement.bindings],
          'all',
          em.getTransactionContext(),
        );
  const driver = em.getDriver() as unknown as {
    mapResult(row: Record<string, unknown>, m: typeof meta): Record<string, unknown> | null;
  };
  const out = raw.map((r) => leanRows(cls, driver.mapResult(r, meta)!));
  if (statement.reverse) out.reverse();
  return out;
}

interface Statement {
  sql: string;
  bindings: readonly unknown[];
  /** `last` without `first`: the rows come newest-first and are turned round, as `find` does. */
  reverse: boolean;
  /** Every binding is a string, a finite number, a boolean or null. */
  scalar: boolean;
}

const STATEMENTS_KEPT = 500;
const statements = new Map<string, Statement>();

function remember(key: string, s: Statement): void {
  if (statements.size >= STATEMENTS_KEPT) statements.delete(statements.keys().next().value!);
  statements.set(key, s);
}

/** The find options a cached statement may carry; any other option is passed to `find` as is. */
const CACHEABLE_OPTIONS = new Set([
  'first',
  'last',
  'before',
  'after',
  'orderBy',
  'includeCount',
  'overfetch',
  'fields',
]);

/**
 * The cache key of a query: entity, where and options as JSON, or null (no caching) when an option
 * is not one the cached path builds or a value is not plain data (strings, numbers, booleans, null,
 * dates, arrays and plain objects): a raw SQL fragment, an entity reference or a class instance
 * could stand for different SQL under the same JSON.
 */
function statementKey(entity: string, where: unknown, options: object): string | null {
  // `find` treats a bare primary key (or a list of them) as `where` specially: left to it.
  if (!where || typeof where !== 'object' || Array.isArray(where)) return null;
  for (const [k, v] of Object.entries(options)) if (v !== undefined && !CACHEABLE_OPTIONS.has(k)) return null;
  if (!plainData(where) || !plainData(options)) return null;
  const key = JSON.stringify([entity, where, options]);
  // A raw SQL fragment travels as a registered key string ('[raw]: … (#n)'): never cached.
  return key.includes('[raw]') ? null : key;
}

function plainData(v: unknown, depth = 0): boolean {
  if (v === null || v === undefined) return true;
  const t = typeof v;
  if (t === 'string' || t === 'boolean') return true;
  if (t === 'number') return Number.isFinite(v);
  if (t !== 'object' || depth > 8) return false;
  if (v instanceof Date) return !Number.isNaN(v.getTime());
  if (Array.isArray(v)) return v.every((x) => plainData(x, depth + 1));
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  if (Object.getOwnPropertySymbols(v).length) return false;
  return Object.values(v as object).every((x) => plainData(x, depth + 1));
}

/** MikroORM's AbstractSqlDriver internals `find` uses to build its query (6.6.16). */
interface FindInternals {
  metadata: { find(name: string): EntityMetadata & { virtual?: boolean } };
  autoJoinOneToOneOwner(meta: EntityMetadata, populate: unknown[], fields?: unknown): unknown[];
  joinedProps(meta: EntityMetadata, populate: unknown[], options: object): unknown[];
  getSchemaName(meta: EntityMetadata, options: object): string | undefined;
  createQueryBuilder(entity: string, ctx: unknown, type?: unknown, emit?: boolean, logging?: unknown): FindQb;
  buildFields(
    meta: EntityMetadata,
    populate: unknown[],
    joined: unknown[],
    qb: FindQb,
    alias: string,
    options: object,
    schema?: string,
  ): unknown[];
  buildOrderBy(qb: FindQb, meta: EntityMetadata, populate: unknown[], options: object): unknown[];
  processCursorOptions(
    meta: EntityMetadata,
    options: object,
    orderBy: unknown[],
  ): { orderBy: unknown; where: unknown };
}
interface FindQb {
  alias: string;
  withSchema(schema?: string): FindQb;
  select(fields: unknown[]): FindQb;
  where(where: unknown): FindQb;
  andWhere(where: unknown): FindQb;
  orderBy(orderBy: unknown): FindQb;
  limit(limit?: number, offset?: number): FindQb;
  toQuery(): { _sql: { sql: string; bindings: readonly unknown[] } };
}

/**
 * The statement `AbstractSqlDriver.find` would run for these options, built the same way (its
 * code, cut at `qb.execute`) — or null when `find` would do more than this path copies (a virtual
 * entity, auto-joined relations): `find` itself runs those.
 */
function buildFind(em: EntityManager, name: string, where: unknown, options: object): Statement | null {
  const d = em.getDriver() as unknown as FindInternals;
  const meta = d.metadata.find(name);
  if (meta.virtual) return null;
  const opts: {
    populate: unknown[];
    orderBy: unknown;
    limit?: number;
    offset?: number;
    fields?: unknown;
    first?: unknown;
    last?: unknown;
    before?: unknown;
    after?: unknown;
  } = { populate: [], orderBy: [], ...options };
  const populate = d.autoJoinOneToOneOwner(meta, opts.populate, opts.fields);
  const joined = d.joinedProps(meta, populate, opts);
  if (populate.length || joined.length) return null;
  const schema = d.getSchemaName(meta, opts);
  const qb = d.createQueryBuilder(name, undefined, undefined, false, undefined).withSchema(schema);
  const fields = d.buildFields(meta, populate, joined, qb, qb.alias, opts, schema);
  const orderBy = d.buildOrderBy(qb, meta, populate, opts);
  const { first, last, before, after } = opts;
  const cursor = [first, last, before, after].some((v) => v != null);
  qb.select(fields).where(where);
  if (cursor) {
    const c = d.processCursorOptions(meta, opts, orderBy);
    qb.andWhere(c.where).orderBy(c.orderBy);
  } else qb.orderBy(orderBy);
  // Cursor options set the limit (first or last, plus one when over-fetching).
  if (opts.limit != null || opts.offset != null) qb.limit(opts.limit, opts.offset);
  const { sql, bindings } = qb.toQuery()._sql;
  const scalar = bindings.every(
    (b) =>
      b === null ||
      typeof b === 'string' ||
      typeof b === 'boolean' ||
      (typeof b === 'number' && Number.isFinite(b)),
  );
  return { sql, bindings, reverse: cursor && !first && !!last, scalar };
}

/** Raw rows (column names) of `entity`'s table as unmanaged objects, mapped like {@link leanFind}. */
export function leanMap<E extends object>(
  em: EntityManager,
  entity: EntityName<E>,
  rows: readonly Record<string, unknown>[],
): Lean<E>[] {
  const meta = em.getMetadata().get((entity as { name: string }).name);
  const driver = em.getDriver() as unknown as {
    mapResult(row: Record<string, unknown>, m: typeof meta): Record<string, unknown> | null;
  };
  const cls = meta.class as new () => E;
  return rows.map((r) => leanRows(cls, driver.mapResult(r, meta)!));
}
