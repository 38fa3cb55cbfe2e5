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
      return url;
    }
    await admin.query(`drop database if exists ${opts.name} with (force)`);
    await admin.query(`create database ${opts.name}`);
    if (opts.migrateFirst) await migrate(url);
    const t = Date.now();
    console.log(`loading ${opts.what} (first run only) …`);
    await opts.load(url);
    await admin.query(`comment on database ${opts.name} is '${opts.marker}'`);
    console.log(`loaded in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    return url;
  } finally {
    await admin.end();
  }
}
