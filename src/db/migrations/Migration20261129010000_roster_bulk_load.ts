import { Migration } from '@mikro-orm/migrations';

/** The roster tables a sync fills. */
const TABLES = ['target', 'person', 'target_person'];

/**
 * Autovacuum waits while a sync run bulk-loads the rosters. A first sync grows `target`, `person`
 * and `target_person` from nothing to millions of rows; autovacuum meanwhile vacuumed and analyzed
 * each of them again and again as they grew (four vacuums and four analyzes of each in a 1M-hotel
 * sync, about 90 s of autovacuum time beside a 300 s run on two cores, the trigram index of
 * `target` scanned whole each time), and the sync keeps its own lookup statistics fresh anyway
 * (ANALYZE at each doubling).
 *
 * `sync_bulk_load(run, bulk)` records or drops a run in `sync_bulk_load_run` and then makes the
 * tables' `autovacuum_enabled` agree with it: off while a RUNNING sync run is bulk-loading, reset
 * (the server's settings) otherwise. Rows whose run is no longer RUNNING (a run killed with the
 * process; the next run of its adapter marks it FAILED) are dropped on every call, so any call puts
 * the tables right. The tables are altered only when their state differs. Anti-wraparound vacuums
 * run whatever `autovacuum_enabled` says. An `autovacuum_enabled = false` set on these tables by
 * hand does not survive the end of a bulk load. SECURITY DEFINER: the application role does not own
 * the tables, and may only call this.
 */
export class Migration20261129010000_roster_bulk_load extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table sync_bulk_load_run (
      run_id bigint primary key references sync_run (id) on delete cascade,
      started_at timestamptz not null default now()
    );`);
    const alter = (set: string) => TABLES.map((t) => `alter table public.${t} ${set};`).join('\n        ');
    this.addSql(`create function sync_bulk_load(run bigint, bulk boolean) returns boolean
      language plpgsql security definer set search_path = pg_catalog, pg_temp as $fn$
      declare
        want_off boolean;
        is_off boolean;
      begin
        lock table public.sync_bulk_load_run in share row exclusive mode;
        if run is not null and bulk then
          insert into public.sync_bulk_load_run (run_id) values (run) on conflict do nothing;
        elsif run is not null then
          delete from public.sync_bulk_load_run where run_id = run;
        end if;
        delete from public.sync_bulk_load_run b
         where not exists (select 1 from public.sync_run r where r.id = b.run_id and r.status = 'RUNNING');
        want_off := exists (select 1 from public.sync_bulk_load_run);
        select coalesce('autovacuum_enabled=false' = any (c.reloptions), false)
          into is_off from pg_class c where c.oid = 'public.target'::regclass;
        if want_off and not is_off then
        ${alter('set (autovacuum_enabled = false)')}
        elsif is_off and not want_off then
        ${alter('reset (autovacuum_enabled)')}
        end if;
        return want_off;
      end
      $fn$;`);
    this.addSql(`revoke all on function sync_bulk_load(bigint, boolean) from public;`);
    this.addSql(`grant execute on function sync_bulk_load(bigint, boolean) to shuangsui_app;`);
    // Only the function changes the table; the application may read it.
    this.addSql(`revoke all on table sync_bulk_load_run from shuangsui_app;`);
    this.addSql(`grant select on table sync_bulk_load_run to shuangsui_app;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists sync_bulk_load(bigint, boolean);`);
    this.addSql(`drop table if exists sync_bulk_load_run;`);
    for (const t of TABLES) this.addSql(`alter table ${t} reset (autovacuum_enabled);`);
  }
}
