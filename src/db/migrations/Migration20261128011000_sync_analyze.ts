import { Migration } from '@mikro-orm/migrations';

/**
 * Lets the sync engine refresh planner statistics of the roster tables it fills (PostgreSQL 17+
 * MAINTAIN privilege: ANALYZE, nothing else). A first sync grows these tables from nothing to
 * millions of rows faster than autovacuum re-analyzes them; with the stale "empty table" estimates
 * the planner answers per-row lookups with sequential scans, and a batch slows from milliseconds to
 * seconds.
 */
export class Migration20261128011000_sync_analyze extends Migration {
  override async up(): Promise<void> {
    this.addSql(`grant maintain on table target, person, target_person to shuangsui_app;`);
  }

  override async down(): Promise<void> {
    this.addSql(`revoke maintain on table target, person, target_person from shuangsui_app;`);
  }
}
