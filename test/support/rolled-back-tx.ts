import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { Sql } from '../../src/modules/sync/sync-writer.js';
import type { TestPlatform } from './platform.js';

/**
 * Runs `f` in a transaction of the platform's ORM that is always rolled back, with the sync writer's
 * `Sql` over it; answers what `f` answered.
 */
export async function inRolledBackTx<T>(tp: TestPlatform, f: (sql: Sql) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await tp.platform.orm.em
    .fork()
    .transactional(async (em) => {
      const trx = (em as EntityManager).getTransactionContext<Knex.Transaction>()!;
      const sql: Sql = async (text, params = []) =>
        ((await trx.raw(text, params as Knex.RawBinding[])) as unknown as { rows: Record<string, unknown>[] })
          .rows;
      result = await f(sql);
      throw new Error('rollback');
    })
    .catch((e: unknown) => {
      if (!(e instanceof Error) || e.message !== 'rollback') throw e;
    });
  return result as T;
}
