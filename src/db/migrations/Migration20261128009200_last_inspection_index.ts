import { Migration } from '@mikro-orm/migrations';

/** `Target.lastInspection`: one index probe per target for the newest inspection carried out. */
export class Migration20261128009200_last_inspection_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index if not exists inspection_target_last_index on inspection (target_id, inspected_on desc, id desc) where inspected_on is not null;`,
    );
  }
}
