/**
 * SQL fragments shared by the coverage calendar and plan pools: the COVERAGE rule in force for
 * every target (the same choice as `resolveRule` in src/modules/rules/schedule.ts), the last visit
 * and the next due date (`nextDueDate`: the later of last visit and roster entry, plus N months —
 * PostgreSQL's `date + interval 'N months'` clamps to the month's end as `addMonths` does).
 * Placeholders are `?` (knex); each fragment documents the parameters it takes, in order.
 */

/** CTE `cov_rules`: COVERAGE rules in force. Params: region, asOf, asOf. */
export const COVERAGE_RULES_CTE = `cov_rules as materialized (
  select code, category, body->'condition'->>'grade' as c_grade,
    (body->'condition'->>'blacklisted')::boolean as c_black,
    (body->'condition'->>'keyInspection')::boolean as c_key,
    (body->>'intervalMonths')::int as interval_months,
    coalesce((body->>'priority')::int, 0) as priority,
    (select count(*) from jsonb_object_keys(coalesce(body->'condition', '{}'::jsonb))) as cond_count
  from sampling_rule
  where region_code = ? and kind = 'FREQUENCY' and mode = 'COVERAGE'
    and effective_from <= ?::date and (effective_to is null or effective_to >= ?::date))`;

/** CTE `last_visit`: each target's latest visit and team. No params. */
export const LAST_VISIT_CTE = `last_visit as (
  select distinct on (target_id) target_id, visited_on, team_police_nos
  from target_visit order by target_id, visited_on desc, id desc)`;

/** Lateral join `rule` (code, interval_months) on alias `t`. No params. */
export const RULE_LATERAL = `left join lateral (
  select r.code, r.interval_months from cov_rules r
  where r.category = t.category::text
    and (r.c_black is null or r.c_black = t.hotel_blacklisted)
    and (r.c_key is null or r.c_key = t.key_inspection)
    and (r.c_grade is null or (t.grade is not null and r.c_grade = t.grade::text)
         or (t.grade is null and r.c_grade in ('UNGRADED', 'C')))
  order by r.cond_count desc,
    (case when r.c_grade is null or t.grade is not null or r.c_grade = 'UNGRADED' then 1 else 0 end) desc,
    r.priority desc, r.code collate "C" asc
  limit 1) rule on true`;

/** Expression: the due date (null without a COVERAGE rule), over `t`, `lv`, `rule`. */
export const DUE_ON = `(case when rule.code is null then null else (greatest(lv.visited_on,
  (t.created_at at time zone 'Asia/Shanghai')::date) + make_interval(months => rule.interval_months))::date end)`;

/** Predicate: a target on the active roster of a region. Params: region. */
export const ACTIVE_TARGET = `t.region_code = ? and t.archived_at is null and t.status = 'OPERATING'`;
