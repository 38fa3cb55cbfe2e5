import type { EntityName, FilterQuery, FindOptions } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Read-only rows for GraphQL lists, without entity hydration.
 *
 * `em.find` turns each row into a managed entity: identity map, unit-of-work snapshot, relation
 * propagation. For a page that is only read and serialised that is most of the request's CPU (see
 * `npm run bench:api`). These helpers run the same query through the driver — the same SQL, where
 * handling, keyset cursor conditions and column→property mapping as `em.find` — and give back plain
 * objects: properties named as on the entity, ManyToOne relations as their primary key value.
 * Plain, not of the entity's class: MikroORM's prototype setters would build the entity state we
 * skip. So they only suit fields typed with the concrete GraphQL object type (not interface or union
 * fields, which resolve the type by class), and entities whose GraphQL fields are plain properties.
 *
 * They are NOT managed: never persist, flush or mutate them; load the entity with `em` to change it.
 * Collections (OneToMany) are absent: resolve relations through dataloaders.
 */
export type Lean<E> = E;

/** Driver-level `find`: same query as `em.find`, rows as unmanaged objects with the entity prototype. */
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
  return rows as unknown as Lean<E>[];
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
  return rows.map((r) => driver.mapResult(r, meta) as unknown as Lean<E>);
}
