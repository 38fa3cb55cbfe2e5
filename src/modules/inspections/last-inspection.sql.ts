/**
 * The last inspection carried out at each of a set of targets: the newest by `inspected_on`, then id.
 * One index probe per target (`inspection_target_last_index`). Param: target ids (uuid[]).
 * `columns` (column names, validated by the caller against the entity's metadata) limits what is
 * read; the default reads every column. `npm run bench:api` runs the same statement in its baseline.
 */
export function lastInspectionSql(columns: readonly string[] | null = null): string {
  const list = (alias: string) => (columns ? columns.map((c) => `${alias}."${c}"`).join(', ') : `${alias}.*`);
  return `select ${list('i')} from unnest(?::uuid[]) as t(id)
cross join lateral (select ${list('x')} from inspection x where x.target_id = t.id and x.inspected_on is not null
  order by x.inspected_on desc, x.id desc limit 1) i`;
}

/** {@link lastInspectionSql} with every column. */
export const LAST_INSPECTION_SQL = lastInspectionSql();
