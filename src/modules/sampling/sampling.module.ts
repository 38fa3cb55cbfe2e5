import type { PlatformModule } from '../../modules.js';
import { Role, type Principal } from '../../graphql/auth.js';
import type { WorkCalendar } from '../calendar/working-days.js';

/** The job's actor in the audit log. */
const JOB_ACTOR: Principal = { sub: 'system:sampling-job', role: Role.ADMIN, dept: null, name: null };

/** Cron of `sampling:prepare-plans`: the 25th of each month, 02:00 Asia/Shanghai, for the next month. */
export const PREPARE_PLANS_CRON = '0 2 25 * *';

/**
 * Registers `sampling:prepare-plans` with the replica-safe scheduler: one claimed run per slot, a
 * missed slot caught up once at start, triggerable with `triggerJob`. Plans are idempotent per
 * department and period (unique index), so a retried run creates none twice.
 */
export const samplingModule: PlatformModule = {
  name: 'sampling',
  async setup(rt) {
    rt.services.scheduler.register({
      name: 'sampling:prepare-plans',
      cron: PREPARE_PLANS_CRON,
      leaseSeconds: 300,
      run: async ({ slot }) => {
        const em = rt.orm.em.fork() as Parameters<typeof rt.services.plans.prepareUpcoming>[0];
        let calendar: WorkCalendar | null;
        try {
          calendar = await rt.services.samplingRules.workCalendar(em);
        } catch {
          // An invalid calendar must not stop planning: the first day of the month is used then.
          calendar = null;
        }
        return rt.services.plans.prepareUpcoming(em, JOB_ACTOR, slot, slot, calendar);
      },
    });
  },
};
