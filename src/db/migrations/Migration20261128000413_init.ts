import { Migration } from '@mikro-orm/migrations';

export class Migration20261128000413_init extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "department_kind" as enum ('BRANCH', 'STATION', 'OFFICE');`);
    this.addSql(`create type "item_status" as enum ('DRAFT', 'PUBLISHED', 'UNPUBLISHED', 'ARCHIVED');`);
    this.addSql(`create type "inspector_status" as enum ('ACTIVE', 'ON_LEAVE', 'RETIRED');`);
    this.addSql(
      `create type "target_category" as enum ('HOTEL', 'ENTERTAINMENT', 'INTERNET_CAFE', 'AUTO_REPAIR', 'SEAL_ENGRAVING', 'PAWN', 'SECURITY_SERVICE', 'SECURITY_TRAINING', 'ARMED_ESCORT', 'FIREARMS_MAKER', 'FIREARMS_SELLER', 'FIREARMS_USER', 'BLASTING_COMMERCIAL', 'BLASTING_NONCOMMERCIAL', 'FIRE_SAFETY_KEY', 'FIRE_SAFETY_GENERAL');`,
    );
    this.addSql(`create type "target_status" as enum ('OPERATING', 'SUSPENDED', 'CLOSED', 'REVOKED');`);
    this.addSql(`create type "grade" as enum ('A', 'B', 'C');`);
    this.addSql(
      `create type "relationship_kind" as enum ('RELATIVE', 'FORMER_EMPLOYER', 'SHAREHOLDER', 'OTHER');`,
    );
    this.addSql(
      `create type "person_role" as enum ('LEGAL_REP', 'MANAGER', 'CASHIER', 'SECURITY', 'OTHER');`,
    );
    this.addSql(
      `create table "audit_event" ("id" bigserial primary key, "at" timestamptz not null, "actor_id" varchar(64) not null, "actor_role" varchar(16) not null, "actor_dept" varchar(16) null, "action" varchar(64) not null, "entity_type" varchar(64) not null, "entity_id" varchar(64) not null, "before_digest" varchar(64) null, "after_digest" varchar(64) null, "details" jsonb null, "prev_hash" varchar(64) not null, "hash" varchar(64) not null);`,
    );
    this.addSql(`create index "audit_event_entity_id_index" on "audit_event" ("entity_id");`);

    this.addSql(
      `create table "department" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "code" varchar(16) not null, "name" varchar(64) not null, "kind" "department_kind" not null, "org_code" varchar(12) not null, "parent_code" varchar(16) null, "region_code" varchar(6) not null, "jurisdiction_codes" text[] not null default '{}', "categories" text[] not null default '{}', "archived_at" timestamptz null, constraint "department_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "department" add constraint "department_code_unique" unique ("code");`);
    this.addSql(`create index "department_region_code_index" on "department" ("region_code");`);

    this.addSql(
      `create table "event_log" ("id" bigserial primary key, "at" timestamptz not null default now(), "topic" varchar(64) not null, "entity_type" varchar(64) not null, "entity_id" varchar(64) not null, "department_code" varchar(16) null, "jurisdiction_code" varchar(12) null, "recipient" varchar(16) null, "payload" jsonb not null);`,
    );
    this.addSql(`create index "event_log_topic_id_index" on "event_log" ("topic", "id");`);

    this.addSql(
      `create table "inspection_item" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "code" varchar(32) not null, "status" "item_status" not null default 'DRAFT', "current_version" int not null default 1, "published_version" int null, "published_at" timestamptz null, "department_code" varchar(16) not null, constraint "inspection_item_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "inspection_item" add constraint "inspection_item_code_unique" unique ("code");`,
    );
    this.addSql(
      `create index "inspection_item_department_code_index" on "inspection_item" ("department_code");`,
    );

    this.addSql(
      `create table "inspection_item_version" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "item_id" uuid not null, "version" int not null, "name" varchar(200) not null, "legal_basis" text[] not null, "department_code" varchar(16) not null, "categories" text[] not null, "content" text not null, "key_points" jsonb not null, "method" varchar(100) not null, "ratio_percent" numeric(5,2) not null, "frequency_text" varchar(200) not null, "frequency_months" int null, "implementation_code" varchar(40) not null, "effective_from" date not null, "effective_to" date null, "created_by" varchar(64) not null, constraint "inspection_item_version_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "inspection_item_version" add constraint "inspection_item_version_item_id_version_unique" unique ("item_id", "version");`,
    );

    this.addSql(
      `create table "inspector" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "police_no" varchar(16) not null, "name" varchar(64) not null, "department_code" varchar(16) not null, "region_code" varchar(6) not null, "certificate_no" varchar(64) not null, "certificate_valid_from" date not null, "certificate_valid_to" date not null, "status" "inspector_status" not null default 'ACTIVE', "qualified_categories" text[] not null default '{}', "archived_at" timestamptz null, constraint "inspector_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "inspector" add constraint "inspector_police_no_unique" unique ("police_no");`);
    this.addSql(`create index "inspector_department_code_index" on "inspector" ("department_code");`);
    this.addSql(`create index "inspector_region_code_index" on "inspector" ("region_code");`);
    this.addSql(
      `create index "inspector_certificate_valid_to_index" on "inspector" ("certificate_valid_to");`,
    );

    this.addSql(
      `create table "joint_pool" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "code" varchar(32) not null, "name" varchar(100) not null, "department_codes" text[] not null, "approved_by" varchar(64) not null, "approved_on" date not null, "valid_to" date null, constraint "joint_pool_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "joint_pool" add constraint "joint_pool_code_unique" unique ("code");`);

    this.addSql(
      `create table "person" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "name" varchar(64) not null, "id_type" varchar(8) null, "id_enc" text null, "id_index" varchar(64) null, "id_masked" varchar(32) null, "id_valid" boolean null, "phone_enc" text null, "phone_masked" varchar(32) null, constraint "person_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "person" add constraint "person_id_index_unique" unique ("id_index");`);

    this.addSql(
      `create table "pii_access" ("id" bigserial primary key, "at" timestamptz not null default now(), "actor_id" varchar(64) not null, "actor_role" varchar(16) not null, "actor_dept" varchar(16) null, "subject_type" varchar(32) not null, "subject_id" varchar(64) not null, "field" varchar(32) not null, "purpose" varchar(200) not null);`,
    );
    this.addSql(`create index "pii_access_subject_id_index" on "pii_access" ("subject_id");`);

    this.addSql(
      `create table "target" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "region_code" varchar(6) not null, "category" "target_category" not null, "name" varchar(200) not null, "uscc_raw" varchar(64) null, "uscc_normalised" varchar(32) null, "uscc_valid" boolean null, "licence_nos" jsonb not null default '[]', "address" varchar(300) null, "jurisdiction_code" varchar(12) not null, "status" "target_status" not null default 'OPERATING', "grade" "grade" null, "hotel_blacklisted" boolean not null default false, "key_inspection" boolean not null default false, "abnormal_listed" boolean not null default false, "complaints90d" int not null default 0, "violations" jsonb not null default '[]', "incidents" jsonb not null default '[]', "attributes" jsonb not null default '{}', "source_system" varchar(16) not null, "source_id" varchar(64) not null, "source_updated_at" timestamptz null, "archived_at" timestamptz null, "row_version" int not null default 1, constraint "target_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "target_region_code_index" on "target" ("region_code");`);
    this.addSql(`create index "target_uscc_normalised_index" on "target" ("uscc_normalised");`);
    this.addSql(`create index "target_jurisdiction_code_index" on "target" ("jurisdiction_code");`);
    this.addSql(
      `create index "target_category_jurisdiction_code_index" on "target" ("category", "jurisdiction_code");`,
    );
    this.addSql(
      `alter table "target" add constraint "target_source_system_source_id_unique" unique ("source_system", "source_id");`,
    );

    this.addSql(
      `create table "relationship" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "inspector_id" uuid not null, "target_id" uuid null, "person_id" uuid null, "kind" "relationship_kind" not null, "valid_from" date not null, "valid_to" date null, "note" varchar(300) null, constraint "relationship_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "relationship_inspector_id_index" on "relationship" ("inspector_id");`);
    this.addSql(`create index "relationship_target_id_index" on "relationship" ("target_id");`);
    this.addSql(`create index "relationship_person_id_index" on "relationship" ("person_id");`);

    this.addSql(
      `create table "target_person" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "target_id" uuid not null, "person_id" uuid not null, "role" "person_role" not null, "since" date null, "until" date null, constraint "target_person_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "target_person_person_id_index" on "target_person" ("person_id");`);
    this.addSql(
      `alter table "target_person" add constraint "target_person_target_id_person_id_role_unique" unique ("target_id", "person_id", "role");`,
    );

    this.addSql(
      `alter table "inspection_item_version" add constraint "inspection_item_version_item_id_foreign" foreign key ("item_id") references "inspection_item" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "relationship" add constraint "relationship_inspector_id_foreign" foreign key ("inspector_id") references "inspector" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "relationship" add constraint "relationship_target_id_foreign" foreign key ("target_id") references "target" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "relationship" add constraint "relationship_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "target_person" add constraint "target_person_target_id_foreign" foreign key ("target_id") references "target" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "target_person" add constraint "target_person_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table "inspection_item_version" drop constraint "inspection_item_version_item_id_foreign";`,
    );

    this.addSql(`alter table "relationship" drop constraint "relationship_inspector_id_foreign";`);

    this.addSql(`alter table "relationship" drop constraint "relationship_person_id_foreign";`);

    this.addSql(`alter table "target_person" drop constraint "target_person_person_id_foreign";`);

    this.addSql(`alter table "relationship" drop constraint "relationship_target_id_foreign";`);

    this.addSql(`alter table "target_person" drop constraint "target_person_target_id_foreign";`);

    this.addSql(`drop table if exists "audit_event" cascade;`);

    this.addSql(`drop table if exists "department" cascade;`);

    this.addSql(`drop table if exists "event_log" cascade;`);

    this.addSql(`drop table if exists "inspection_item" cascade;`);

    this.addSql(`drop table if exists "inspection_item_version" cascade;`);

    this.addSql(`drop table if exists "inspector" cascade;`);

    this.addSql(`drop table if exists "joint_pool" cascade;`);

    this.addSql(`drop table if exists "person" cascade;`);

    this.addSql(`drop table if exists "pii_access" cascade;`);

    this.addSql(`drop table if exists "target" cascade;`);

    this.addSql(`drop table if exists "relationship" cascade;`);

    this.addSql(`drop table if exists "target_person" cascade;`);

    this.addSql(`drop type "department_kind";`);
    this.addSql(`drop type "item_status";`);
    this.addSql(`drop type "inspector_status";`);
    this.addSql(`drop type "target_category";`);
    this.addSql(`drop type "target_status";`);
    this.addSql(`drop type "grade";`);
    this.addSql(`drop type "relationship_kind";`);
    this.addSql(`drop type "person_role";`);
  }
}
