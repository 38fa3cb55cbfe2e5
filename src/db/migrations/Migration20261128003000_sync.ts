import { Migration } from '@mikro-orm/migrations';

/**
 * Inbound sync: committed cursors per adapter, run records, quarantined records (raw bytes
 * SM4-encrypted), the seen-set of a full resync, and content-hash columns on target and person so
 * an unchanged record writes nothing.
 */
export class Migration20261128003000_sync extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "sync_run_status" as enum ('RUNNING', 'DONE', 'FAILED');`);
    this.addSql(`create table "sync_cursor" (
      "adapter" varchar(32) primary key,
      "region_code" varchar(6) not null,
      "cursor" text null,
      "resync_open" boolean not null default false,
      "updated_at" timestamptz not null default now());`);
    this.addSql(`create table "sync_run" (
      "id" bigserial primary key,
      "adapter" varchar(32) not null,
      "region_code" varchar(6) not null,
      "status" "sync_run_status" not null default 'RUNNING',
      "manual" boolean not null default false,
      "started_at" timestamptz not null default now(),
      "finished_at" timestamptz null,
      "duration_ms" int null,
      "cursor_before" text null,
      "cursor_after" text null,
      "batches" int not null default 0,
      "fetched" int not null default 0,
      "inserted" int not null default 0,
      "updated" int not null default 0,
      "unchanged" int not null default 0,
      "deleted" int not null default 0,
      "quarantined" int not null default 0,
      "staff_joined" int not null default 0,
      "staff_left" int not null default 0,
      "warnings" int not null default 0,
      "error_code" varchar(32) null,
      "error" text null);`);
    this.addSql(`create index "sync_run_adapter_id_index" on "sync_run" ("adapter", "id");`);
    this.addSql(`create table "sync_quarantine" (
      "id" bigserial primary key,
      "adapter" varchar(32) not null,
      "region_code" varchar(6) not null,
      "source_id" varchar(128) null,
      "reason" text not null,
      "raw_enc" text not null,
      "raw_digest" varchar(64) not null,
      "raw_bytes" int not null,
      "first_run_id" bigint not null,
      "last_run_id" bigint not null,
      "seen_count" int not null default 1,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now());`);
    this.addSql(
      `alter table "sync_quarantine" add constraint "sync_quarantine_adapter_raw_digest_unique" unique ("adapter", "raw_digest");`,
    );
    this.addSql(`create index "sync_quarantine_adapter_id_index" on "sync_quarantine" ("adapter", "id");`);
    this.addSql(`create table "sync_resync_seen" (
      "adapter" varchar(32) not null,
      "kind" varchar(8) not null,
      "key" varchar(200) not null,
      constraint "sync_resync_seen_pkey" primary key ("adapter", "kind", "key"));`);
    this.addSql(`alter table "target" add column "sync_hash" varchar(64) null;`);
    this.addSql(`alter table "person" add column "sync_hash" varchar(64) null;`);
    for (const t of ['sync_cursor', 'sync_run', 'sync_quarantine', 'sync_resync_seen']) {
      this.addSql(`grant select, insert, update, delete on "${t}" to shuangsui_app;`);
    }
    this.addSql(`grant usage, select on sequence "sync_run_id_seq" to shuangsui_app;`);
    this.addSql(`grant usage, select on sequence "sync_quarantine_id_seq" to shuangsui_app;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "person" drop column if exists "sync_hash";`);
    this.addSql(`alter table "target" drop column if exists "sync_hash";`);
    this.addSql(`drop table if exists "sync_resync_seen";`);
    this.addSql(`drop table if exists "sync_quarantine";`);
    this.addSql(`drop table if exists "sync_run";`);
    this.addSql(`drop table if exists "sync_cursor";`);
    this.addSql(`drop type if exists "sync_run_status";`);
  }
}
