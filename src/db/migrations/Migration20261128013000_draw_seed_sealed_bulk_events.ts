import { Migration } from '@mikro-orm/migrations';

/**
 * 1. The secret draw seed is stored sealed (SM4 field token, see `PiiService.sealSecret`) instead
 *    of in clear: `seed_hex varchar(64)` becomes `seed_sealed text`. Rows written before keep their
 *    64-hex clear value and stay readable; `npm run pii:rotate` seals them.
 * 2. Event NOTIFY per statement instead of per row: one notification carries the statement's ids
 *    as comma-separated runs (`17` or `17-5016`), at most 150 runs per notification, so a bulk insert
 *    of 60,000 events costs one notification, not 60,000. The event bus loads each run in id order.
 */
export class Migration20261128013000_draw_seed_sealed_bulk_events extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "sampling_draw" rename column "seed_hex" to "seed_sealed";`);
    this.addSql(`alter table "sampling_draw" alter column "seed_sealed" type text;`);

    this.addSql(`create or replace function notify_event_log_runs() returns trigger language plpgsql as $$
      declare chunk text;
      begin
        for chunk in
          select string_agg(run, ',' order by lo)
            from (select lo, case when lo = hi then lo::text else lo::text || '-' || hi::text end as run,
                         (row_number() over (order by lo) - 1) / 150 as part
                    from (select min(id) as lo, max(id) as hi
                            from (select id, id - row_number() over (order by id) as grp from new_rows) s
                           group by grp) r) q
           group by part order by part
        loop
          perform pg_notify('shuangsui_events', chunk);
        end loop;
        return null;
      end $$;`);
    this.addSql(`drop trigger if exists event_log_notify on event_log;`);
    this.addSql(
      `create trigger event_log_notify after insert on event_log referencing new table as new_rows
         for each statement execute function notify_event_log_runs();`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists event_log_notify on event_log;`);
    this.addSql(
      `create trigger event_log_notify after insert on event_log for each row execute function notify_event_log();`,
    );
    this.addSql(`drop function if exists notify_event_log_runs();`);
    // Sealed seeds do not fit the old column: the rename back keeps the wider type.
    this.addSql(`alter table "sampling_draw" rename column "seed_sealed" to "seed_hex";`);
  }
}
