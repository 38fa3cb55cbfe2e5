import { Migration } from '@mikro-orm/migrations';

/**
 * Business events held back from a partner because the subject target has no usable USCC yet (the
 * commerce XSD and culture JSON Schema require one). The business change still commits; the event
 * is released — encoded, signed and queued — once the target's USCC is corrected.
 */
export class Migration20261128014000_exchange_held extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "exchange_held_event" (
      "id" uuid primary key, "partner_code" varchar(16) not null references "exchange_partner" ("code"),
      "message_type" varchar(40) not null, "event_type" varchar(32) not null, "source_id" varchar(128) not null,
      "subject_key" varchar(128) not null, "target_id" uuid not null, "event" jsonb not null,
      "reason" varchar(40) not null, "created_at" timestamptz not null default now(),
      "released_at" timestamptz null, "message_id" uuid null);`);
    this.addSql(
      `create index "exchange_held_event_open_index" on "exchange_held_event" ("target_id") where "released_at" is null;`,
    );
    this.addSql(`grant select, insert, update on "exchange_held_event" to shuangsui_app;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "exchange_held_event";`);
  }
}
