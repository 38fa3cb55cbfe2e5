import type { EntityManager, Knex } from '@mikro-orm/postgresql';

/**
 * Runs one statement with bound parameters on the caller's transaction. For bulk writes: MikroORM's
 * `execute` inlines (escapes) every parameter into the SQL text, which costs seconds and hundreds of
 * megabytes for a multi-megabyte JSON batch; bound parameters go to PostgreSQL as they are.
 * @example await executeBound(em, 'insert into t select * from jsonb_to_recordset(?::jsonb) as r(a int)', [json])
 * @throws Error when called outside a transaction.
 */
export async function executeBound(em: EntityManager, sql: string, params: unknown[]): Promise<void> {
  const trx = em.getTransactionContext<Knex.Transaction>();
  if (!trx) throw new Error('bulk statements run inside the change transaction');
  await trx.raw(sql, params as Knex.RawBinding[]);
}
