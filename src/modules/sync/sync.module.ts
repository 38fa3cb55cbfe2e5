import type { ModuleRuntime, PlatformModule } from '../../modules.js';
import {
  buildSources,
  startSourceSimulators,
  writeSimulatorEndpoints,
  type SourceSimulators,
} from './sync-sources.js';
import { mountRosterUpload } from './roster-upload.route.js';

/**
 * Inbound integration: configures the source adapters (from config, or in the demo the three
 * source simulators started here on loopback ports), registers one replica-safe job per adapter,
 * starts a first sync in the background when simulating, and mounts the roster upload route.
 */
export const syncModule: PlatformModule = {
  name: 'sync',
  async setup(rt: ModuleRuntime) {
    const log = rt.log.child({ module: 'sync' });
    let sims: SourceSimulators | null = null;
    let forget: (() => void) | null = null;
    if (rt.config.simulators) {
      sims = await startSourceSimulators({ demoScale: rt.config.demoScale });
      forget = writeSimulatorEndpoints(rt.config.dataDir, sims.endpoints);
      log.info(
        {
          hotel: sims.endpoints.hotel.url,
          entertainment: sims.endpoints.entertainment.url,
          cafe: sims.endpoints['internet-cafe'].url,
        },
        'source simulators started',
      );
    }
    rt.services.sync.useScheduler(rt.services.scheduler);
    const sources = buildSources(rt.config.sync, log, sims?.endpoints);
    for (const s of sources) rt.services.sync.configure(s.adapter, s.cron);
    if (sims) {
      for (const s of sources) {
        void rt.services.sync
          .triggerInBackground(s.adapter.id)
          .catch((e: unknown) => log.warn({ err: e, adapter: s.adapter.id }, 'first sync not started'));
      }
    }
    return async () => {
      forget?.();
      await Promise.all(sources.map((s) => s.close?.()));
      await sims?.close();
    };
  },
  routes(app, rt) {
    mountRosterUpload(app, rt);
  },
};
