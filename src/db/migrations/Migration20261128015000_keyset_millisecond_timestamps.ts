import { Migration } from '@mikro-orm/migrations';

/**
 * Timestamps that page lists by keyset (`updatedAt`, `createdAt`, `deadAt` cursors) are kept to the
 * millisecond. A cursor carries a JavaScript Date, which has milliseconds only: with microseconds
 * in the column, `updated_at > '…12:00:00.123'` also matched the row at `.123456` the page ended
 * on, so pages repeated (or, descending, skipped) rows. Rounding the stored value makes the cursor
 * exact; nothing here needs finer time than a millisecond.
 */
export class Migration20261128015000_keyset_millisecond_timestamps extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "target" alter column "updated_at" type timestamptz(3), alter column "created_at" type timestamptz(3);`,
    );
    this.addSql(`alter table "referral" alter column "created_at" type timestamptz(3);`);
    this.addSql(`alter table "blacklist_entry" alter column "created_at" type timestamptz(3);`);
    this.addSql(
      `alter table "exchange_message" alter column "created_at" type timestamptz(3), alter column "dead_at" type timestamptz(3);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table "target" alter column "updated_at" type timestamptz, alter column "created_at" type timestamptz;`,
    );
    this.addSql(`alter table "referral" alter column "created_at" type timestamptz;`);
    this.addSql(`alter table "blacklist_entry" alter column "created_at" type timestamptz;`);
    this.addSql(
      `alter table "exchange_message" alter column "created_at" type timestamptz, alter column "dead_at" type timestamptz;`,
    );
  }
}
