import { createHash } from 'node:crypto';
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

/** A pooled (or the transaction's) pg client, as knex hands it out. */
interface PgClient {
  query(q: { text: string; values: readonly unknown[]; name?: string }): Promise<unknown>;
}
interface KnexClient {
  acquireConnection(): Promise<PgClient>;
  releaseConnection(c: PgClient): Promise<void>;
  positionBindings(sql: string): string;
}

/**
 * Statements prepared by name, by text. Each connection prepares a name the first time it runs it
 * and keeps it while it lives, so the names are capped: past the cap, statements run unnamed.
 */
const PREPARED_MAX = 200;
const preparedNames = new Map<string, string>();
/** Names given so far, renamed ones included: each may be prepared on a connection. */
let namesGiven = 0;

function preparedName(text: string): string | undefined {
  let name = preparedNames.get(text);
  if (name === undefined && namesGiven < PREPARED_MAX) {
    namesGiven += 1;
    name = `shuangsui_${createHash('sha256').update(text).digest('hex').slice(0, 32)}_${namesGiven}`;
    preparedNames.set(text, name);
  }
  return name;
}

/**
 * After a migration changes a table a prepared statement reads (`select *` over an added column),
 * PostgreSQL refuses the statement on every connection that prepared it: "cached plan must not
 * change result type". The text gets a new name, prepared afresh on each connection (or none, past
 * the cap); the old name stays on connections that have it until they close.
 */
function renamePrepared(text: string, failed: string): string | undefined {
  if (preparedNames.get(text) === failed) preparedNames.delete(text);
  return preparedName(text);
}

/** `?` placeholders numbered ($1, $2…) per SQL text: the same few texts run on every request. */
const positioned = new Map<string, string>();
const POSITIONED_MAX = 1000;
function positionedText(client: KnexClient, sql: string): string {
  let text = positioned.get(sql);
  if (text === undefined) {
    text = client.positionBindings(sql);
    if (positioned.size >= POSITIONED_MAX) positioned.clear();
    positioned.set(sql, text);
  }
  return text;
}

const isStalePlan = (err: unknown) =>
  (err as { code?: string }).code === '0A000' &&
  /cached plan must not change result type/.test((err as Error).message);

export interface BoundOptions {
  /**
   * Run as a named prepared statement: PostgreSQL parses and plans it once per connection (and
   * keeps a generic plan once it finds one as good), not on every call. For the few statements a
   * dashboard runs again and again with new values (aggregates, a page's relations); a statement
   * whose text changes with its values must not ask for it. At most 200 names per process.
   */
  prepare?: boolean;
}

/**
 * Reads rows with bound parameters, on the caller's transaction if it has one, straight through
 * the pg client: values go to PostgreSQL as pg sends them (a JS array as a PostgreSQL array, a
 * Date as a timestamp), `?` placeholders numbered as knex numbers them. For reads whose parameters
 * are large (a page's 50 ids as one array) or that run again and again (`prepare`): MikroORM's
 * `execute` escapes each parameter into the SQL text character by character. Otherwise as
 * `execute`: the `onQuery` hook, the query log and its timing, rows as plain objects.
 * @example const rows = await queryBound(em, 'select * from t where id = any(?::uuid[])', [pgArray(ids)])
 */
export async function queryBound<T extends object = Record<string, unknown>>(
  em: EntityManager,
  sql: string,
  params: readonly unknown[],
  opts: BoundOptions = {},
): Promise<T[]> {
  const conn = em.getConnection() as unknown as ConnectionInternals;
  const hooked = conn.config.get('onQuery')(sql, params);
  const trx = em.getTransactionContext<Knex.Transaction>();
  const client = (trx ?? conn.getKnex()).client as unknown as KnexClient;
  const text = positionedText(client, hooked);
  const name = opts.prepare ? preparedName(text) : undefined;
  return conn.executeQuery(
    hooked,
    async () => {
      const c = await client.acquireConnection();
      try {
        const run = (as: string | undefined) =>
          c.query(as ? { name: as, text, values: params } : { text, values: params });
        let res: unknown;
        try {
          res = await run(name);
        } catch (err) {
          if (!name || !isStalePlan(err)) throw err;
          const renamed = renamePrepared(text, name);
          // Inside a transaction the failure has aborted it: the caller's retry runs under the new name.
          if (trx) throw err;
          res = await run(renamed);
        }
        return conn.transformRawResult<T[]>(res, 'all');
      } finally {
        await client.releaseConnection(c);
      }
    },
    { query: hooked, params },
  );
}
