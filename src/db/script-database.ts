import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { AppConfig } from '../config/config.js';
import type { Logger } from '../shared/logger.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { acquireInstanceLock } from './instance-lock.js';
import { migrate } from './orm.js';
import { AppError } from '../shared/errors.js';

/**
 * The database for a CLI script: DATABASE_URL; else the embedded database of a running
 * `npm start` (its URL file); else the embedded database started just for the script.
 */
export async function scriptDatabase(
  config: AppConfig,
  log: Logger,
): Promise<{ url: string; close(): Promise<void> }> {
  if (config.databaseUrl) return { url: config.databaseUrl, close: async () => undefined };
  const urlFile = path.join(config.dataDir, 'database-url');
  let lock: { release(): void } | null = null;
  try {
    lock = acquireInstanceLock(config.dataDir);
  } catch (e) {
    if (e instanceof AppError && e.code === 'ALREADY_RUNNING' && existsSync(urlFile)) {
      return { url: readFileSync(urlFile, 'utf8').trim(), close: async () => undefined };
    }
    throw e;
  }
  const cluster = await startEmbeddedPostgres({ dataDir: config.dataDir, log });
  const admin = new pg.Client({ connectionString: cluster.url('postgres') });
  await admin.connect();
  const exists = await admin.query(`select 1 from pg_database where datname = 'shuangsui'`);
  if (!exists.rowCount) await admin.query('create database shuangsui');
  await admin.end();
  const url = cluster.url('shuangsui');
  await migrate(url);
  return {
    url,
    close: async () => {
      await cluster.stop();
      lock?.release();
    },
  };
}
