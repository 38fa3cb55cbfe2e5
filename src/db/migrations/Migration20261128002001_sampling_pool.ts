import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes for the plan pool query (src/modules/sampling/pool-sql.ts): related persons of every
 * target in id order as an index-only scan (`target_id, person_id` with `until` for the validity filter).
 */
export class Migration20261128002001_sampling_pool extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index if not exists "target_person_pool_index" on "target_person" ("target_id", "person_id") include ("until");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "target_person_pool_index";`);
  }
}
