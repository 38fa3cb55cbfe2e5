import { Migration } from '@mikro-orm/migrations';

/** Scheduled-job runs: one row per (job, slot); at most one RUNNING row per job. */
export class Migration20261128001000_jobs extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "job_run_status" as enum ('RUNNING', 'DONE', 'FAILED');`);
    this
      .addSql(`create table "job_run" ("id" bigserial primary key, "job" varchar(64) not null, "slot" timestamptz not null,
      "manual" boolean not null default false, "status" "job_run_status" not null default 'RUNNING', "owner" varchar(64) not null,
      "lease_until" timestamptz null, "started_at" timestamptz not null default now(), "finished_at" timestamptz null,
      "error" text null, "result" jsonb null);`);
    this.addSql(`alter table "job_run" add constraint "job_run_job_slot_unique" unique ("job", "slot");`);
    this.addSql(`create index "job_run_job_id_index" on "job_run" ("job", "id");`);
    this.addSql(`create unique index "job_run_one_running" on "job_run" ("job") where status = 'RUNNING';`);
    this.addSql(`grant select, insert, update, delete on job_run to shuangsui_app;`);
    this.addSql(`grant usage, select on sequence job_run_id_seq to shuangsui_app;`);
  }
}
