import { Migration } from '@mikro-orm/migrations';

/** Keyset pagination indexes for the roster's sort orders (name, last update, complaints). */
export class Migration20261128009000_target_sort_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index if not exists target_name_id_index on target (name, id);`);
    this.addSql(`create index if not exists target_updated_at_id_index on target (updated_at, id);`);
    this.addSql(`create index if not exists target_complaints_id_index on target (complaints90d, id);`);
    this.addSql(`create index if not exists inspector_police_no_id_index on inspector (police_no, id);`);
  }
}
