import type { Ctx } from '../../graphql/context.js';
import { ForbiddenError, ValidationError } from '../../shared/errors.js';
import { HOLIDAY_YEARS } from '../calendar/holidays-data.js';
import {
  addDays,
  isWorkingDay,
  todayInShanghai,
  workCalendarFromYears,
  type WorkCalendar,
} from '../calendar/working-days.js';
import { Department, DepartmentKind } from '../org/department.entity.js';
import { daysFrom, parsePeriod, percent, type ScorecardPeriod } from './scorecard-period.js';

/** A met / due count and its rate; `pending` items are not yet due and count in neither. */
export interface Rate {
  met: number;
  total: number;
  pending: number;
  /** Decimal string, one decimal (`92.5`); null when nothing was due. */
  percent: string | null;
}

/** One department's scorecard for a period. */
export interface Scorecard {
  departmentCode: string;
  departmentName: string;
  departmentKind: string;
  period: ScorecardPeriod;
  /** Open items (not yet reviewed, published, decided, submitted) are late when their deadline is before this day (today). */
  asOf: string;
  /** Coverage is measured on this day: the period's end, or today while the period runs. */
  coverageAsOf: string;
  /** Σ min(done, required) over the frequency rules versus Σ required (sampling coverage). */
  coverage: Rate;
  inspectionsPlanned: number;
  /** Planned in the period, planned day before today, result still not submitted. */
  inspectionsOverdue: number;
  /** Planned inspections whose day has passed, submitted (met) versus all of them. */
  inspectionTimeliness: Rate;
  /** Rectification orders due in the period and not complied with. */
  rectificationsOverdue: number;
  /** Submitted in the period → approved within the configured review working days. */
  reviewTimeliness: Rate;
  /** Approved in the period → published by the publication deadline. */
  publicationTimeliness: Rate;
  /** Referrals proposed in the period: approved or rejected within 3 working days. */
  referralApproval: Rate;
  /** Referrals approved: transferred within 24 hours. */
  referralTransfer: Rate;
  /** Some rate is below the threshold: a 通报批评 candidate. */
  belowThreshold: boolean;
  /** Which rates are below it: COVERAGE, INSPECTIONS, REVIEW, PUBLICATION, REFERRAL_APPROVAL, REFERRAL_TRANSFER. */
  reasons: string[];
}

interface Row {
  code: string;
  planned: number;
  due_planned: number;
  overdue: number;
  rect_overdue: number;
  rev_met: number;
  rev_late: number;
  rev_pending: number;
  pub_met: number;
  pub_late: number;
  pub_pending: number;
  ra_met: number;
  ra_late: number;
  ra_pending: number;
  rt_met: number;
  rt_late: number;
  rt_pending: number;
}

// Every count of every department in one statement. Params, in order: working days (date[]),
// review working days, start, end, asOf, now, department codes (text[]).
const SCORECARD_SQL = `
with wd as (select d from unnest(?::date[]) d),
p as (select ?::int as review_days, ?::date as start_on, ?::date as end_on, ?::date as as_of, ?::timestamptz as now_at),
i as (
  select i.department_code, i.planned_on, i.state::text as state, i.approved_on,
    (i.submitted_at at time zone 'Asia/Shanghai')::date as submitted_on,
    (select wd.d from wd where wd.d > (i.submitted_at at time zone 'Asia/Shanghai')::date
      order by wd.d offset (select review_days from p) - 1 limit 1) as review_due
  from inspection i, p
  where i.department_code = any(?::text[])
    and (i.planned_on between p.start_on and p.end_on
      or (i.submitted_at at time zone 'Asia/Shanghai')::date between p.start_on and p.end_on)),
ic as (
  select i.department_code as code,
    count(*) filter (where i.planned_on between p.start_on and p.end_on)::int as planned,
    count(*) filter (where i.planned_on between p.start_on and p.end_on and i.planned_on < p.as_of)::int as due_planned,
    count(*) filter (where i.planned_on between p.start_on and p.end_on and i.planned_on < p.as_of
      and i.state in ('ASSIGNED', 'IN_PROGRESS', 'RETURNED'))::int as overdue,
    count(*) filter (where i.submitted_on between p.start_on and p.end_on and i.approved_on is not null
      and i.approved_on <= coalesce(i.review_due, 'infinity'::date))::int as rev_met,
    count(*) filter (where i.submitted_on between p.start_on and p.end_on and
      ((i.approved_on is not null and i.approved_on > coalesce(i.review_due, 'infinity'::date))
       or (i.state = 'SUBMITTED' and i.review_due < p.as_of)))::int as rev_late,
    count(*) filter (where i.submitted_on between p.start_on and p.end_on and i.state = 'SUBMITTED'
      and coalesce(i.review_due, 'infinity'::date) >= p.as_of)::int as rev_pending
  from i, p group by i.department_code),
mc as (
  select m.department_code as code, count(*)::int as rect_overdue
  from inspection_measure m, p
  where m.department_code = any(?::text[]) and m.kind = 'RECTIFICATION' and m.due_on between p.start_on and p.end_on
    and (m.status = 'OVERDUE' or (m.status = 'OPEN' and m.due_on < p.as_of))
  group by m.department_code),
pc as (
  select pb.department_code as code,
    count(*) filter (where pb.published_on is not null and pb.published_on <= pb.due_on)::int as pub_met,
    count(*) filter (where (pb.published_on is not null and pb.published_on > pb.due_on)
      or (pb.published_on is null and pb.status = 'PENDING' and pb.due_on < p.as_of))::int as pub_late,
    count(*) filter (where pb.published_on is null and pb.status = 'PENDING' and pb.due_on >= p.as_of)::int as pub_pending
  from publication pb join inspection i on i.id = pb.inspection_id, p
  where pb.department_code = any(?::text[]) and i.approved_on between p.start_on and p.end_on
    and pb.status <> 'NOT_PUBLISHED'
  group by pb.department_code),
rc as (
  select r.department_code as code,
    count(*) filter (where r.decided_on is not null and r.decided_on <= r.approval_due_on)::int as ra_met,
    count(*) filter (where (r.decided_on is not null and r.decided_on > r.approval_due_on)
      or (r.decided_on is null and r.approval_due_on < p.as_of))::int as ra_late,
    count(*) filter (where r.decided_on is null and r.approval_due_on >= p.as_of)::int as ra_pending,
    count(*) filter (where r.transferred_at is not null and r.transferred_at <= r.transfer_due_at)::int as rt_met,
    count(*) filter (where (r.transferred_at is not null and r.transferred_at > r.transfer_due_at)
      or (r.status = 'APPROVED' and r.transfer_due_at < p.now_at))::int as rt_late,
    count(*) filter (where r.status = 'APPROVED' and r.transfer_due_at >= p.now_at)::int as rt_pending
  from referral r, p
  where r.department_code = any(?::text[]) and r.proposed_on between p.start_on and p.end_on
  group by r.department_code)
select d.code,
  coalesce(ic.planned, 0) as planned, coalesce(ic.due_planned, 0) as due_planned, coalesce(ic.overdue, 0) as overdue,
  coalesce(mc.rect_overdue, 0) as rect_overdue,
  coalesce(ic.rev_met, 0) as rev_met, coalesce(ic.rev_late, 0) as rev_late, coalesce(ic.rev_pending, 0) as rev_pending,
  coalesce(pc.pub_met, 0) as pub_met, coalesce(pc.pub_late, 0) as pub_late, coalesce(pc.pub_pending, 0) as pub_pending,
  coalesce(rc.ra_met, 0) as ra_met, coalesce(rc.ra_late, 0) as ra_late, coalesce(rc.ra_pending, 0) as ra_pending,
  coalesce(rc.rt_met, 0) as rt_met, coalesce(rc.rt_late, 0) as rt_late, coalesce(rc.rt_pending, 0) as rt_pending
from unnest(?::text[]) d(code)
  left join ic on ic.code = d.code left join mc on mc.code = d.code
  left join pc on pc.code = d.code left join rc on rc.code = d.code
order by d.code`;

function rate(met: number, late: number, pending: number): Rate {
  return { met, total: met + late, pending, percent: percent(met, met + late) };
}

/**
 * Scorecards for 督促 (the efficiency office's follow-up of poor performers): per department and
 * month, quarter or half-year, sampling coverage against the rules, overdue inspections and
 * rectifications, review, publication and referral timeliness. Counts come from SQL (one statement
 * for all departments, plus the sampling module's per-rule coverage statement per department);
 * a department is flagged when any rate with something due is below the threshold.
 */
export class ScorecardService {
  private readonly calendar: WorkCalendar = workCalendarFromYears(HOLIDAY_YEARS);

  constructor(
    private readonly settings: { reviewWorkingDays: number; thresholdPercent: number },
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Scorecards of every department (or one) for a period. Police stations see only their own.
   * @throws ValidationError for a malformed period or unknown department; ForbiddenError when a
   *   station asks for another department.
   */
  async compute(ctx: Ctx, periodText: string, departmentCode: string | undefined): Promise<Scorecard[]> {
    const period = parsePeriod(periodText);
    if (!this.calendar.coveredYears.has(Number(period.start.slice(0, 4))))
      throw new ValidationError([
        { field: 'period', message: `no working-day calendar is loaded for ${period.start.slice(0, 4)}` },
      ]);
    const scope = await ctx.scope();
    let code = departmentCode;
    if (scope.department?.kind === DepartmentKind.STATION && ctx.user.role !== 'ADMIN') {
      if (code !== undefined && code !== scope.department.code)
        throw new ForbiddenError(`a police station sees its own scorecard only (${scope.department.code})`);
      code = scope.department.code;
    }
    const all = await ctx.em.find(Department, code === undefined ? {} : { code }, {
      orderBy: { code: 'asc' },
    });
    if (code !== undefined && !all.length)
      throw new ValidationError([{ field: 'departmentCode', message: `no department ${code}` }]);
    // Offices that supervise nothing and inspect nothing have no scorecard.
    const departments = all.filter((d) => d.categories.length > 0 || code !== undefined);
    if (!departments.length) return [];
    const today = todayInShanghai(this.clock());
    const asOf = today;
    const coverageAsOf = period.end < today ? period.end : today;
    const codes = departments.map((d) => d.code);
    const pgCodes = `{${codes.map((c) => `"${c.replace(/["\\]/g, '')}"`).join(',')}}`;
    const rows = await ctx.em
      .getConnection()
      .execute<Row[]>(SCORECARD_SQL, [
        `{${this.workingDays(period).join(',')}}`,
        this.settings.reviewWorkingDays,
        period.start,
        period.end,
        asOf,
        this.clock().toISOString(),
        pgCodes,
        pgCodes,
        pgCodes,
        pgCodes,
        pgCodes,
      ]);
    const byCode = new Map(rows.map((r) => [r.code, r]));
    const out: Scorecard[] = [];
    for (const d of departments) {
      const r = byCode.get(d.code)!;
      const rules = await ctx.services.coverage.perRule(
        ctx.em,
        coverageAsOf,
        { departmentCode: d.code },
        null,
      );
      const required = rules.reduce((s, x) => s + x.required, 0);
      const achieved = rules.reduce((s, x) => s + Math.min(x.done, x.required), 0);
      const card: Scorecard = {
        departmentCode: d.code,
        departmentName: d.name,
        departmentKind: d.kind,
        period,
        asOf,
        coverageAsOf,
        coverage: { met: achieved, total: required, pending: 0, percent: percent(achieved, required) },
        inspectionsPlanned: r.planned,
        inspectionsOverdue: r.overdue,
        inspectionTimeliness: rate(r.due_planned - r.overdue, r.overdue, r.planned - r.due_planned),
        rectificationsOverdue: r.rect_overdue,
        reviewTimeliness: rate(r.rev_met, r.rev_late, r.rev_pending),
        publicationTimeliness: rate(r.pub_met, r.pub_late, r.pub_pending),
        referralApproval: rate(r.ra_met, r.ra_late, r.ra_pending),
        referralTransfer: rate(r.rt_met, r.rt_late, r.rt_pending),
        belowThreshold: false,
        reasons: [],
      };
      const checks: [string, Rate][] = [
        ['COVERAGE', card.coverage],
        ['INSPECTIONS', card.inspectionTimeliness],
        ['REVIEW', card.reviewTimeliness],
        ['PUBLICATION', card.publicationTimeliness],
        ['REFERRAL_APPROVAL', card.referralApproval],
        ['REFERRAL_TRANSFER', card.referralTransfer],
      ];
      // Integer comparison: met / total < threshold / 100.
      card.reasons = checks
        .filter(([, x]) => x.total > 0 && x.met * 100 < this.settings.thresholdPercent * x.total)
        .map(([name]) => name);
      card.belowThreshold = card.reasons.length > 0;
      out.push(card);
    }
    return out;
  }

  /** Working days from the period's start to half a year after its end, within the loaded calendar years. */
  private workingDays(period: ScorecardPeriod): string[] {
    const years = [...this.calendar.coveredYears].sort();
    if (!years.length) return [];
    const first = `${years[0]}-01-01`;
    const last = `${years[years.length - 1]}-12-31`;
    const from = period.start > first ? period.start : first;
    const horizon = addDays(period.end, 183);
    const to = horizon < last ? horizon : last;
    return from > to ? [] : daysFrom(from, to).filter((d) => isWorkingDay(this.calendar, d));
  }
}
