import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import type { AppConfig } from './config/config.js';
import type { Logger } from './shared/logger.js';
import { startEmbeddedPostgres, type EmbeddedCluster } from './db/embedded-postgres.js';
import { acquireInstanceLock } from './db/instance-lock.js';
import { APP_ROLE, migrate, openOrm } from './db/orm.js';
import { buildServices, type Services } from './services.js';
import { createSchema } from './graphql/schema.js';
import { createServer, type RunningServer } from './graphql/server.js';
import { AppError } from './shared/errors.js';
import { seedDemoIfEmpty, seedReferenceDataIfEmpty } from './modules/seed/demo-loader.js';
import { MODULES, type ModuleRuntime } from './modules.js';

export interface Platform {
  port: number;
  databaseUrl: string;
  orm: MikroORM;
  services: Services;
  server: RunningServer;
  stop(): Promise<void>;
}

/** Creates the embedded cluster's application database if it does not exist. */
async function ensureDatabase(cluster: EmbeddedCluster, name: string): Promise<void> {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: cluster.url('postgres') });
  await client.connect();
  try {
    const r = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (r.rowCount === 0) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}

/**
 * Brings the platform up: database (embedded unless DATABASE_URL), migrations, demo county,
 * services, GraphQL over HTTP and WebSocket. `stop()` undoes it in reverse order.
 */
export async function startPlatform(
  config: AppConfig,
  log: Logger,
  hooks: { onQuery?: (sql: string) => void } = {},
): Promise<Platform> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (e) {
        log.warn({ err: e }, 'error while stopping');
      }
    }
  };
  try {
    let url = config.databaseUrl;
    if (!url) {
      const lock = acquireInstanceLock(config.dataDir);
      cleanups.push(() => lock.release());
      const cluster = await startEmbeddedPostgres({ dataDir: config.dataDir, log });
      cleanups.push(() => cluster.stop());
      await ensureDatabase(cluster, 'shuangsui');
      url = cluster.url('shuangsui');
      // Lets CLI scripts reach the running embedded database (owner-only file).
      writeFileSync(path.join(config.dataDir, 'database-url'), url + '\n', { mode: 0o600 });
      cleanups.push(() => rmSync(path.join(config.dataDir, 'database-url'), { force: true }));
    }
    const applied = await migrate(url);
    if (applied.length) log.info({ applied }, 'migrations applied');
    const orm = await openOrm({ url, useAppRole: true, onQuery: hooks.onQuery });
    cleanups.push(() => orm.close(true));
    const role = await orm.em
      .fork()
      .getConnection()
      .execute<{ current_user: string }[]>('select current_user');
    if (role[0]?.current_user !== APP_ROLE) {
      throw new AppError('DB_ROLE', `expected to run as ${APP_ROLE}, running as ${role[0]?.current_user}`);
    }
    const services = buildServices(config, { orm, databaseUrl: url, log });
    await services.eventBus.start();
    cleanups.push(() => services.eventBus.stop());
    await seedReferenceDataIfEmpty(url, log);
    if (config.demo) await seedDemoIfEmpty(orm, services, log, { scale: config.demoScale });
    const rt: ModuleRuntime = { config, orm, databaseUrl: url, services, log };
    for (const m of MODULES) {
      const undo = await m.setup?.(rt);
      if (undo) cleanups.push(undo);
    }
    const schema = await createSchema();
    const server = await createServer({
      schema,
      orm,
      services,
      log,
      jwtSecret: config.jwtSecret,
      introspection: config.introspection,
      bodyLimitBytes: config.bodyLimitBytes,
      extraRoutes: (app) => {
        for (const m of MODULES) m.routes?.(app, rt);
      },
    });
    cleanups.push(() => server.close());
    await services.scheduler.start();
    cleanups.push(() => services.scheduler.stop());
    const port = await server.listen(config.port, config.host);
    return { port, databaseUrl: url, orm, services, server, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
