import os from 'node:os';
import path from 'node:path';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../src/db/embedded-postgres.js';
import { migrate } from '../src/db/orm.js';
import { createLogger } from '../src/shared/logger.js';

export const TEMPLATE_DB = 'shuangsui_template';

let cluster: EmbeddedCluster | null = null;
let dir: string | null = null;

/**
 * Starts one PostgreSQL for the whole run (embedded, or the server at DATABASE_URL), migrates a
 * template database once; each test file clones it (see test/support/db.ts).
 */
export default async function setup(project: TestProject) {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shuangsui-test-'));
    chmodSync(dir, 0o755);
    cluster = await startEmbeddedPostgres({ dataDir: dir, log, persistent: false });
    adminUrl = cluster.url('postgres');
  }
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`drop database if exists ${TEMPLATE_DB}`);
  await client.query(`create database ${TEMPLATE_DB}`);
  await client.end();
  const u = new URL(adminUrl);
  u.pathname = `/${TEMPLATE_DB}`;
  await migrate(u.toString());
  project.provide('adminUrl', adminUrl);
  return async () => {
    if (cluster) await cluster.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
  }
}
