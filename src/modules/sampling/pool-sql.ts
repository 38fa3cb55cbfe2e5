import { ACTIVE_TARGET, COVERAGE_RULES_CTE, DUE_ON, LAST_VISIT_CTE, RULE_LATERAL } from './coverage-sql.js';

/**
 * The target pool of a plan in one statement, ordered by id. UUIDs order by their 16 bytes, which is
 * exactly the UTF-8 (`COLLATE "C"`) order of their lower-case text, so the primary key gives the
 * draw's canonical order without a text sort and the freeze skips its own.
 *
 * Set-based: the COVERAGE rule is a lateral lookup keyed only by (category, grade, condition flags),
 * which PostgreSQL memoizes per group; the roster filter is a hash semi-join on (category,
 * jurisdiction) pairs; the risk signals come back as plain columns and the BOOST rules are resolved
 * per distinct signal combination in Node (`resolveBoosts`); related persons are one grouped pass over
 * target_person (covering index) merged in id order. Lists come back as TAB-joined text (sorted,
 * de-duplicated), cheaper to parse than arrays: `persons`, `last_team` (police numbers of the last
 * visit mapped to inspector ids).
 * Params: region, asOf, asOf (rules) · departments · plannedDate (persons) · region (roster)
 * · categories, categories · periodEnd (due).
 */
export const TARGET_POOL_SQL = `with ${COVERAGE_RULES_CTE}, ${LAST_VISIT_CTE},
depts as materialized (select distinct c as category, j as jurisdiction_code
  from department, unnest(categories) c, unnest(jurisdiction_codes) j where code = any(?::text[])),
persons as (
  select target_id, string_agg(distinct person_id::text, E'\\t') as ids from target_person
  where until is null or until >= ?::date group by target_id),
roster as (
  select t.id, t.category, t.grade, t.jurisdiction_code, t.created_at, t.hotel_blacklisted, t.key_inspection,
    t.complaints90d, t.abnormal_listed, t.violations @> '[{"serious": true}]'::jsonb as serious,
    (jsonb_array_length(t.incidents) > 0 and exists (select 1 from jsonb_array_elements(t.incidents) e
      where e->>'kind' ilike '%fire%' or e->>'kind' like '%火%')) as fire
  from target t
  where ${ACTIVE_TARGET}
    and exists (select 1 from depts d where d.category = t.category::text and d.jurisdiction_code = t.jurisdiction_code)
    and (cardinality(?::text[]) = 0 or t.category::text = any(?::text[])))
select t.id::text as id, t.category::text as category, coalesce(t.grade::text, 'U') as grade,
  t.jurisdiction_code as j, coalesce(${DUE_ON} <= ?::date, false) as due,
  t.complaints90d as complaints, t.abnormal_listed as abnormal, t.serious, t.hotel_blacklisted as blacklisted,
  t.fire, t.key_inspection as key, pe.ids as persons,
  case when cardinality(lv.team_police_nos) > 0 then (select string_agg(i.id::text, E'\\t' order by i.id)
    from inspector i where i.police_no = any(lv.team_police_nos)) end as last_team
from roster t
left join last_visit lv on lv.target_id = t.id
${RULE_LATERAL}
left join persons pe on pe.target_id = t.id
order by t.id`;

/**
 * The inspector pool: inspectors of the plan's departments, plus those sharing an approved joint pool
 * (联合建库) with the lead department; each with the departments it may serve through joint pools and
 * its load (locked assignments in the period).
 * Params: plannedDate, plannedDate (pools) · region, periodStart, periodEnd (load) · region (roster)
 * · departments, lead.
 */
export const INSPECTOR_POOL_SQL = `with pools as (
  select department_codes from joint_pool where approved_on <= ?::date and (valid_to is null or valid_to >= ?::date)),
load as (
  select unnest(a.inspector_ids) as inspector_id, count(*)::int as n
  from draw_assignment a join sampling_draw d on d.id = a.draw_id and d.status = 'LOCKED'
  where a.region_code = ? and a.planned_date between ?::date and ?::date group by 1),
ins as (
  select i.*, coalesce((select array_agg(distinct dc) from pools p cross join unnest(p.department_codes) dc
    where i.department_code = any(p.department_codes) and dc <> i.department_code), '{}') as pool_depts
  from inspector i where i.region_code = ? and i.archived_at is null)
select ins.id::text as id, ins.police_no, ins.department_code, ins.status::text as status,
  ins.certificate_valid_from::text as vf, ins.certificate_valid_to::text as vt,
  ins.qualified_categories as qc, ins.pool_depts, coalesce(load.n, 0) as load
from ins left join load on load.inspector_id = ins.id
where ins.department_code = any(?::text[]) or ? = any(ins.pool_depts)
order by ins.id::text collate "C"`;

/** Registered relationships in force on a date. Params: plannedDate, plannedDate. */
export const RELATIONSHIPS_SQL = `select inspector_id::text as inspector_id, target_id::text as target_id, person_id::text as person_id
from relationship where valid_from <= ?::date and (valid_to is null or valid_to >= ?::date)
  and (target_id is not null or person_id is not null)`;
