import { Migration } from '@mikro-orm/migrations';

/**
 * Drops four `target` indexes that no query uses, because each roster write pays for every index:
 * - the partial `(name|updated_at|complaints90d, id) where archived_at is null` indexes duplicate
 *   the full `(…, id)` ones of `…009000_target_sort_indexes`. Measured on the 1,000,000-target demo:
 *   with them dropped, each roster page sort (live, by category, keyset continuation) walks the
 *   full index instead, in the same plan and time (within 1 ms);
 * - `region_code`: one value per deployment (one county), so the planner never picks it.
 * `target_live_jur_name_id_index` stays: it has no full twin and serves scoped roster pages.
 */
export class Migration20261128018000_target_index_trim extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index if exists target_live_name_id_index;`);
    this.addSql(`drop index if exists target_live_updated_id_index;`);
    this.addSql(`drop index if exists target_live_complaints_id_index;`);
    this.addSql(`drop index if exists target_region_code_index;`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index if not exists target_region_code_index on target (region_code);`);
    this.addSql(
      `create index if not exists target_live_complaints_id_index on target (complaints90d, id) where archived_at is null;`,
    );
    this.addSql(
      `create index if not exists target_live_updated_id_index on target (updated_at, id) where archived_at is null;`,
    );
    this.addSql(
      `create index if not exists target_live_name_id_index on target (name, id) where archived_at is null;`,
    );
  }
}
