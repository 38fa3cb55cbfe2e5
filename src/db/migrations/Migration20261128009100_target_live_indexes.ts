import { Migration } from '@mikro-orm/migrations';

/**
 * Roster lists filter `archived_at is null` and sort by name, last update or complaints with the
 * id as tie-breaker: partial indexes let a page read only its rows instead of sorting the roster.
 */
export class Migration20261128009100_target_live_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index if not exists target_live_name_id_index on target (name, id) where archived_at is null;`,
    );
    this.addSql(
      `create index if not exists target_live_updated_id_index on target (updated_at, id) where archived_at is null;`,
    );
    this.addSql(
      `create index if not exists target_live_complaints_id_index on target (complaints90d, id) where archived_at is null;`,
    );
    this.addSql(
      `create index if not exists target_live_jur_name_id_index on target (jurisdiction_code, name, id) where archived_at is null;`,
    );
  }
}
