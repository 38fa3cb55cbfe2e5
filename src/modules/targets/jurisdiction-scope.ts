import type { EntityManager, Knex } from '@mikro-orm/postgresql';

/**
 * Row scope for records that name a target or an inspection but carry no jurisdiction of their own
 * (referrals, appeals): sub-queries for `{ targetId: { $in: … } }` / `{ inspectionId: { $in: … } }`,
 * so a police station's list is filtered in the database however many targets it has.
 */
export function targetsIn(em: EntityManager, jurisdictions: readonly string[]): Knex.QueryBuilder {
  return em
    .getKnex()
    .select('id')
    .from('target')
    .whereIn('jurisdiction_code', [...jurisdictions]);
}

/** Inspections of targets in these jurisdictions (the inspection keeps its target's jurisdiction). */
export function inspectionsIn(em: EntityManager, jurisdictions: readonly string[]): Knex.QueryBuilder {
  return em
    .getKnex()
    .select('id')
    .from('inspection')
    .whereIn('jurisdiction_code', [...jurisdictions]);
}
