import type { PlatformModule } from '../../modules.js';
import type { EntityManager } from '@mikro-orm/postgresql';

/** Schedules the daily anonymisation of personal data past its retention (03:10 Asia/Shanghai). */
export const piiModule: PlatformModule = {
  name: 'pii',
  async setup(rt) {
    rt.services.scheduler.register({
      name: 'pii:retention',
      cron: '10 3 * * *',
      run: async ({ slot }) =>
        rt.services.retention.anonymiseExpired(rt.orm.em.fork() as EntityManager, slot),
    });
  },
};
