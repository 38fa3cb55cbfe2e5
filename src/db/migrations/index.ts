import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261128000413_init } from './Migration20261128000413_init.js';
import { Migration20261128000500_security } from './Migration20261128000500_security.js';
import { Migration20261128001000_jobs } from './Migration20261128001000_jobs.js';
// @register:migration-imports

/** Migrations listed explicitly (globbing fails under vitest; see STACK.md). Never edit one after it lands. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261128000413_init', class: Migration20261128000413_init },
  { name: 'Migration20261128000500_security', class: Migration20261128000500_security },
  { name: 'Migration20261128001000_jobs', class: Migration20261128001000_jobs },
  // @register:migrations (keep timestamp order)
];
