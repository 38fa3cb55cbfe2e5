import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { transactionSql, type Sql } from '../../src/modules/sync/sync-writer.js';
import type { TestPlatform } from './platform.js';

/**
 * Runs `f` in a transaction of the platform's ORM that is always rolled back, with the sync writer's
 * `Sql` over it (with COPY when `copy`, as the sync engine gives it); answers what `f` answered.
 */
export async function inRolledBackTx<T>(
  tp: TestPlatform,
  f: (sql: Sql) => Promise<T>,
  opts: { copy?: boolean } = {},
): Promise<T> {
  let result: T | undefined;
  await tp.platform.orm.em
    .fork()
    .transactional(async (em) => {
      const trx = (em as EntityManager).getTransactionContext<Knex.Transaction>()!;
      result = await f(await transactionSql(trx, { copy: opts.copy ?? false }));
      throw new Error('rollback');
    })
    .catch((e: unknown) => {
      if (!(e instanceof Error) || e.message !== 'rollback') throw e;
    });
  return result as T;
}
