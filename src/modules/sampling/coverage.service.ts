import type { EntityManager } from '@mikro-orm/postgresql';
import { REGION_CODE } from '../targets/target.service.js';
import { periodOf, quotaSampleSize, type FrequencyRule } from '../rules/schedule.js';
import { ValidationError } from '../../shared/errors.js';
import { isIsoDate } from '../../shared/input.js';
import { Department } from '../org/department.entity.js';
import type { SamplingRulesService } from './sampling-rules.service.js';
import { pgArray } from '../../db/pg-array.js';
import { ACTIVE_TARGET, COVERAGE_RULES_CTE, DUE_ON, LAST_VISIT_CTE, RULE_LATERAL } from './coverage-sql.js';

/** Filter of the coverage calendar; absent keys mean "any". */
export interface CoverageFilter {
  departmentCode?: string;
  category?: string;
  jurisdictionCode?: string;
  /** Due on or before this date (e.g. the end of a period); overdue targets are included. */
  dueBy?: string;
  overdueOnly?: boolean;
}

/** One target of the coverage calendar. */
export interface CoverageRow {
  targetId: string;
  name: string;
  category: string;
  grade: string | null;
  jurisdictionCode: string;
  ruleCode: string;
  lastVisitedOn: string | null;
  dueOn: string;
  overdue: boolean;
  daysOverdue: number;
}

/** Coverage of one rule over its current period: required inspections versus done. */
export interface RuleCoverageRow {
  ruleCode: string;
  mode: string;
  periodLabel: string;
  periodStart: string;
  periodEnd: string;
  roster: number;
  required: number;
  done: number;
}

/**
 * The coverage calendar (覆盖日历), computed in one SQL statement over the whole roster: the COVERAGE
 * rule in force for each target, its last visit (`target_visit`), next due date and days overdue.
 */
export class CoverageService {
  constructor(private readonly rules: SamplingRulesService) {}

  private async filterSql(
    em: EntityManager,
    f: CoverageFilter,
    jurisdictions: string[] | null,
  ): Promise<{ sql: string; params: unknown[] }> {
    const parts: string[] = [];
    const params: unknown[] = [];
    if (f.departmentCode !== undefined) {
      const d = await em.findOne(Department, { code: f.departmentCode });
      if (!d)
        throw new ValidationError([
          { field: 'departmentCode', message: `no department ${f.departmentCode}` },
        ]);
      parts.push('t.category::text = any(?::text[]) and t.jurisdiction_code = any(?::text[])');
      params.push(pgArray(d.categories), pgArray(d.jurisdictionCodes));
    }
    if (f.category !== undefined) {
      parts.push('t.category::text = ?');
      params.push(f.category);
    }
    if (f.jurisdictionCode !== undefined) {
      parts.push('t.jurisdiction_code = ?');
      params.push(f.jurisdictionCode);
    }
    if (jurisdictions !== null) {
      parts.push('t.jurisdiction_code = any(?::text[])');
      params.push(pgArray(jurisdictions));
    }
    return { sql: parts.map((p) => ` and ${p}`).join(''), params };
  }

  /**
   * Targets under a COVERAGE rule, due by `filter.dueBy` (or overdue only), most overdue first.
   * `jurisdictions` restricts rows to a station's area (null = whole county).
   * @throws ValidationError for a malformed date or an unknown department.
   */
  async due(
    em: EntityManager,
    asOf: string,
    filter: CoverageFilter,
    jurisdictions: string[] | null,
    page: { first: number; offset: number },
  ): Promise<{ totalCount: number; rows: CoverageRow[] }> {
    for (const [field, v] of [
      ['asOf', asOf],
      ['filter.dueBy', filter.dueBy],
    ] as const) {
      if (v !== undefined && !isIsoDate(v))
        throw new ValidationError([{ field, message: 'expected YYYY-MM-DD' }]);
    }
    if (!Number.isInteger(page.first) || page.first < 1 || page.first > 100) {
      throw new ValidationError([{ field: 'first', message: 'must be from 1 to 100' }]);
    }
    if (!Number.isInteger(page.offset) || page.offset < 0) {
      throw new ValidationError([{ field: 'offset', message: 'must be 0 or more' }]);
    }
    const f = await this.filterSql(em, filter, jurisdictions);
    const dueBy = filter.overdueOnly ? null : (filter.dueBy ?? asOf);
    const rows = await em.getConnection().execute<Record<string, unknown>[]>(
      `with ${COVERAGE_RULES_CTE}, ${LAST_VISIT_CTE},
       cov as (
         select t.id, t.name, t.category::text as category, t.grade::text as grade, t.jurisdiction_code,
           rule.code as rule_code, lv.visited_on as last_on, ${DUE_ON} as due_on
         from target t left join last_visit lv on lv.target_id = t.id ${RULE_LATERAL}
         where ${ACTIVE_TARGET} ${f.sql})
       select id::text as "targetId", name, category, grade, jurisdiction_code as "jurisdictionCode",
         rule_code as "ruleCode", last_on::text as "lastVisitedOn", due_on::text as "dueOn",
         greatest(0, ?::date - due_on)::int as "daysOverdue", count(*) over ()::int as total
       from cov
       where rule_code is not null and (${dueBy === null ? 'due_on < ?::date' : 'due_on <= ?::date'})
       order by due_on, id
       limit ? offset ?`,
      [REGION_CODE, asOf, asOf, REGION_CODE, ...f.params, asOf, dueBy ?? asOf, page.first, page.offset],
    );
    const totalCount = rows.length
      ? Number(rows[0]!.total)
      : await this.countDue(em, asOf, filter, jurisdictions);
    return {
      totalCount,
      rows: rows.map((r) => ({
        targetId: r.targetId as string,
        name: r.name as string,
        category: r.category as string,
        grade: (r.grade as string | null) ?? null,
        jurisdictionCode: r.jurisdictionCode as string,
        ruleCode: r.ruleCode as string,
        lastVisitedOn: (r.lastVisitedOn as string | null) ?? null,
        dueOn: r.dueOn as string,
        daysOverdue: r.daysOverdue as number,
        overdue: (r.daysOverdue as number) > 0,
      })),
    };
  }

  // An offset past the end returns no row to read the window count from.
  private async countDue(
    em: EntityManager,
    asOf: string,
    filter: CoverageFilter,
    jurisdictions: string[] | null,
  ): Promise<number> {
    const f = await this.filterSql(em, filter, jurisdictions);
    const dueBy = filter.overdueOnly ? null : (filter.dueBy ?? asOf);
    const r = await em.getConnection().execute<{ n: number }[]>(
      `with ${COVERAGE_RULES_CTE}, ${LAST_VISIT_CTE}
       select count(*)::int as n from target t left join last_visit lv on lv.target_id = t.id ${RULE_LATERAL}
       where ${ACTIVE_TARGET} ${f.sql} and rule.code is not null
         and ${DUE_ON} ${dueBy === null ? '<' : '<='} ?::date`,
      [REGION_CODE, asOf, asOf, REGION_CODE, ...f.params, dueBy ?? asOf],
    );
    return r[0]?.n ?? 0;
  }

  /**
   * Per frequency rule in force on `asOf`: its calendar-aligned period containing `asOf`, the roster it
   * governs, the inspections required in that period (COVERAGE: every unit; QUOTA: ⌈n × p%⌉) and the
   * distinct targets visited in it. One SQL statement for all rules.
   */
  async perRule(
    em: EntityManager,
    asOf: string,
    filter: CoverageFilter,
    jurisdictions: string[] | null,
  ): Promise<RuleCoverageRow[]> {
    if (!isIsoDate(asOf)) throw new ValidationError([{ field: 'asOf', message: 'expected YYYY-MM-DD' }]);
    const { frequency } = await this.rules.inForce(em, asOf);
    const rules = frequency.filter((r) => filter.category === undefined || r.category === filter.category);
    if (!rules.length) return [];
    const periods = rules.map((r) =>
      periodOf(asOf, r.mode === 'COVERAGE' ? r.intervalMonths! : r.periodMonths!),
    );
    const f = await this.filterSql(em, filter, jurisdictions);
    const rows = await em.getConnection().execute<{ code: string; roster: number; done: number }[]>(
      `with ${COVERAGE_RULES_CTE},
       p as (select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::boolean[], ?::date[], ?::date[])
             as p(code, mode, category, grade, blacklisted, key_inspection, start_on, end_on)),
       roster as (
         select t.id, t.category::text as category, t.grade::text as grade, t.hotel_blacklisted, t.key_inspection,
           rule.code as cov_code
         from target t ${RULE_LATERAL} where ${ACTIVE_TARGET} ${f.sql})
       select p.code, count(ro.id)::int as roster,
         count(ro.id) filter (where exists (select 1 from target_visit v where v.target_id = ro.id
           and v.visited_on between p.start_on and p.end_on))::int as done
       from p left join roster ro on (case when p.mode = 'COVERAGE' then ro.cov_code = p.code else
         ro.category = p.category
         and (p.grade is null or ro.grade = p.grade or (ro.grade is null and p.grade in ('UNGRADED', 'C')))
         and (p.blacklisted is null or ro.hotel_blacklisted = p.blacklisted)
         and (p.key_inspection is null or ro.key_inspection = p.key_inspection) end)
       group by p.code`,
      [
        REGION_CODE,
        asOf,
        asOf,
        pgArray(rules.map((r) => r.code)),
        pgArray(rules.map((r) => r.mode)),
        pgArray(rules.map((r) => r.category)),
        pgArray(rules.map((r) => r.condition?.grade ?? null)),
        pgArray(rules.map((r) => r.condition?.blacklisted ?? null)),
        pgArray(rules.map((r) => r.condition?.keyInspection ?? null)),
        pgArray(periods.map((p) => p.start)),
        pgArray(periods.map((p) => p.end)),
        REGION_CODE,
        ...f.params,
      ],
    );
    const byCode = new Map(rows.map((r) => [r.code, r]));
    return rules.map((r: FrequencyRule, i) => {
      const row = byCode.get(r.code);
      const roster = row?.roster ?? 0;
      const period = periods[i]!;
      return {
        ruleCode: r.code,
        mode: r.mode,
        periodLabel: period.label,
        periodStart: period.start,
        periodEnd: period.end,
        roster,
        required: r.mode === 'COVERAGE' ? roster : quotaSampleSize(roster, r.quotaPercent!),
        done: row?.done ?? 0,
      };
    });
  }
}
