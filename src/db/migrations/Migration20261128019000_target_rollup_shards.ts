import { Migration } from '@mikro-orm/migrations';

/** Key columns of `target_rollup` with their expressions over a `target` row (as in `…017000_target_rollup`). */
const KEYS: [string, string][] = [
  ['region_code', 'region_code'],
  ['category', 'category'],
  ['grade', 'grade'],
  ['jurisdiction_code', 'jurisdiction_code'],
  ['status', 'status'],
  ['source_system', 'source_system'],
  ['created_hour', `date_trunc('hour', created_at, 'UTC')`],
  ['archived_hour', `date_trunc('hour', archived_at, 'UTC')`],
];

/** Measure columns with the per-row value each sums (as in `…017000_target_rollup`). */
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

/** The writing transaction's shard: `set_config('shuangsui.rollup_shard', '1', true)`; 0 when unset. */
const SHARD = `coalesce(nullif(current_setting('shuangsui.rollup_shard', true), ''), '0')::smallint`;

const keyCols = KEYS.map(([c]) => c).join(', ');
const measureCols = MEASURES.map(([c]) => c).join(', ');
const rowsOf = (table: string, sign: 1 | -1) =>
  `select ${KEYS.map(([c, e]) => `${e} as ${c}`).join(', ')}, ` +
  MEASURES.map(([c, e]) => `${sign === 1 ? '' : '-'}(${e}) as ${c}`).join(', ') +
  ` from ${table}`;

/** The triggers' upsert of a statement's grouped deltas; `sharded` false is the one of `…017000`. */
const upsert = (deltas: string, sharded = true) =>
  `insert into target_rollup as r (${keyCols}, ${sharded ? 'shard, ' : ''}${measureCols})
   select ${keyCols}, ${sharded ? `${SHARD}, ` : ''}${MEASURES.map(([c]) => `sum(${c})`).join(', ')}
   from (${deltas}) d
   group by ${keyCols}
   having ${MEASURES.map(([c]) => `sum(${c}) <> 0`).join(' or ')}
   order by ${keyCols}
   on conflict (${keyCols}${sharded ? ', shard' : ''}) do update set ${MEASURES.map(([c]) => `${c} = r.${c} + excluded.${c}`).join(', ')}`;

const fn = (name: string, body: string) =>
  `create or replace function ${name}() returns trigger language plpgsql as $fn$
   begin
     ${body};
     return null;
   end
   $fn$;`;

/**
 * Rollup shards. A group's rollup row is locked by the transaction that updates it until that
 * commits, so two transactions inserting targets of the same groups (two sync batches written at
 * once) used to wait for each other there. Each group now has a row per shard, and a transaction
 * that sets `shuangsui.rollup_shard` (the sync writers: 1 and 2) updates its shard's row; every
 * other writer uses shard 0, so nothing changes for them. A group's figures are the sums over its
 * shards: one row alone may count below zero (a target inserted in shard 1 and archived in shard
 * 0), so readers sum first and then skip groups whose count is 0.
 */
export class Migration20261128019000_target_rollup_shards extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "target_rollup" add column "shard" smallint not null default 0;`);
    this.addSql(`drop index "target_rollup_key";`);
    this.addSql(
      `create unique index "target_rollup_key" on "target_rollup" (${keyCols}, "shard") nulls not distinct;`,
    );
    this.addSql(fn('target_rollup_on_insert', upsert(rowsOf('new_rows', 1))));
    this.addSql(
      fn('target_rollup_on_update', upsert(`${rowsOf('new_rows', 1)} union all ${rowsOf('old_rows', -1)}`)),
    );
    this.addSql(fn('target_rollup_on_delete', upsert(rowsOf('old_rows', -1))));
  }

  override async down(): Promise<void> {
    // Back to one row per group: shards merged into shard 0, then the column dropped.
    this.addSql(`lock table "target_rollup" in exclusive mode;`);
    this.addSql(`create temporary table rollup_merged on commit drop as
      select ${keyCols}, ${MEASURES.map(([c]) => `sum(${c}) as ${c}`).join(', ')}
      from target_rollup group by ${keyCols};`);
    this.addSql(`delete from "target_rollup";`);
    this.addSql(`drop index "target_rollup_key";`);
    this.addSql(`alter table "target_rollup" drop column "shard";`);
    this.addSql(
      `insert into target_rollup (${keyCols}, ${measureCols}) select ${keyCols}, ${measureCols} from rollup_merged;`,
    );
    this.addSql(
      `create unique index "target_rollup_key" on "target_rollup" (${keyCols}) nulls not distinct;`,
    );
    const old = (deltas: string) => upsert(deltas, false);
    this.addSql(fn('target_rollup_on_insert', old(rowsOf('new_rows', 1))));
    this.addSql(
      fn('target_rollup_on_update', old(`${rowsOf('new_rows', 1)} union all ${rowsOf('old_rows', -1)}`)),
    );
    this.addSql(fn('target_rollup_on_delete', old(rowsOf('old_rows', -1))));
  }
}
