import { Migration } from '@mikro-orm/migrations';

/**
 * Exchange hub: partners and their keys, our signing keys, routing rules, the outbox with every attempt,
 * credit records, the inbox with intake records, the hash-chained message log and partner health.
 */
export class Migration20261128004000_exchange extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create type "exchange_message_status" as enum ('PENDING', 'SENDING', 'DELIVERED', 'DEAD', 'SUPERSEDED');`,
    );
    this.addSql(`create type "exchange_credit_status" as enum ('PENDING', 'BATCHED', 'DELIVERED', 'DEAD');`);
    this.addSql(`create type "exchange_inbound_status" as enum ('ACCEPTED', 'REJECTED');`);
    this.addSql(
      `create type "exchange_intake_status" as enum ('PENDING', 'ACCEPTED', 'DECLINED', 'PASSED_ON');`,
    );
    this.addSql(`create table "exchange_partner" (
      "code" varchar(16) primary key, "name" text not null, "receiver_code" varchar(18) not null unique,
      "base_url" text null, "kind" varchar(16) not null, "timeout_ms" int not null default 15000,
      "maintenance" jsonb not null default '[]', "enabled" boolean not null default true,
      "updated_at" timestamptz not null default now());`);
    this.addSql(`create table "exchange_partner_key" (
      "id" bigserial primary key, "partner_code" varchar(16) not null references "exchange_partner" ("code"),
      "key_id" varchar(64) not null, "public_key_pem" text not null, "valid_from" timestamptz not null,
      "valid_to" timestamptz null, unique ("partner_code", "key_id"));`);
    this.addSql(`create table "exchange_signing_key" (
      "key_id" varchar(64) primary key, "private_key_path" text not null, "public_key_pem" text not null,
      "valid_from" timestamptz not null, "valid_to" timestamptz null, "registered_at" timestamptz not null default now());`);
    this.addSql(`create table "exchange_route" (
      "id" bigserial primary key, "event_type" varchar(32) not null, "category" varchar(32) not null,
      "partner_code" varchar(16) not null references "exchange_partner" ("code"), "message_type" varchar(40) not null,
      "enabled" boolean not null default true, "updated_at" timestamptz not null default now(),
      unique ("event_type", "category", "partner_code", "message_type"));`);
    this.addSql(`create table "exchange_message" (
      "id" uuid primary key, "seq" bigserial not null unique, "partner_code" varchar(16) not null references "exchange_partner" ("code"),
      "message_type" varchar(40) not null, "event_type" varchar(32) null, "source_id" varchar(128) null,
      "subject_key" varchar(128) not null, "region_code" varchar(6) not null default '350322',
      "content_type" varchar(64) not null, "body" bytea not null, "body_sm3" char(64) not null,
      "signature" text null, "key_id" varchar(64) null, "status" "exchange_message_status" not null default 'PENDING',
      "attempts" int not null default 0, "next_attempt_at" timestamptz not null default now(),
      "lease_until" timestamptz null, "lease_owner" varchar(64) null, "receipt_no" varchar(64) null,
      "last_error" text null, "dead_reason" text null, "correlation_id" varchar(64) null, "replaces" uuid null,
      "record_ids" jsonb null, "feedback" jsonb null, "feedback_message_id" uuid null,
      "created_at" timestamptz not null default now(), "first_attempt_at" timestamptz null,
      "delivered_at" timestamptz null, "dead_at" timestamptz null);`);
    this.addSql(
      `create index "exchange_message_ready_index" on "exchange_message" ("next_attempt_at", "seq") where status in ('PENDING', 'SENDING');`,
    );
    this.addSql(
      `create index "exchange_message_subject_index" on "exchange_message" ("partner_code", "subject_key", "seq") where status in ('PENDING', 'SENDING');`,
    );
    this.addSql(
      `create index "exchange_message_list_index" on "exchange_message" ("partner_code", "status", "created_at");`,
    );
    this.addSql(`create index "exchange_message_subject_all_index" on "exchange_message" ("subject_key");`);
    this.addSql(`create index "exchange_message_created_index" on "exchange_message" ("created_at", "id");`);
    this.addSql(`create table "exchange_attempt" (
      "id" bigserial primary key, "message_id" uuid not null references "exchange_message" ("id"),
      "at" timestamptz not null, "http_status" int null, "duration_ms" int not null, "outcome" varchar(16) not null,
      "error" text null, "response" text null, "key_id" varchar(64) null);`);
    this.addSql(`create index "exchange_attempt_message_index" on "exchange_attempt" ("message_id", "id");`);
    this.addSql(`create table "exchange_credit_record" (
      "record_id" varchar(64) primary key, "seq" bigserial not null unique, "kind" varchar(24) not null,
      "source_id" varchar(128) not null, "subject_key" varchar(128) not null, "region_code" varchar(6) not null default '350322',
      "person_id" varchar(64) null, "payload" jsonb not null, "hold_until" date null,
      "status" "exchange_credit_status" not null default 'PENDING', "batch_message_id" uuid null references "exchange_message" ("id"),
      "credit_no" varchar(64) null, "reason" text null, "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now());`);
    this.addSql(
      `create index "exchange_credit_record_pending_index" on "exchange_credit_record" ("seq") where status = 'PENDING';`,
    );
    this.addSql(
      `create index "exchange_credit_record_batch_index" on "exchange_credit_record" ("batch_message_id");`,
    );
    this.addSql(`create table "exchange_inbound" (
      "id" bigserial primary key, "message_id" varchar(64) null, "message_type" varchar(40) null,
      "partner_code" varchar(16) null, "sender_code" varchar(18) not null, "content_type" varchar(64) not null,
      "body" bytea not null, "body_sm3" char(64) not null, "signature" text not null, "key_id" varchar(64) not null,
      "status" "exchange_inbound_status" not null, "receipt_no" varchar(64) null, "errors" jsonb null,
      "correlation_id" varchar(64) null, "received_at" timestamptz not null default now());`);
    this.addSql(
      `create unique index "exchange_inbound_accepted_unique" on "exchange_inbound" ("message_id") where status = 'ACCEPTED';`,
    );
    this.addSql(`create table "exchange_intake" (
      "id" bigserial primary key, "inbound_id" bigint not null references "exchange_inbound" ("id"),
      "inbound_message_id" varchar(64) not null, "referral_no" varchar(128) not null,
      "partner_code" varchar(16) not null, "referring_code" varchar(18) not null, "referring_name" text not null,
      "region_code" varchar(6) not null default '350322', "subject_name" text not null, "subject_uscc" varchar(18) null,
      "subject_id_enc" text null, "subject_id_index" varchar(64) null, "subject_id_masked" varchar(32) null,
      "suspected_kind" varchar(16) not null, "suspected_text" text not null, "facts" text not null,
      "legal_basis" text not null, "evidence" jsonb not null, "referred_on" date not null,
      "received_at" timestamptz not null, "decide_by" date not null,
      "status" "exchange_intake_status" not null default 'PENDING', "decision_reason" text null,
      "case_no" varchar(128) null, "passed_to" jsonb null, "decided_at" timestamptz null, "decided_by" varchar(64) null,
      "decision_message_id" uuid null);`);
    this.addSql(`create index "exchange_intake_status_index" on "exchange_intake" ("status", "decide_by");`);
    this.addSql(`create table "exchange_log" (
      "id" bigserial primary key, "at" timestamptz not null, "direction" varchar(3) not null,
      "message_id" varchar(64) not null, "partner_code" varchar(16) null, "message_type" varchar(40) null,
      "event" varchar(16) not null, "body_sm3" char(64) null, "signature" text null, "key_id" varchar(64) null,
      "receipt_no" varchar(64) null, "detail" text null, "prev_hash" char(64) not null, "hash" char(64) not null);`);
    this.addSql(`create index "exchange_log_message_index" on "exchange_log" ("message_id");`);
    this.addSql(`create table "exchange_partner_health" (
      "partner_code" varchar(16) primary key references "exchange_partner" ("code"),
      "consecutive_failures" int not null default 0, "circuit_open_until" timestamptz null,
      "last_success_at" timestamptz null, "last_failure_at" timestamptz null, "last_error" text null);`);
    this.addSql(`insert into "exchange_partner" ("code", "name", "receiver_code", "kind") values
      ('COMMERCE', '仙游县市场监督管理局', '11350322MB00000005', 'XML'),
      ('CULTURE', '仙游县文化体育和旅游局', '11350322MB11111166', 'JSON'),
      ('CREDIT', '公共信用信息平台', '11350300MB22222219', 'CREDIT'),
      ('PORTAL', '仙游县人民政府网站', '11350322MB33333330', 'PORTAL');`);
    this.addSql(
      `insert into "exchange_partner_health" ("partner_code") select "code" from "exchange_partner";`,
    );
    // DESIGN.md "Result routing" (seed §二(三)); ADMIN edits these rows afterwards.
    const rows: [string, string, string, string][] = [];
    for (const c of ['ENTERTAINMENT', 'HOTEL', 'AUTO_REPAIR', 'SEAL_ENGRAVING', 'PAWN']) {
      rows.push(['INSPECTION_RESULT', c, 'COMMERCE', 'INSPECTION_RESULT_NOTICE']);
      rows.push(['INSPECTION_RESULT', c, 'CULTURE', 'INSPECTION_RESULT_NOTICE']);
      rows.push(['PUBLICATION_ARTICLE', c, 'PORTAL', 'ARTICLE']);
      rows.push(['PUBLICATION_WITHDRAWN', c, 'PORTAL', 'ARTICLE']);
    }
    for (const c of ['SECURITY_SERVICE', 'SECURITY_TRAINING', 'ARMED_ESCORT']) {
      rows.push(['INSPECTION_RESULT', c, 'COMMERCE', 'INSPECTION_RESULT_NOTICE']);
      rows.push(['PUBLICATION_ARTICLE', c, 'PORTAL', 'ARTICLE']);
      rows.push(['PUBLICATION_WITHDRAWN', c, 'PORTAL', 'ARTICLE']);
    }
    for (const c of ['FIRE_SAFETY_KEY', 'FIRE_SAFETY_GENERAL']) {
      rows.push(['PUBLICATION_ARTICLE', c, 'PORTAL', 'ARTICLE']);
      rows.push(['PUBLICATION_WITHDRAWN', c, 'PORTAL', 'ARTICLE']);
    }
    rows.push(['INSPECTION_RESULT', 'INTERNET_CAFE', 'CULTURE', 'INSPECTION_RESULT_NOTICE']);
    rows.push(['BLACKLIST_NOTICE', 'INTERNET_CAFE', 'CULTURE', 'BLACKLIST_NOTICE']);
    for (const k of ['CREDIT_RECORD', 'BLACKLIST_ADD', 'BLACKLIST_REMOVE']) {
      rows.push([k, 'INTERNET_CAFE', 'CREDIT', k]);
    }
    rows.push(['CASE_REFERRAL', '*', 'COMMERCE', 'CASE_REFERRAL']);
    rows.push(['CASE_REFERRAL', '*', 'CULTURE', 'CASE_REFERRAL']);
    rows.push(['PENALTY_PUBLICITY', '*', 'COMMERCE', 'PENALTY_PUBLICITY']);
    rows.push(['REFERRAL_DECISION', '*', 'COMMERCE', 'REFERRAL_DECISION']);
    rows.push(['REFERRAL_DECISION', '*', 'CULTURE', 'REFERRAL_DECISION']);
    this.addSql(
      `insert into "exchange_route" ("event_type", "category", "partner_code", "message_type") values ${rows
        .map((r) => `(${r.map((v) => `'${v}'`).join(', ')})`)
        .join(', ')};`,
    );
    for (const t of [
      'exchange_partner',
      'exchange_partner_key',
      'exchange_signing_key',
      'exchange_route',
      'exchange_message',
      'exchange_credit_record',
      'exchange_intake',
      'exchange_partner_health',
    ]) {
      this.addSql(`grant select, insert, update, delete on ${t} to shuangsui_app;`);
    }
    // Attempts, the inbox and the message log are append-only for the application (retention runs as owner).
    for (const t of ['exchange_attempt', 'exchange_inbound', 'exchange_log']) {
      this.addSql(`grant select, insert on ${t} to shuangsui_app;`);
    }
    for (const s of [
      'exchange_partner_key_id_seq',
      'exchange_route_id_seq',
      'exchange_message_seq_seq',
      'exchange_attempt_id_seq',
      'exchange_credit_record_seq_seq',
      'exchange_inbound_id_seq',
      'exchange_intake_id_seq',
      'exchange_log_id_seq',
    ]) {
      this.addSql(`grant usage, select on sequence ${s} to shuangsui_app;`);
    }
    this.addSql(`create or replace function exchange_message_notify() returns trigger language plpgsql as $$
      begin perform pg_notify('exchange_outbox', ''); return null; end $$;`);
    this.addSql(`create trigger exchange_message_notify after insert on exchange_message
      for each statement execute function exchange_message_notify();`);
  }
}
