import { Migration } from '@mikro-orm/migrations';

/**
 * GraphQL protection: the trusted-documents allowlist (operations front-end teams register) and the
 * per-client counters of unknown operations seen in audit mode.
 */
export class Migration20261128006000_protection extends Migration {
  override async up(): Promise<void> {
    this
      .addSql(`create table "trusted_document" ("id" bigserial primary key, "client_name" varchar(64) not null,
      "name" varchar(128) not null, "sha256" varchar(64) not null, "sm3" varchar(64) not null, "document" text not null,
      "created_by" varchar(64) not null, "created_at" timestamptz not null default now());`);
    this.addSql(
      `alter table "trusted_document" add constraint "trusted_document_client_sha256_unique" unique ("client_name", "sha256");`,
    );
    this.addSql(`create index "trusted_document_sha256_index" on "trusted_document" ("sha256");`);
    this.addSql(`create index "trusted_document_sm3_index" on "trusted_document" ("sm3");`);
    this.addSql(`grant select, insert on trusted_document to shuangsui_app;`);
    this.addSql(`grant usage, select on sequence trusted_document_id_seq to shuangsui_app;`);
    this
      .addSql(`create table "unknown_operation" ("client_name" varchar(64) not null, "sha256" varchar(64) not null,
      "operation_name" varchar(128) null, "count" bigint not null, "first_seen" timestamptz not null,
      "last_seen" timestamptz not null, constraint "unknown_operation_pkey" primary key ("client_name", "sha256"));`);
    this.addSql(`grant select, insert, update, delete on unknown_operation to shuangsui_app;`);
  }
}
