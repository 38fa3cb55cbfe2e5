import { Migration } from '@mikro-orm/migrations';

/**
 * Inspections and what follows them (issue 4): results, review, evidence, measures and clocks,
 * publication (一公开), appeals, outbound referrals, credit facts and blacklists, numbered official
 * documents, and the target-visit log shared with the sampling module.
 */
export class Migration20261128005000_inspections extends Migration {
  override async up(): Promise<void> {
    const grant = (t: string) =>
      this.addSql(`grant select, insert, update, delete on "${t}" to shuangsui_app;`);
    this.addSql(
      `create type "inspection_state" as enum ('ASSIGNED', 'IN_PROGRESS', 'SUBMITTED', 'RETURNED', 'APPROVED', 'CLOSED');`,
    );
    this.addSql(`create type "inspection_source" as enum ('DRAW', 'AD_HOC', 'FOLLOW_UP');`);
    this.addSql(
      `create type "inspection_outcome" as enum ('NO_VIOLATION', 'CORRECTED', 'HAZARD_FOUND', 'VIOLATION_FOUND', 'NOT_OPERATING', 'UNREACHABLE', 'CLOSED_DOWN', 'REFUSED');`,
    );
    this.addSql(
      `create type "penalty_kind" as enum ('NONE', 'WARNING', 'FINE', 'CONFISCATION', 'SUSPENSION', 'REVOCATION');`,
    );
    this.addSql(
      `create table "inspection" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(),
      "region_code" varchar(6) not null, "source" "inspection_source" not null, "assignment_id" uuid null, "follow_up_of" uuid null,
      "target_id" uuid not null references "target" ("id"), "target_name" varchar(200) not null, "category" "target_category" not null,
      "department_code" varchar(16) not null, "jurisdiction_code" varchar(12) not null,
      "item_codes" text[] not null, "implementation_codes" text[] not null, "key_points" jsonb not null default '[]',
      "planned_on" date not null, "inspected_on" date null, "place" varchar(300) null,
      "team" jsonb not null, "team_police_nos" text[] not null,
      "state" "inspection_state" not null default 'ASSIGNED', "outcome" "inspection_outcome" null,
      "checklist" jsonb not null default '[]', "findings" jsonb not null default '[]', "summary" text null,
      "penalty" "penalty_kind" not null default 'NONE', "rectification_working_days" int null, "suspected_crime" text null,
      "criminal_case_flag" boolean not null default false, "contact_name" varchar(64) null,
      "return_reason" text null, "submitted_by" varchar(64) null, "submitted_at" timestamptz null,
      "approved_by" varchar(64) null, "approved_at" timestamptz null, "approved_on" date null, "closed_at" timestamptz null,
      "appeal_code" varchar(16) not null, "row_version" int not null default 1,
      constraint "inspection_pkey" primary key ("id"));`,
    );
    this.addSql(`create unique index "inspection_appeal_code_unique" on "inspection" ("appeal_code");`);
    this.addSql(
      `create unique index "inspection_assignment_unique" on "inspection" ("assignment_id") where "assignment_id" is not null;`,
    );
    this.addSql(`create index "inspection_region_code_index" on "inspection" ("region_code");`);
    this.addSql(
      `create index "inspection_department_state_index" on "inspection" ("department_code", "state", "planned_on");`,
    );
    this.addSql(`create index "inspection_target_index" on "inspection" ("target_id", "planned_on");`);
    this.addSql(`create index "inspection_team_index" on "inspection" using gin ("team_police_nos");`);
    grant('inspection');

    this.addSql(
      `create table "inspection_evidence" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(),
      "inspection_id" uuid not null references "inspection" ("id") on delete cascade, "sm3" varchar(64) not null, "size" bigint not null,
      "content_type" varchar(64) not null, "file_name" varchar(200) not null, "uploaded_by" varchar(64) not null,
      constraint "inspection_evidence_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create unique index "inspection_evidence_unique" on "inspection_evidence" ("inspection_id", "sm3");`,
    );
    grant('inspection_evidence');

    this.addSql(
      `create type "measure_kind" as enum ('RECTIFICATION', 'SUSPENSION_PROPOSAL', 'REVOCATION_PROPOSAL', 'CRIMINAL_CASE');`,
    );
    this.addSql(`create type "measure_status" as enum ('OPEN', 'DONE', 'OVERDUE', 'CANCELLED');`);
    this.addSql(
      `create table "inspection_measure" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(),
      "region_code" varchar(6) not null, "inspection_id" uuid not null references "inspection" ("id"), "target_id" uuid not null,
      "department_code" varchar(16) not null, "kind" "measure_kind" not null, "status" "measure_status" not null default 'OPEN',
      "ordered_on" date not null, "working_days" int null, "due_on" date null, "follow_up_inspection_id" uuid null,
      "caused_by" uuid null, "note" text not null, "closed_at" timestamptz null,
      constraint "inspection_measure_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create unique index "inspection_measure_kind_unique" on "inspection_measure" ("inspection_id", "kind");`,
    );
    this.addSql(
      `create index "inspection_measure_due_index" on "inspection_measure" ("department_code", "status", "due_on");`,
    );
    grant('inspection_measure');

    this.addSql(
      `create type "publication_status" as enum ('PENDING', 'PUBLISHED', 'WITHDRAWN', 'NOT_PUBLISHED');`,
    );
    this.addSql(`create type "publication_mode" as enum ('FULL', 'RESTRICTED', 'PORTAL');`);
    this.addSql(
      `create table "publication" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(),
      "region_code" varchar(6) not null, "inspection_id" uuid not null references "inspection" ("id"), "target_id" uuid not null,
      "category" "target_category" not null, "department_code" varchar(16) not null, "jurisdiction_code" varchar(12) not null,
      "mode" "publication_mode" not null, "status" "publication_status" not null default 'PENDING',
      "title" varchar(300) not null, "target_name" varchar(200) not null, "item_names" text[] not null,
      "inspected_on" date not null, "outcome" "inspection_outcome" not null, "body" text not null,
      "due_on" date not null, "published_at" timestamptz null, "published_on" date null, "version" int not null default 1,
      "withdrawn_at" timestamptz null, "last_reason" text null,
      constraint "publication_pkey" primary key ("id"));`,
    );
    this.addSql(`create unique index "publication_inspection_unique" on "publication" ("inspection_id");`);
    this.addSql(
      `create index "publication_public_index" on "publication" ("status", "inspected_on" desc, "id");`,
    );
    this.addSql(
      `create index "publication_due_index" on "publication" ("department_code", "status", "due_on");`,
    );
    grant('publication');

    this.addSql(`create type "appeal_status" as enum ('FILED', 'UPHELD', 'DISMISSED');`);
    this.addSql(`create type "appeal_remedy" as enum ('CORRECT', 'WITHDRAW');`);
    this.addSql(
      `create table "appeal" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(),
      "region_code" varchar(6) not null, "inspection_id" uuid not null references "inspection" ("id"), "department_code" varchar(16) not null,
      "ticket" varchar(20) not null, "text" text not null, "contact" varchar(100) null, "status" "appeal_status" not null default 'FILED',
      "filed_on" date not null, "due_on" date not null, "decision" text null, "remedy" "appeal_remedy" null,
      "decided_by" varchar(64) null, "decided_at" timestamptz null,
      constraint "appeal_pkey" primary key ("id"));`,
    );
    this.addSql(`create unique index "appeal_ticket_unique" on "appeal" ("ticket");`);
    this.addSql(`create index "appeal_inspection_index" on "appeal" ("inspection_id");`);
    this.addSql(`create index "appeal_due_index" on "appeal" ("department_code", "status", "due_on");`);
    grant('appeal');

    this.addSql(`create type "referral_status" as enum ('PROPOSED', 'APPROVED', 'REJECTED', 'TRANSFERRED');`);
    this.addSql(
      `create table "referral" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(),
      "region_code" varchar(6) not null, "referral_no" varchar(40) not null, "inspection_id" uuid null references "inspection" ("id"),
      "target_id" uuid not null, "department_code" varchar(16) not null, "to_partner" varchar(16) not null, "to_department" varchar(100) not null,
      "suspected_violation" text not null, "facts" text not null, "legal_basis" text[] not null, "checklist" jsonb not null,
      "status" "referral_status" not null default 'PROPOSED', "proposed_by" varchar(64) not null, "proposed_on" date not null,
      "approval_due_on" date not null, "decided_by" varchar(64) null, "decided_at" timestamptz null, "decided_on" date null,
      "decision_reason" text null, "transfer_due_at" timestamptz null, "transferred_at" timestamptz null,
      constraint "referral_pkey" primary key ("id"));`,
    );
    this.addSql(`create unique index "referral_no_unique" on "referral" ("referral_no");`);
    this.addSql(`create index "referral_department_index" on "referral" ("department_code", "status");`);
    grant('referral');

    this.addSql(
      `create table "credit_fact" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(),
      "region_code" varchar(6) not null, "inspection_id" uuid not null references "inspection" ("id"), "target_id" uuid not null,
      "subject_type" varchar(8) not null, "person_id" uuid null, "person_name_masked" varchar(64) null, "person_role" varchar(16) null,
      "polarity" varchar(8) not null, "reason_code" varchar(32) not null, "reason_text" text not null, "recorded_on" date not null,
      constraint "credit_fact_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create unique index "credit_fact_unique" on "credit_fact" ("inspection_id", "subject_type", coalesce("person_id", '00000000-0000-0000-0000-000000000000'));`,
    );
    this.addSql(`create index "credit_fact_target_index" on "credit_fact" ("target_id", "recorded_on");`);
    grant('credit_fact');

    this.addSql(`create type "blacklist_kind" as enum ('INTERNET_CAFE', 'HOTEL');`);
    this.addSql(
      `create type "blacklist_status" as enum ('PROPOSED', 'NOTICED', 'EFFECTIVE', 'DECLINED', 'EXPIRED', 'REMOVED');`,
    );
    this.addSql(
      `create table "blacklist_entry" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(),
      "region_code" varchar(6) not null, "kind" "blacklist_kind" not null, "target_id" uuid not null references "target" ("id"), "person_id" uuid null,
      "person_name_masked" varchar(64) null, "department_code" varchar(16) not null, "jurisdiction_code" varchar(12) not null,
      "inspection_id" uuid null, "status" "blacklist_status" not null default 'PROPOSED',
      "reasons" text not null, "basis" text not null, "proposed_by" varchar(64) not null, "proposed_on" date not null,
      "notice_served_on" date null, "objection_due_on" date null, "objection_text" text null, "objection_filed_on" date null,
      "objection_outcome" varchar(16) null, "decided_by" varchar(64) null, "decided_on" date null, "decision_no" varchar(40) null,
      "valid_from" date null, "valid_to" date null, "ended_on" date null, "end_reason" varchar(32) null,
      constraint "blacklist_entry_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "blacklist_entry_target_index" on "blacklist_entry" ("target_id", "status");`);
    this.addSql(`create index "blacklist_entry_status_index" on "blacklist_entry" ("status", "valid_to");`);
    grant('blacklist_entry');

    this.addSql(
      `create table "document_counter" ("year" int not null, "department_code" varchar(16) not null, "kind" varchar(24) not null,
      "last" int not null, constraint "document_counter_pkey" primary key ("year", "department_code", "kind"));`,
    );
    grant('document_counter');
    this.addSql(
      `create table "official_document" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(),
      "region_code" varchar(6) not null, "kind" varchar(24) not null, "doc_no" varchar(60) not null, "year" int not null, "seq" int not null,
      "department_code" varchar(16) not null, "subject_type" varchar(32) not null, "subject_id" uuid not null,
      "sm3" varchar(64) not null, "size" int not null, "issued_by" varchar(64) not null,
      constraint "official_document_pkey" primary key ("id"));`,
    );
    this.addSql(`create unique index "official_document_no_unique" on "official_document" ("doc_no");`);
    this.addSql(
      `create index "official_document_subject_index" on "official_document" ("subject_id", "kind");`,
    );
    grant('official_document');

    // Shared with the sampling module (rotation, coverage); either side may create it first.
    this.addSql(
      `create table if not exists "target_visit" ("target_id" uuid not null, "visited_on" date not null, "inspection_id" uuid not null,
      "team_police_nos" text[] not null, "region_code" varchar(6) not null default '350322');`,
    );
    this.addSql(
      `alter table "target_visit" add column if not exists "region_code" varchar(6) not null default '350322';`,
    );
    this.addSql(
      `create unique index if not exists "target_visit_inspection_unique" on "target_visit" ("inspection_id");`,
    );
    this.addSql(
      `create index if not exists "target_visit_target_index" on "target_visit" ("target_id", "visited_on");`,
    );
    // Append-only for the application, as the sampling module grants it.
    this.addSql(`grant select, insert on "target_visit" to shuangsui_app;`);
  }
}
