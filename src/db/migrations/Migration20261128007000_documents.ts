import { Migration } from '@mikro-orm/migrations';

/**
 * Official documents (issue 4, item 8): one document per kind and subject, so a re-rendering
 * never takes a second number. The tables themselves come with the inspections migration.
 */
export class Migration20261128007000_documents extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create unique index "official_document_subject_unique" on "official_document" ("kind", "subject_id");`,
    );
  }
}
