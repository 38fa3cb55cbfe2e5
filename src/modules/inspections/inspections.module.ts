import type { EntityManager } from '@mikro-orm/postgresql';
import type { PlatformModule } from '../../modules.js';
import type { OutboxPort } from '../exchange/outbox-port.js';
import { evidenceRoutes } from './evidence.routes.js';
import { SYSTEM_ACTOR } from './inspection.service.js';

/**
 * Inspections, publication, appeals, referrals, credit and documents: binds the exchange hub's
 * outbox when it is installed, registers the daily clocks job, and mounts the evidence and
 * document routes.
 */
export const inspectionsModule: PlatformModule = {
  name: 'inspections',
  async setup(rt) {
    const services = rt.services as unknown as { outbox?: OutboxPort };
    rt.services.inspections.attachOutbox(() => services.outbox);
    if (!services.outbox)
      rt.log.info('inspections: no outbox service yet; business events are logged, not sent');
    rt.services.scheduler.register({
      name: 'inspections:clocks',
      cron: '15 1 * * *',
      run: async ({ log }) => {
        const em = rt.orm.em.fork() as EntityManager;
        const measures = await rt.services.inspections.runClocks(em);
        const expired = await rt.services.credit.expire(em, SYSTEM_ACTOR);
        log.info({ ...measures, expired }, 'inspection clocks run');
        return { ...measures, expired };
      },
    });
  },
  routes(app, rt) {
    evidenceRoutes(app, rt);
  },
};
