import { Migration } from '@mikro-orm/migrations';

/**
 * Security and search: the restricted application role (INSERT-only on the audit table),
 * triggers that refuse UPDATE/DELETE/TRUNCATE of audit rows, Chinese substring search indexes,
 * and NOTIFY on new events (ids only).
 */
export class Migration20261128000500_security extends Migration {
  override async up(): Promise<void> {
    this.addSql(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = 'shuangsui_app') then
        create role shuangsui_app nologin;
      end if;
    end $$;`);
    // The owner must be able to SET ROLE to the app role; harmless if it already can.
    this.addSql(`do $$ begin
      execute format('grant shuangsui_app to %I', current_user);
    exception when others then raise notice 'could not grant shuangsui_app to %: %', current_user, sqlerrm;
    end $$;`);
    this.addSql(`grant usage on schema public to shuangsui_app;`);
    this.addSql(`grant select, insert, update, delete on all tables in schema public to shuangsui_app;`);
    this.addSql(`revoke update, delete, truncate on audit_event from shuangsui_app;`);
    this.addSql(`revoke update, delete, truncate on pii_access from shuangsui_app;`);
    this.addSql(`grant usage, select on all sequences in schema public to shuangsui_app;`);
    this.addSql(
      `alter default privileges in schema public grant select, insert, update, delete on tables to shuangsui_app;`,
    );
    this.addSql(
      `alter default privileges in schema public grant usage, select on sequences to shuangsui_app;`,
    );

    this.addSql(`create or replace function refuse_audit_change() returns trigger language plpgsql as $$
      begin raise exception 'audit rows are append-only (% on %)', tg_op, tg_table_name using errcode = 'insufficient_privilege'; end $$;`);
    this.addSql(
      `create trigger audit_event_append_only before update or delete on audit_event for each row execute function refuse_audit_change();`,
    );
    this.addSql(
      `create trigger audit_event_no_truncate before truncate on audit_event for each statement execute function refuse_audit_change();`,
    );
    this.addSql(
      `create trigger pii_access_append_only before update or delete on pii_access for each row execute function refuse_audit_change();`,
    );

    this.addSql(`create or replace function notify_event_log() returns trigger language plpgsql as $$
      begin perform pg_notify('shuangsui_events', new.id::text); return null; end $$;`);
    this.addSql(
      `create trigger event_log_notify after insert on event_log for each row execute function notify_event_log();`,
    );

    // Substring search over Chinese names: pg_trgm where the server has it, plain LIKE otherwise.
    this.addSql(`do $$ begin
      create extension if not exists pg_trgm;
      create index if not exists target_name_trgm on target using gin (name gin_trgm_ops);
      create index if not exists inspector_name_trgm on inspector using gin (name gin_trgm_ops);
    exception when others then raise notice 'pg_trgm unavailable: %', sqlerrm;
    end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists event_log_notify on event_log;`);
    this.addSql(`drop trigger if exists audit_event_append_only on audit_event;`);
    this.addSql(`drop trigger if exists audit_event_no_truncate on audit_event;`);
    this.addSql(`drop trigger if exists pii_access_append_only on pii_access;`);
  }
}
