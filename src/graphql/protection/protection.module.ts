import type { PlatformModule } from '../../modules.js';

/** Starts the periodic flush of unknown-operation counts (trusted documents in audit/enforce mode). */
export const protectionModule: PlatformModule = {
  name: 'protection',
  async setup(rt) {
    return rt.services.protection.start();
  },
};
