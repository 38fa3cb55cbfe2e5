import type express from 'express';
import type { MikroORM } from '@mikro-orm/core';
import type { AppConfig } from './config/config.js';
import type { Logger } from './shared/logger.js';
import type { Services } from './services.js';
import { protectionModule } from './graphql/protection/protection.module.js';
import { webModule } from './modules/web/web.module.js';
import { exchangeModule } from './modules/exchange/exchange.module.js';
import { piiModule } from './modules/pii/pii.module.js';
import { samplingModule } from './modules/sampling/sampling.module.js';
import { syncModule } from './modules/sync/sync.module.js';
import { inspectionsModule } from './modules/inspections/inspections.module.js';
import { documentsModule } from './modules/documents/documents.module.js';
// @register:module-imports

/** What a platform module gets at start. */
export interface ModuleRuntime {
  config: AppConfig;
  orm: MikroORM;
  databaseUrl: string;
  services: Services;
  log: Logger;
}

/**
 * A domain module's hooks into the platform's start-up: register jobs, start demo simulators,
 * mount HTTP routes beside /graphql. `setup` may return a function that undoes it on stop.
 */
export interface PlatformModule {
  name: string;
  setup?(rt: ModuleRuntime): Promise<void | (() => Promise<void> | void)>;
  routes?(app: express.Express, rt: ModuleRuntime): void;
}

/** Modules in start order. */
export const MODULES: PlatformModule[] = [
  protectionModule,
  webModule,
  exchangeModule,
  piiModule,
  samplingModule,
  syncModule,
  inspectionsModule,
  documentsModule,
  // @register:modules
];
