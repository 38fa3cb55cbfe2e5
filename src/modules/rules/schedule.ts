import type { CalendarDayEntry, HolidayName, HolidayYearData } from '../calendar/holidays-data.js';
import { addDays, daysBetween, parseIsoDate, type IsoDate } from '../calendar/working-days.js';
import { TargetCategory, type Grade } from '../targets/target-category.js';

/**
 * `COVERAGE`: every unit at least once per `intervalMonths` (only order, timing and inspectors are random).
 * `QUOTA`: at least `quotaPercent` % of the roster drawn per calendar-aligned period of `periodMonths`.
 */
export type RuleMode = 'COVERAGE' | 'QUOTA';

/** Grade a rule can require; `UNGRADED` matches only targets without a grade. */
export type RuleGrade = `${Grade}` | 'UNGRADED';

/** Conditions a target must meet for a rule to apply; an absent key means "any". */
export interface RuleCondition {
  readonly grade?: RuleGrade;
  readonly blacklisted?: boolean;
  /** On the key-inspection sub-roster (重点抽查名录库). */
  readonly keyInspection?: boolean;
}

/** A frequency or ratio rule, as stored in the editable, versioned rules table. */
export interface FrequencyRule {
  /** Stable identifier, e.g. `'ENT-GRADE-A'`. */
  readonly code: string;
  readonly category: TargetCategory;
  readonly condition?: RuleCondition;
  readonly mode: RuleMode;
  /** COVERAGE only: the longest allowed gap between two inspections of one unit, in calendar months. */
  readonly intervalMonths?: number;
  /** QUOTA only: minimum share of the roster per period, a decimal string such as `"5"` or `"7.5"`. */
  readonly quotaPercent?: string;
  /** QUOTA only: period length in months, one of 1, 2, 3, 6, 12, aligned to the calendar year. */
  readonly periodMonths?: number;
  /** Breaks ties between equally specific rules; higher wins. */
  readonly priority: number;
  /** Chinese description quoting the seed. */
  readonly description: string;
  /** Clause of the seed the rule implements, e.g. `'二(二)1'`. */
  readonly seedClause: string;
  /** Why a value was chosen where the seed leaves it open. */
  readonly note?: string;
}

/** Risk signals that raise a target's chance of being drawn. */
export type RiskSignal =
  'COMPLAINTS' | 'ABNORMAL_LISTED' | 'SERIOUS_VIOLATION' | 'BLACKLISTED' | 'FIRE_INCIDENT' | 'KEY_INSPECTION';

/** A boost rule: "加大抽查力度" for targets showing a risk signal. */
export interface BoostRule {
  readonly code: string;
  /** Absent: applies to every category. */
  readonly category?: TargetCategory;
  readonly signal: RiskSignal;
  /** For counted signals (complaints): the minimum count within `windowMonths` that triggers the boost. */
  readonly threshold?: number;
  /** For counted signals: the look-back window in months. */
  readonly windowMonths?: number;
  /** `FORCE_INCLUDE`: drawn in every batch of the period; `WEIGHT`: drawn with `weight` times the base odds. */
  readonly effect: 'FORCE_INCLUDE' | 'WEIGHT';
  /** WEIGHT only: a decimal string > 1, e.g. `"3"`. */
  readonly weight?: string;
  readonly description: string;
  readonly seedClause: string;
}

/**
 * A period of intensified checks (重大节假日、重点区域). `multiplier` (decimal string) scales the quota of
 * draws held in the window; the planner may instead schedule an extra batch of that size.
 */
export interface IntensificationWindow {
  readonly code: string;
  readonly name: string;
  /** First day, inclusive. */
  readonly from: IsoDate;
  /** Last day, inclusive. */
  readonly to: IsoDate;
  readonly multiplier: string;
  /** Restricts the window to these 6-digit jurisdiction codes; absent means the whole county. */
  readonly areaJurisdictionCodes?: readonly string[];
  /** True when derived from provisional holiday data. */
  readonly provisional?: boolean;
}

/** What {@link resolveRule} needs to know about a target. */
export interface RuleTarget {
  readonly category: TargetCategory;
  /** Null or absent: ungraded, which counts as C. */
  readonly grade?: `${Grade}` | null;
  readonly blacklisted?: boolean;
  readonly keyInspection?: boolean;
}

/** A calendar-aligned period. */
export interface Period {
  readonly start: IsoDate;
  readonly end: IsoDate;
  /** `'2026-M11'`, `'2026-B6'`, `'2026-Q4'`, `'2026-H2'` or `'2026'`. */
  readonly label: string;
  readonly months: number;
}

/** Stable codes of {@link RuleError}. */
export type RuleErrorCode = 'RULE_INVALID' | 'RULE_NOT_COVERAGE' | 'RULE_INVALID_ARGUMENT';

/** Raised by the rule helpers; `code` is stable, `details` names what was expected and what arrived. */
export class RuleError extends Error {
  readonly code: RuleErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: RuleErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'RuleError';
    this.code = code;
    this.details = details;
  }
}

/** Period lengths that divide the calendar year. */
export const PERIOD_MONTHS = [1, 2, 3, 6, 12] as const;

const PERIOD_LABEL_PREFIX: Readonly<Record<number, string | undefined>> = { 1: 'M', 2: 'B', 3: 'Q', 6: 'H' };
const DECIMAL = /^\d{1,6}(\.\d{1,4})?$/;
const DECIMAL_SCALE = 10_000n;

/**
 * Adds `n` calendar months (negative allowed), clamping the day to the end of the target month.
 * Example: `addMonths('2026-01-31', 1) === '2026-02-28'`, `addMonths('2026-08-31', -6) === '2026-02-28'`.
 * @throws CalendarError `CALENDAR_INVALID_DATE`; RuleError `RULE_INVALID_ARGUMENT` for a fractional `n`.
 */
export function addMonths(date: IsoDate, n: number): IsoDate {
  parseIsoDate(date);
  if (!Number.isSafeInteger(n)) {
    throw new RuleError('RULE_INVALID_ARGUMENT', `Expected an integer month count, got ${String(n)}`, { n });
  }
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + n;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  const day = Math.min(d, daysInMonth(year, month));
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/**
 * The calendar-aligned period of `months` (1, 2, 3, 6 or 12) that contains `date`.
 * Example: `periodOf('2026-11-15', 3)` → `{ start: '2026-10-01', end: '2026-12-31', label: '2026-Q4', months: 3 }`.
 * @throws RuleError `RULE_INVALID_ARGUMENT` for another period length.
 */
export function periodOf(date: IsoDate, months: number): Period {
  parseIsoDate(date);
  if (!(PERIOD_MONTHS as readonly number[]).includes(months)) {
    throw new RuleError(
      'RULE_INVALID_ARGUMENT',
      `Expected a period of 1, 2, 3, 6 or 12 months, got ${months}`,
      {
        months,
      },
    );
  }
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const index = Math.floor((month - 1) / months);
  const firstMonth = index * months + 1;
  const lastMonth = firstMonth + months - 1;
  const prefix = PERIOD_LABEL_PREFIX[months];
  return {
    start: `${date.slice(0, 4)}-${pad2(firstMonth)}-01`,
    end: `${date.slice(0, 4)}-${pad2(lastMonth)}-${pad2(daysInMonth(year, lastMonth))}`,
    label: prefix === undefined ? String(year) : `${year}-${prefix}${index + 1}`,
    months,
  };
}

/**
 * The last day by which a unit under a COVERAGE rule must be inspected again:
 * `addMonths(base, rule.intervalMonths)` where `base` is the later of `lastInspectedOn` and
 * `rosterEnteredOn` (an inspection before the unit (re-)entered the roster does not count).
 * A rolling interval is stricter than "once per calendar quarter": keeping it keeps both.
 * Example: last inspected `'2026-01-31'`, C-grade venue (1 month) → `'2026-02-28'`.
 * @throws RuleError `RULE_NOT_COVERAGE` for a QUOTA rule or one without a valid interval.
 */
export function nextDueDate(
  lastInspectedOn: IsoDate | null,
  rule: FrequencyRule,
  rosterEnteredOn: IsoDate,
): IsoDate {
  const interval = coverageInterval(rule);
  parseIsoDate(rosterEnteredOn);
  const base =
    lastInspectedOn !== null && daysBetween(rosterEnteredOn, lastInspectedOn) > 0
      ? lastInspectedOn
      : rosterEnteredOn;
  return addMonths(base, interval);
}

/**
 * True when `today` is after {@link nextDueDate}; the due date itself is still on time.
 * Calendar days, not working days: the seed's frequencies are calendar months.
 */
export function isOverdue(
  lastInspectedOn: IsoDate | null,
  rule: FrequencyRule,
  rosterEnteredOn: IsoDate,
  today: IsoDate,
): boolean {
  return daysOverdue(lastInspectedOn, rule, rosterEnteredOn, today) > 0;
}

/** Calendar days `today` is past {@link nextDueDate}; 0 when not overdue. */
export function daysOverdue(
  lastInspectedOn: IsoDate | null,
  rule: FrequencyRule,
  rosterEnteredOn: IsoDate,
  today: IsoDate,
): number {
  return Math.max(0, daysBetween(nextDueDate(lastInspectedOn, rule, rosterEnteredOn), today));
}

/**
 * The COVERAGE rule that governs `target`, or null when its category has only QUOTA rules.
 * Among rules of the target's category whose every condition holds, the most specific wins (most condition
 * keys), then an exact grade match over the ungraded-counts-as-C fallback, then higher `priority`, then
 * the smaller `code` (so the answer never depends on input order).
 * Example: an ungraded entertainment venue gets `ENT-GRADE-C` unless an `UNGRADED` rule exists.
 */
export function resolveRule(target: RuleTarget, rules: readonly FrequencyRule[]): FrequencyRule | null {
  let best: { rule: FrequencyRule; rank: readonly number[] } | null = null;
  for (const rule of rules) {
    if (rule.mode !== 'COVERAGE' || rule.category !== target.category) continue;
    const gradeMatch = matchCondition(target, rule.condition ?? {});
    if (gradeMatch === null) continue;
    const rank = [conditionKeyCount(rule.condition), gradeMatch, rule.priority];
    if (best === null || compareRank(rank, best.rank, rule.code, best.rule.code) > 0) best = { rule, rank };
  }
  return best?.rule ?? null;
}

/**
 * QUOTA rules that apply to `target`'s category and conditions, highest priority first.
 * Every one of them must be met; the baseline half-year 5% rule is typically among them.
 */
export function quotaRulesFor(target: RuleTarget, rules: readonly FrequencyRule[]): FrequencyRule[] {
  return rules
    .filter((r) => r.mode === 'QUOTA' && r.category === target.category)
    .filter((r) => matchCondition(target, r.condition ?? {}) !== null)
    .sort((a, b) => b.priority - a.priority || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/**
 * Minimum number of units to draw: `ceil(rosterSize × quotaPercent × multiplier / 100)`, capped at the
 * roster size, computed in exact decimal arithmetic ("不低于5%" means rounding up).
 * Example: `quotaSampleSize(41, '5') === 3`, `quotaSampleSize(41, '5', '2') === 5`.
 * @throws RuleError `RULE_INVALID_ARGUMENT` for a negative size or a malformed decimal.
 */
export function quotaSampleSize(rosterSize: number, quotaPercent: string, multiplier = '1'): number {
  if (!Number.isSafeInteger(rosterSize) || rosterSize < 0) {
    throw new RuleError('RULE_INVALID_ARGUMENT', `Expected a roster size >= 0, got ${String(rosterSize)}`, {
      rosterSize,
    });
  }
  const pct = parseDecimal(quotaPercent, 'quotaPercent');
  const mult = parseDecimal(multiplier, 'multiplier');
  const denominator = 100n * DECIMAL_SCALE * DECIMAL_SCALE;
  const numerator = BigInt(rosterSize) * pct * mult;
  const size = Number((numerator + denominator - 1n) / denominator);
  return Math.min(size, rosterSize);
}

/**
 * Every problem with one rule, as messages naming the field; empty when valid.
 * Admin-edited rules go through this before they are saved.
 */
export function validateFrequencyRule(rule: FrequencyRule): string[] {
  const p: string[] = [];
  const at = `rule ${JSON.stringify(rule.code)}`;
  if (typeof rule.code !== 'string' || rule.code.trim() === '')
    p.push(`${at}: code must be a non-empty string`);
  if (!Object.values(TargetCategory).includes(rule.category)) {
    p.push(`${at}: category ${JSON.stringify(rule.category)} is not a TargetCategory`);
  }
  if (!Number.isSafeInteger(rule.priority)) p.push(`${at}: priority must be an integer`);
  const grade = rule.condition?.grade;
  if (grade !== undefined && !['A', 'B', 'C', 'UNGRADED'].includes(grade)) {
    p.push(`${at}: condition.grade must be A, B, C or UNGRADED, got ${JSON.stringify(grade)}`);
  }
  if (rule.mode === 'COVERAGE') {
    const n = rule.intervalMonths;
    if (n === undefined || !Number.isSafeInteger(n) || n < 1 || n > 24) {
      p.push(`${at}: COVERAGE needs intervalMonths as an integer 1–24, got ${String(n)}`);
    }
    if (rule.quotaPercent !== undefined || rule.periodMonths !== undefined) {
      p.push(`${at}: COVERAGE must not set quotaPercent or periodMonths`);
    }
  } else if (rule.mode === 'QUOTA') {
    if (rule.quotaPercent === undefined || !isPercent(rule.quotaPercent)) {
      p.push(
        `${at}: QUOTA needs quotaPercent as a decimal string in (0, 100], got ${String(rule.quotaPercent)}`,
      );
    }
    if (
      rule.periodMonths === undefined ||
      !(PERIOD_MONTHS as readonly number[]).includes(rule.periodMonths)
    ) {
      p.push(`${at}: QUOTA needs periodMonths in 1, 2, 3, 6, 12, got ${String(rule.periodMonths)}`);
    }
    if (rule.intervalMonths !== undefined) p.push(`${at}: QUOTA must not set intervalMonths`);
  } else {
    p.push(`${at}: mode must be COVERAGE or QUOTA, got ${JSON.stringify(rule.mode)}`);
  }
  return p;
}

/**
 * Validates a whole rule set (each rule, plus unique codes).
 * @throws RuleError `RULE_INVALID` listing every problem.
 */
export function assertValidRules(rules: readonly FrequencyRule[]): void {
  const problems = rules.flatMap(validateFrequencyRule);
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.code)) problems.push(`rule ${JSON.stringify(r.code)}: code used twice`);
    seen.add(r.code);
  }
  if (problems.length > 0) {
    throw new RuleError('RULE_INVALID', `Invalid rules: ${problems.join('; ')}`, { problems });
  }
}

/** Which holidays get an intensification window, and how strongly. */
export interface HolidayWindowSpec {
  readonly holiday: HolidayName;
  /** ASCII part of the window code, e.g. `'SPRING_FESTIVAL'`. */
  readonly codePart: string;
  readonly multiplier: string;
  /** Days before the first holiday day at which the window opens. */
  readonly leadDays: number;
}

/**
 * One window per contiguous block of HOLIDAY days of a listed holiday: from `leadDays` before the first
 * day to the last day of the block. Example: 2026 国庆 (10-01…10-07), lead 7 → `2026-09-24`…`2026-10-07`.
 */
export function deriveIntensificationWindows(
  years: readonly HolidayYearData[],
  specs: readonly HolidayWindowSpec[],
): IntensificationWindow[] {
  const windows: IntensificationWindow[] = [];
  for (const year of years) {
    for (const spec of specs) {
      const days = year.entries
        .filter((e) => e.kind === 'HOLIDAY' && e.name === spec.holiday)
        .sort((a, b) => (a.date < b.date ? -1 : 1));
      for (const block of contiguousBlocks(days)) {
        const first = block[0] as CalendarDayEntry;
        const last = block[block.length - 1] as CalendarDayEntry;
        const provisional = block.some((e) => e.provisional === true);
        windows.push({
          code: `HOLIDAY-${year.year}-${spec.codePart}`,
          name: `${year.year}年${spec.holiday}`,
          from: addDays(first.date, -spec.leadDays),
          to: last.date,
          multiplier: spec.multiplier,
          ...(provisional ? { provisional } : {}),
        });
      }
    }
  }
  return windows.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
}

/**
 * The multiplier in force on `date` for `jurisdictionCode`: the largest of the windows covering it
 * (overlapping windows do not compound), `"1"` when none does.
 */
export function intensificationMultiplier(
  date: IsoDate,
  windows: readonly IntensificationWindow[],
  jurisdictionCode?: string,
): string {
  parseIsoDate(date);
  let best = '1';
  for (const w of windows) {
    if (date < w.from || date > w.to) continue;
    if (
      w.areaJurisdictionCodes &&
      !(jurisdictionCode && w.areaJurisdictionCodes.includes(jurisdictionCode))
    ) {
      continue;
    }
    if (parseDecimal(w.multiplier, 'multiplier') > parseDecimal(best, 'multiplier')) best = w.multiplier;
  }
  return best;
}

function coverageInterval(rule: FrequencyRule): number {
  const n = rule.intervalMonths;
  if (rule.mode !== 'COVERAGE' || n === undefined || !Number.isSafeInteger(n) || n < 1) {
    throw new RuleError(
      'RULE_NOT_COVERAGE',
      `Rule ${rule.code} is not a COVERAGE rule with an interval; due dates exist only for COVERAGE rules`,
      { code: rule.code, mode: rule.mode, intervalMonths: n },
    );
  }
  return n;
}

// Returns null when a condition fails, else 1 for an exact match and 0 when the only grade match is the
// ungraded-counts-as-C fallback, so an explicit UNGRADED rule beats the C rule for an ungraded target.
function matchCondition(target: RuleTarget, c: RuleCondition): number | null {
  if (c.blacklisted !== undefined && c.blacklisted !== (target.blacklisted ?? false)) return null;
  if (c.keyInspection !== undefined && c.keyInspection !== (target.keyInspection ?? false)) return null;
  if (c.grade === undefined) return 1;
  const grade = target.grade ?? null;
  if (grade !== null) return c.grade === grade ? 1 : null;
  if (c.grade === 'UNGRADED') return 1;
  return c.grade === 'C' ? 0 : null;
}

function conditionKeyCount(c: RuleCondition | undefined): number {
  return c ? Object.values(c).filter((v) => v !== undefined).length : 0;
}

function compareRank(a: readonly number[], b: readonly number[], codeA: string, codeB: string): number {
  for (let i = 0; i < a.length; i += 1) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return codeA < codeB ? 1 : codeA > codeB ? -1 : 0;
}

function contiguousBlocks(days: readonly CalendarDayEntry[]): CalendarDayEntry[][] {
  const blocks: CalendarDayEntry[][] = [];
  for (const day of days) {
    const current = blocks[blocks.length - 1];
    const prev = current?.[current.length - 1];
    if (current && prev && daysBetween(prev.date, day.date) === 1) current.push(day);
    else blocks.push([day]);
  }
  return blocks;
}

function parseDecimal(value: string, field: string): bigint {
  if (typeof value !== 'string' || !DECIMAL.test(value)) {
    throw new RuleError(
      'RULE_INVALID_ARGUMENT',
      `Expected ${field} as a decimal string like "5" or "7.5", got ${JSON.stringify(value)}`,
      {
        field,
        received: value,
      },
    );
  }
  const [whole, frac = ''] = value.split('.') as [string, string?];
  return BigInt(whole) * DECIMAL_SCALE + BigInt(frac.padEnd(4, '0'));
}

function isPercent(value: string): boolean {
  if (!DECIMAL.test(value)) return false;
  const v = parseDecimal(value, 'quotaPercent');
  return v > 0n && v <= 100n * DECIMAL_SCALE;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
