import { Migration } from '@mikro-orm/migrations';
import { HOLIDAY_YEARS } from '../../modules/calendar/holidays-data.js';
import {
  DEFAULT_BOOST_RULES,
  DEFAULT_FREQUENCY_RULES,
  DEFAULT_INTENSIFICATION_WINDOWS,
} from '../../modules/rules/defaults.js';

const REGION = '350322';
/** The seed's date: the defaults are in force from the day the plan was issued. */
const SEED_DATE = '2018-07-03';

function lit(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * 双随机 tables: versioned rules, the working-day calendar, inspection visits (coverage input),
 * plans with strata, draws (every attempt), assignments, manual changes after lock and recusal
 * requests. Rules and calendar days are loaded here, so a fresh database has them without the demo.
 */
export class Migration20261128002000_sampling extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "sampling_rule_kind" as enum ('FREQUENCY', 'BOOST', 'WINDOW');`);
    this.addSql(`create type "calendar_day_kind" as enum ('HOLIDAY', 'MAKEUP_WORKDAY');`);
    this.addSql(`create type "sampling_plan_status" as enum ('OPEN', 'LOCKED', 'CANCELLED');`);
    this.addSql(
      `create type "sampling_draw_status" as enum ('COMMITTED', 'DRAWN', 'FAILED', 'LOCKED', 'SUPERSEDED');`,
    );
    this.addSql(`create type "assignment_change_status" as enum ('PENDING', 'APPLIED', 'REJECTED');`);
    this.addSql(`create type "recusal_request_status" as enum ('PENDING', 'GRANTED', 'REJECTED');`);

    // Rules: one row per (code, version); the body is the FrequencyRule / BoostRule / IntensificationWindow.
    this
      .addSql(`create table "sampling_rule" ("id" uuid not null primary key, "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(), "region_code" varchar(6) not null, "code" varchar(64) not null,
      "version" int not null, "kind" "sampling_rule_kind" not null, "body" jsonb not null,
      "effective_from" date not null, "effective_to" date null, "created_by" varchar(64) not null, "change_note" varchar(300) null,
      "category" text generated always as (body->>'category') stored,
      "mode" text generated always as (body->>'mode') stored,
      constraint "sampling_rule_code_version_unique" unique ("region_code", "code", "version"),
      constraint "sampling_rule_effective_check" check (effective_to is null or effective_to >= effective_from));`);
    this.addSql(
      `create index "sampling_rule_in_force_index" on "sampling_rule" ("region_code", "kind", "category", "effective_from");`,
    );

    this
      .addSql(`create table "calendar_day" ("day" date not null primary key, "kind" "calendar_day_kind" not null,
      "name" varchar(32) not null, "provisional" boolean not null default false, "updated_by" varchar(64) not null,
      "updated_at" timestamptz not null default now());`);

    // Filled by the inspections module when a visit is done; read by coverage, rotation and quotas.
    this.addSql(`create table "target_visit" ("id" bigserial primary key, "region_code" varchar(6) not null,
      "target_id" uuid not null references "target" ("id") on delete cascade, "visited_on" date not null,
      "inspection_id" varchar(64) null, "draw_id" uuid null, "department_code" varchar(16) null,
      "team_police_nos" text[] not null default '{}', "recorded_at" timestamptz not null default now(),
      constraint "target_visit_inspection_unique" unique ("inspection_id"));`);
    this.addSql(
      `create index "target_visit_target_index" on "target_visit" ("target_id", "visited_on" desc, "id" desc);`,
    );
    // Writers may leave region_code out; it is the target's.
    this.addSql(`create function target_visit_fill_region() returns trigger language plpgsql as $$
      begin
        if new.region_code is null then
          select region_code into new.region_code from target where id = new.target_id;
        end if;
        return new;
      end $$;`);
    this.addSql(`create trigger target_visit_fill_region before insert on "target_visit"
      for each row execute function target_visit_fill_region();`);
    this.addSql(
      `create index "target_visit_region_on_index" on "target_visit" ("region_code", "visited_on");`,
    );

    this
      .addSql(`create table "sampling_plan" ("id" uuid not null primary key, "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(), "region_code" varchar(6) not null,
      "department_codes" text[] not null, "lead_department_code" varchar(16) not null,
      "period_label" varchar(16) not null, "period_start" date not null, "period_end" date not null, "planned_date" date not null,
      "item_codes" text[] not null default '{}', "categories" text[] not null default '{}',
      "team_size" int not null, "workload_cap" int not null, "stratum_minimum" int not null default 1,
      "status" "sampling_plan_status" not null default 'OPEN', "job_slot" timestamptz null, "created_by" varchar(64) not null,
      "row_version" int not null default 1,
      constraint "sampling_plan_team_size_check" check (team_size >= 2),
      constraint "sampling_plan_workload_check" check (workload_cap >= 1));`);
    // One prepared plan per department set and period: replicas and re-runs of the job collapse onto it.
    this.addSql(`create unique index "sampling_plan_prepared_unique" on "sampling_plan"
      ("region_code", "lead_department_code", "period_label") where job_slot is not null;`);
    this.addSql(
      `create index "sampling_plan_dept_index" on "sampling_plan" ("region_code", "lead_department_code", "period_start");`,
    );

    this
      .addSql(`create table "plan_stratum" ("id" bigserial primary key, "plan_id" uuid not null references "sampling_plan" ("id") on delete cascade,
      "region_code" varchar(6) not null, "stratum" varchar(120) not null, "category" varchar(32) not null, "grade" varchar(9) not null,
      "jurisdiction_code" varchar(12) not null, "boost_weight" varchar(16) null, "size" int not null, "must_include" int not null,
      "quota" int not null, "minimum" int not null, "quota_percent" varchar(16) null, "multiplier" varchar(16) not null,
      constraint "plan_stratum_unique" unique ("plan_id", "stratum"));`);

    this
      .addSql(`create table "sampling_draw" ("id" uuid not null primary key, "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(), "region_code" varchar(6) not null,
      "plan_id" uuid not null references "sampling_plan" ("id"), "attempt" int not null,
      "status" "sampling_draw_status" not null default 'COMMITTED', "reason" varchar(300) null, "previous_draw_id" uuid null,
      "commitment" varchar(64) not null, "seed_hex" varchar(64) not null, "entropy" text null,
      "params" jsonb not null, "params_hash" varchar(64) not null,
      "target_pool_hash" varchar(64) not null, "inspector_pool_hash" varchar(64) not null,
      "target_count" int not null, "inspector_count" int not null,
      "pools_gz" bytea not null, "result" jsonb null, "failure" jsonb null,
      "committed_by" varchar(64) not null, "committed_at" timestamptz not null default now(),
      "drawn_by" varchar(64) null, "drawn_at" timestamptz null, "locked_by" varchar(64) null, "locked_at" timestamptz null,
      constraint "sampling_draw_attempt_unique" unique ("plan_id", "attempt"));`);
    // At most one live attempt per plan: a redraw first supersedes the previous one, with a reason.
    this.addSql(`create unique index "sampling_draw_one_live" on "sampling_draw" ("plan_id")
      where status in ('COMMITTED', 'DRAWN', 'LOCKED');`);

    this
      .addSql(`create table "draw_assignment" ("id" uuid not null primary key, "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(), "region_code" varchar(6) not null,
      "draw_id" uuid not null references "sampling_draw" ("id"), "plan_id" uuid not null, "target_id" uuid not null,
      "jurisdiction_code" varchar(12) not null, "planned_date" date not null, "inspector_ids" uuid[] not null,
      "police_nos" text[] not null, "department_items" jsonb not null default '{}', "manually_changed" boolean not null default false,
      constraint "draw_assignment_target_unique" unique ("draw_id", "target_id"));`);
    this.addSql(
      `create index "draw_assignment_police_nos_index" on "draw_assignment" using gin ("police_nos");`,
    );
    this.addSql(
      `create index "draw_assignment_planned_index" on "draw_assignment" ("region_code", "planned_date");`,
    );

    this
      .addSql(`create table "assignment_change" ("id" uuid not null primary key, "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(), "region_code" varchar(6) not null,
      "assignment_id" uuid not null references "draw_assignment" ("id"), "draw_id" uuid not null,
      "remove_police_no" varchar(16) not null, "add_police_no" varchar(16) not null,
      "reason_code" varchar(32) not null, "note" varchar(300) not null, "status" "assignment_change_status" not null default 'PENDING',
      "requested_by" varchar(64) not null, "approved_by" varchar(64) null, "decided_at" timestamptz null);`);

    this
      .addSql(`create table "recusal_request" ("id" uuid not null primary key, "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(), "region_code" varchar(6) not null,
      "assignment_id" uuid not null references "draw_assignment" ("id"), "police_no" varchar(16) not null,
      "requested_by_party" varchar(100) not null, "reason" varchar(500) not null, "received_on" date not null,
      "decide_by" date not null, "status" "recusal_request_status" not null default 'PENDING',
      "decided_by" varchar(64) null, "decided_at" timestamptz null, "decision_note" varchar(300) null);`);
    this.addSql(
      `create index "recusal_request_pending_index" on "recusal_request" ("region_code", "decide_by") where status = 'PENDING';`,
    );

    for (const t of [
      'sampling_rule',
      'calendar_day',
      'sampling_plan',
      'plan_stratum',
      'sampling_draw',
      'draw_assignment',
      'assignment_change',
      'recusal_request',
    ]) {
      this.addSql(`grant select, insert, update, delete on "${t}" to shuangsui_app;`);
    }
    // Visits are facts: appended, never rewritten.
    this.addSql(`grant select, insert on "target_visit" to shuangsui_app;`);
    this.addSql(`grant usage, select on sequence target_visit_id_seq to shuangsui_app;`);
    this.addSql(`grant usage, select on sequence plan_stratum_id_seq to shuangsui_app;`);

    const rules: [string, string, unknown][] = [
      ...DEFAULT_FREQUENCY_RULES.map((r): [string, string, unknown] => [r.code, 'FREQUENCY', r]),
      ...DEFAULT_BOOST_RULES.map((r): [string, string, unknown] => [r.code, 'BOOST', r]),
      ...DEFAULT_INTENSIFICATION_WINDOWS.map((w): [string, string, unknown] => [w.code, 'WINDOW', w]),
    ];
    const values = rules.map(
      ([code, kind, body]) =>
        `(gen_random_uuid(), '${REGION}', ${lit(code)}, 1, '${kind}', ${lit(JSON.stringify(body))}::jsonb, '${SEED_DATE}', 'system:migration')`,
    );
    this.addSql(
      `insert into "sampling_rule" ("id", "region_code", "code", "version", "kind", "body", "effective_from", "created_by") values ${values.join(',\n')};`,
    );
    const days = HOLIDAY_YEARS.flatMap((y) => y.entries).map(
      (e) =>
        `('${e.date}', '${e.kind}', ${lit(e.name)}, ${e.provisional === true ? 'true' : 'false'}, 'system:migration')`,
    );
    this.addSql(
      `insert into "calendar_day" ("day", "kind", "name", "provisional", "updated_by") values ${days.join(',\n')};`,
    );
  }
}
