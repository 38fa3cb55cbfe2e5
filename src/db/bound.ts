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

/** The parts of MikroORM's SQL connection `execute` runs a statement through (6.6.16). */
interface ConnectionInternals {
  config: { get(key: 'onQuery'): (sql: string, params: readonly unknown[]) => string };
  getKnex(): Knex;
  executeQuery<T>(query: string, cb: () => Promise<T>, context?: object): Promise<T>;
  transformRawResult<T>(res: unknown, method: 'all'): T;
}

/**
 * Reads rows with bound parameters, on the caller's transaction if it has one. For reads whose
 * parameters are large (a page's 50 ids as one array): MikroORM's `execute` escapes each parameter
 * into the SQL text character by character, a tenth of what a roster page allocates. Otherwise
 * as `execute`: the `onQuery` hook, the query log and its timing, rows as plain objects.
 * @example const rows = await queryBound(em, 'select * from t where id = any(?::uuid[])', [pgArray(ids)])
 */
export async function queryBound<T extends object = Record<string, unknown>>(
  em: EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  const conn = em.getConnection() as unknown as ConnectionInternals;
  const text = conn.config.get('onQuery')(sql, params);
  return conn.executeQuery(
    text,
    async () => {
      const q = conn.getKnex().raw(text, params as Knex.RawBinding[]);
      const trx = em.getTransactionContext<Knex.Transaction>();
      if (trx) q.transacting(trx);
      return conn.transformRawResult<T[]>(await q, 'all');
    },
    { query: text, params },
  );
}
