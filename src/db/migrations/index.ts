import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261128000413_init } from './Migration20261128000413_init.js';
import { Migration20261128000500_security } from './Migration20261128000500_security.js';
import { Migration20261128001000_jobs } from './Migration20261128001000_jobs.js';
import { Migration20261128006000_protection } from './Migration20261128006000_protection.js';
import { Migration20261128004000_exchange } from './Migration20261128004000_exchange.js';
import { Migration20261128002000_sampling } from './Migration20261128002000_sampling.js';
import { Migration20261128003000_sync } from './Migration20261128003000_sync.js';
import { Migration20261128005000_inspections } from './Migration20261128005000_inspections.js';
import { Migration20261128007000_documents } from './Migration20261128007000_documents.js';
import { Migration20261128009000_target_sort_indexes } from './Migration20261128009000_target_sort_indexes.js';
import { Migration20261128002001_sampling_pool } from './Migration20261128002001_sampling_pool.js';
import { Migration20261128009100_target_live_indexes } from './Migration20261128009100_target_live_indexes.js';
import { Migration20261128009200_last_inspection_index } from './Migration20261128009200_last_inspection_index.js';
import { Migration20261128013000_draw_seed_sealed_bulk_events } from './Migration20261128013000_draw_seed_sealed_bulk_events.js';
import { Migration20261128014000_exchange_held } from './Migration20261128014000_exchange_held.js';
import { Migration20261128015000_keyset_millisecond_timestamps } from './Migration20261128015000_keyset_millisecond_timestamps.js';
import { Migration20261128011000_sync_analyze } from './Migration20261128011000_sync_analyze.js';
import { Migration20261128017000_target_rollup } from './Migration20261128017000_target_rollup.js';
import { Migration20261128018000_target_index_trim } from './Migration20261128018000_target_index_trim.js';
import { Migration20261128019000_target_rollup_shards } from './Migration20261128019000_target_rollup_shards.js';
import { Migration20261129010000_roster_bulk_load } from './Migration20261129010000_roster_bulk_load.js';
// @register:migration-imports

/** Migrations listed explicitly (globbing fails under vitest; see STACK.md). Never edit one after it lands. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261128000413_init', class: Migration20261128000413_init },
  { name: 'Migration20261128000500_security', class: Migration20261128000500_security },
  { name: 'Migration20261128001000_jobs', class: Migration20261128001000_jobs },
  { name: 'Migration20261128002000_sampling', class: Migration20261128002000_sampling },
  { name: 'Migration20261128002001_sampling_pool', class: Migration20261128002001_sampling_pool },
  { name: 'Migration20261128003000_sync', class: Migration20261128003000_sync },
  { name: 'Migration20261128004000_exchange', class: Migration20261128004000_exchange },
  { name: 'Migration20261128005000_inspections', class: Migration20261128005000_inspections },
  { name: 'Migration20261128006000_protection', class: Migration20261128006000_protection },
  { name: 'Migration20261128007000_documents', class: Migration20261128007000_documents },
  { name: 'Migration20261128009000_target_sort_indexes', class: Migration20261128009000_target_sort_indexes },
  { name: 'Migration20261128009100_target_live_indexes', class: Migration20261128009100_target_live_indexes },
  {
    name: 'Migration20261128009200_last_inspection_index',
    class: Migration20261128009200_last_inspection_index,
  },
  { name: 'Migration20261128011000_sync_analyze', class: Migration20261128011000_sync_analyze },
  {
    name: 'Migration20261128013000_draw_seed_sealed_bulk_events',
    class: Migration20261128013000_draw_seed_sealed_bulk_events,
  },
  { name: 'Migration20261128014000_exchange_held', class: Migration20261128014000_exchange_held },
  {
    name: 'Migration20261128015000_keyset_millisecond_timestamps',
    class: Migration20261128015000_keyset_millisecond_timestamps,
  },
  { name: 'Migration20261128017000_target_rollup', class: Migration20261128017000_target_rollup },
  { name: 'Migration20261128018000_target_index_trim', class: Migration20261128018000_target_index_trim },
  {
    name: 'Migration20261128019000_target_rollup_shards',
    class: Migration20261128019000_target_rollup_shards,
  },
  { name: 'Migration20261129010000_roster_bulk_load', class: Migration20261129010000_roster_bulk_load },
  // @register:migrations (keep timestamp order)
];
