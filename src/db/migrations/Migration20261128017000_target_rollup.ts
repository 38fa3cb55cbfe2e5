import { Migration } from '@mikro-orm/migrations';

/** Key columns of `target_rollup`, each with its expression over a `target` row. */
const KEYS: [string, string][] = [
  ['region_code', 'region_code'],
  ['category', 'category'],
  ['grade', 'grade'],
  ['jurisdiction_code', 'jurisdiction_code'],
  ['status', 'status'],
  ['source_system', 'source_system'],
  // Hours in UTC: Asia/Shanghai (and every calendar bucket of it) starts on whole UTC hours.
  ['created_hour', `date_trunc('hour', created_at, 'UTC')`],
  ['archived_hour', `date_trunc('hour', archived_at, 'UTC')`],
];

/**
 * Measure columns, each with the per-row value it sums. They mirror the TARGETS flags and fields
 * of src/modules/dashboard/aggregate-registry.ts (rollup section) exactly: change both together.
 */
const MEASURES: [string, string][] = [
  ['n', '1'],
  ['key_inspection_n', 'key_inspection::int'],
  ['hotel_blacklisted_n', 'hotel_blacklisted::int'],
  ['abnormal_listed_n', 'abnormal_listed::int'],
  ['operating_n', `(status = 'OPERATING')::int`],
  ['has_complaints_n', '(complaints90d > 0)::int'],
  ['uscc_valid_n', 'coalesce(uscc_valid, false)::int'],
  ['complaints_sum', 'complaints90d::bigint'],
];

const keyCols = KEYS.map(([c]) => c).join(', ');
const measureCols = MEASURES.map(([c]) => c).join(', ');
const rowsOf = (table: string, sign: 1 | -1) =>
  `select ${KEYS.map(([c, e]) => `${e} as ${c}`).join(', ')}, ` +
  MEASURES.map(([c, e]) => `${sign === 1 ? '' : '-'}(${e}) as ${c}`).join(', ') +
  ` from ${table}`;

/**
 * One upsert of the grouped deltas of a statement. Rows are ordered by key so that concurrent
 * writers lock rollup rows in the same order (no deadlock); groups whose delta is zero in every
 * measure (an update that changed no rolled-up column) write nothing. Rows whose count falls to 0
 * stay (readers skip `n = 0`): deleting them here would race with a concurrent insert of the group.
 */
const upsert = (deltas: string) =>
  `insert into target_rollup as r (${keyCols}, ${measureCols})
   select ${keyCols}, ${MEASURES.map(([c]) => `sum(${c})`).join(', ')}
   from (${deltas}) d
   group by ${keyCols}
   having ${MEASURES.map(([c]) => `sum(${c}) <> 0`).join(' or ')}
   order by ${keyCols}
   on conflict (${keyCols}) do update set ${MEASURES.map(([c]) => `${c} = r.${c} + excluded.${c}`).join(', ')}`;

const fn = (name: string, body: string) =>
  `create or replace function ${name}() returns trigger language plpgsql as $fn$
   begin
     ${body};
     return null;
   end
   $fn$;`;

/**
 * `target_rollup`: the TARGETS aggregate pre-computed per combination of its dimension columns and
 * creation / archival hour, kept exact by statement-level triggers (transition tables) in the
 * writing transaction, so an aggregate over a million targets reads a few thousand rollup rows plus
 * the rows of the partial hours at its `since` / `asOf` edges (see aggregate.service.ts).
 */
export class Migration20261128017000_target_rollup extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "target_rollup" (
      "region_code" varchar(6) not null,
      "category" "target_category" not null,
      "grade" "grade" null,
      "jurisdiction_code" varchar(12) not null,
      "status" "target_status" not null,
      "source_system" varchar(16) not null,
      "created_hour" timestamptz not null,
      "archived_hour" timestamptz null,
      ${MEASURES.map(([c]) => `"${c}" bigint not null default 0`).join(',\n      ')}
    );`);
    this.addSql(
      `create unique index "target_rollup_key" on "target_rollup" (${keyCols}) nulls not distinct;`,
    );
    this.addSql(`grant select, insert, update, delete on "target_rollup" to shuangsui_app;`);

    this.addSql(fn('target_rollup_on_insert', upsert(rowsOf('new_rows', 1))));
    this.addSql(
      fn('target_rollup_on_update', upsert(`${rowsOf('new_rows', 1)} union all ${rowsOf('old_rows', -1)}`)),
    );
    this.addSql(fn('target_rollup_on_delete', upsert(rowsOf('old_rows', -1))));
    // delete (not truncate): the app role may delete rollup rows but has no TRUNCATE privilege.
    this.addSql(fn('target_rollup_on_truncate', 'delete from target_rollup'));

    // Creating the triggers locks `target` against writes until this migration commits, so the
    // backfill below sees exactly the rows the triggers do not.
    this.addSql(`create trigger target_rollup_insert after insert on target
      referencing new table as new_rows for each statement execute function target_rollup_on_insert();`);
    this.addSql(`create trigger target_rollup_update after update on target
      referencing old table as old_rows new table as new_rows for each statement execute function target_rollup_on_update();`);
    this.addSql(`create trigger target_rollup_delete after delete on target
      referencing old table as old_rows for each statement execute function target_rollup_on_delete();`);
    this.addSql(`create trigger target_rollup_truncate after truncate on target
      for each statement execute function target_rollup_on_truncate();`);

    this.addSql(`insert into target_rollup (${keyCols}, ${measureCols})
      select ${keyCols}, ${MEASURES.map(([c]) => `sum(${c})`).join(', ')}
      from (${rowsOf('target', 1)}) d group by ${keyCols};`);
    this.addSql(`analyze target_rollup;`);

    // The edges of an aggregate (partial hours at since / asOf; rows archived within the asOf hour).
    this.addSql(`create index if not exists "target_created_at_index" on "target" ("created_at");`);
    this.addSql(
      `create index if not exists "target_archived_at_index" on "target" ("archived_at") where "archived_at" is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists target_rollup_insert on target;`);
    this.addSql(`drop trigger if exists target_rollup_update on target;`);
    this.addSql(`drop trigger if exists target_rollup_delete on target;`);
    this.addSql(`drop trigger if exists target_rollup_truncate on target;`);
    for (const f of ['insert', 'update', 'delete', 'truncate'])
      this.addSql(`drop function if exists target_rollup_on_${f}();`);
    this.addSql(`drop table if exists "target_rollup";`);
    this.addSql(`drop index if exists "target_created_at_index";`);
    this.addSql(`drop index if exists "target_archived_at_index";`);
  }
}
