/**
 * The last inspection carried out at each of a set of targets: the newest by `inspected_on`, then id.
 * One index probe per target (`inspection_target_last_index`). Param: target ids (uuid[]).
 * Also the baseline's SQL in `npm run bench:api`, so the two measure the same statement.
 */
export const LAST_INSPECTION_SQL = `select i.* from unnest(?::uuid[]) as t(id)
cross join lateral (select * from inspection i where i.target_id = t.id and i.inspected_on is not null
  order by i.inspected_on desc, i.id desc limit 1) i`;
