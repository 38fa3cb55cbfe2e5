import type { EntityMetadata, EntityName, FilterQuery, FindOptions } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

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

/** An unmanaged instance of `cls` holding `data` (property names as on the entity); see above. */
export function leanRows<E extends object>(
  cls: new (...args: never[]) => E,
  data: Record<string, unknown>,
): Lean<E> {
  return Object.assign(Object.create(leanPrototype(cls)) as E, data);
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

/** Driver-level `find`: same query as `em.find`, rows as unmanaged lean instances (see above). */
export async function leanFind<E extends object>(
  em: EntityManager,
  entity: EntityName<E>,
  where: FilterQuery<E>,
  options: FindOptions<E, never, never, never> = {},
): Promise<Lean<E>[]> {
  const rows = await em.getDriver().find(
    (entity as { name: string }).name,
    where as never,
    {
      ...options,
      ctx: em.getTransactionContext(),
    } as never,
  );
  const cls = em.getMetadata().get((entity as { name: string }).name).class as new () => E;
  return rows.map((r) => leanRows(cls, r as Record<string, unknown>));
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
