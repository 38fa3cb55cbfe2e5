/**
 * The persistent databases the city-scale benchmarks load once and reuse: an embedded PostgreSQL
 * under a folder of the temp directory (or the server at DATABASE_URL), and one database per data
 * set, marked as loaded by its comment so an interrupted load is never mistaken for a finished one.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { migrate } from '../src/db/orm.js';
import type { Logger } from '../src/shared/logger.js';

/** The admin URL of DATABASE_URL's server, or of a persistent embedded cluster under `dir`. */
export async function benchServer(
  dir: string,
  log: Logger,
): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  const external = process.env.DATABASE_URL;
  if (external) return { adminUrl: external, stop: async () => undefined };
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const cluster = await startEmbeddedPostgres({ dataDir: dir, log, persistent: true });
  return { adminUrl: cluster.url('postgres'), stop: () => cluster.stop() };
}

/**
 * VACUUM (ANALYZE) the tables autovacuum would vacuum now (dead rows over 50 + 20% of live rows).
 * A bench database lives in a PostgreSQL that runs only while a bench does, so autovacuum may never
 * have caught up with the load's updates: on the 1M API database, 816,000 dead `target` rows made
 * the first page of the name index cost 3,001 buffers instead of 54, for both sides of the bench.
 */
export async function vacuumWhereDue(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const due = await c.query<{ table: string; dead: string }>(
      `select quote_ident(schemaname) || '.' || quote_ident(relname) as table, n_dead_tup::text as dead
         from pg_stat_user_tables where n_dead_tup > 50 + 0.2 * n_live_tup order by relname`,
    );
    for (const { table, dead } of due.rows) {
      const t = Date.now();
      await c.query(`vacuum (analyze) ${table}`);
      console.log(
        `vacuumed ${table} (${dead} dead rows, as autovacuum would) in ${((Date.now() - t) / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    await c.end();
  }
}

/**
 * The URL of database `name`, loaded: reused when its comment equals `marker` (unless `fresh`),
 * else dropped, created, migrated when `migrateFirst`, loaded by `load`, and marked.
 */
export async function loadedBenchDatabase(
  adminUrl: string,
  opts: {
    name: string;
    marker: string;
    fresh: boolean;
    migrateFirst: boolean;
    what: string;
    load(url: string): Promise<void>;
  },
): Promise<string> {
  const u = new URL(adminUrl);
  u.pathname = `/${opts.name}`;
  const url = u.toString();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const r = await admin.query<{ comment: string | null }>(
      `select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1`,
      [opts.name],
    );
    if (!opts.fresh && r.rows[0]?.comment === opts.marker) {
      console.log(`reusing the loaded bench database ${opts.name} (--fresh reloads)`);
      if (opts.migrateFirst) await migrate(url);
      await vacuumWhereDue(url);
      return url;
    }
    await admin.query(`drop database if exists ${opts.name} with (force)`);
    await admin.query(`create database ${opts.name}`);
    if (opts.migrateFirst) await migrate(url);
    const t = Date.now();
    console.log(`loading ${opts.what} (first run only) …`);
    await opts.load(url);
    await vacuumWhereDue(url);
    await admin.query(`comment on database ${opts.name} is '${opts.marker}'`);
    console.log(`loaded in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    return url;
  } finally {
    await admin.end();
  }
}
