import type { MikroORM } from '@mikro-orm/core';
import type { AppConfig } from '../../config/config.js';
import { openOrm } from '../../db/orm.js';
import { scriptDatabase } from '../../db/script-database.js';
import { buildServices, type Services } from '../../services.js';
import type { Logger } from '../../shared/logger.js';
import { buildSources, readSimulatorEndpoints } from './sync-sources.js';

/** What the sync and import scripts work with. */
export interface SyncCliRuntime {
  orm: MikroORM;
  services: Services;
  close(): Promise<void>;
}

/**
 * Opens the database (DATABASE_URL, a running `npm start`'s embedded one, or its own), the ORM as
 * the application role, and the services, with every configured source adapter registered (a
 * running demo's simulators when no URL is configured). Schedules are not started.
 */
export async function openSyncCli(config: AppConfig, log: Logger): Promise<SyncCliRuntime> {
  const db = await scriptDatabase(config, log);
  const orm = await openOrm({ url: db.url, useAppRole: true, poolMax: 4 });
  const services = buildServices(config, { orm, databaseUrl: db.url, log });
  services.sync.useScheduler(services.scheduler);
  for (const s of buildSources(config.sync, log, readSimulatorEndpoints(config.dataDir))) {
    services.sync.configure(s.adapter, s.cron);
  }
  return {
    orm,
    services,
    close: async () => {
      await orm.close(true);
      await db.close();
    },
  };
}
