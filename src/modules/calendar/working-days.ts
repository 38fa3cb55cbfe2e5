import type { CalendarDayEntry, HolidayYearData } from './holidays-data.js';

/** A civil date in Asia/Shanghai written `YYYY-MM-DD`, e.g. `'2026-10-08'`. */
export type IsoDate = string;

/** Stable codes of {@link CalendarError}. */
export type CalendarErrorCode =
  'CALENDAR_OUT_OF_RANGE' | 'CALENDAR_INVALID_DATE' | 'CALENDAR_INVALID_ARGUMENT' | 'CALENDAR_INVALID_DATA';

/**
 * Raised by every calendar function on bad input. `code` is stable and meant for API error mapping;
 * `details` names what was expected and what arrived.
 */
export class CalendarError extends Error {
  readonly code: CalendarErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: CalendarErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'CalendarError';
    this.code = code;
    this.details = details;
  }
}

/**
 * An immutable working-day calendar: which years it knows, and which days are exceptions to the
 * Monday–Friday week. Build it with {@link buildWorkCalendar}; never mutate it.
 */
export interface WorkCalendar {
  /** Years for which the holiday schedule is loaded; any other year is refused. */
  readonly coveredYears: ReadonlySet<number>;
  /** `HOLIDAY` entries by date. */
  readonly holidays: ReadonlyMap<IsoDate, CalendarDayEntry>;
  /** `MAKEUP_WORKDAY` entries by date. */
  readonly makeupWorkdays: ReadonlyMap<IsoDate, CalendarDayEntry>;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
// China has observed UTC+8 without daylight saving since 1991, so a fixed offset is exact for any date
// this platform handles and does not depend on the runtime's time-zone database.
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/**
 * Parses a `YYYY-MM-DD` string into UTC-midnight milliseconds.
 * @throws CalendarError `CALENDAR_INVALID_DATE` when the string is not a real calendar date.
 */
export function parseIsoDate(date: IsoDate): number {
  const m = typeof date === 'string' ? ISO_DATE.exec(date) : null;
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const ms = Date.UTC(y, mo - 1, d);
    const back = new Date(ms);
    if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) return ms;
  }
  throw new CalendarError(
    'CALENDAR_INVALID_DATE',
    `Expected a date as YYYY-MM-DD, got ${JSON.stringify(date)}`,
    {
      expected: 'YYYY-MM-DD',
      received: date,
    },
  );
}

/** Formats UTC-midnight milliseconds as `YYYY-MM-DD`. */
export function formatIsoDate(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Adds `n` calendar days (negative allowed). Example: `addDays('2026-12-31', 1) === '2027-01-01'`.
 * @throws CalendarError `CALENDAR_INVALID_DATE` / `CALENDAR_INVALID_ARGUMENT`.
 */
export function addDays(date: IsoDate, n: number): IsoDate {
  assertInteger(n, 'n');
  return formatIsoDate(parseIsoDate(date) + n * DAY_MS);
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). Example: `('2026-09-30','2026-10-08') → 8`. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((parseIsoDate(to) - parseIsoDate(from)) / DAY_MS);
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: IsoDate): number {
  const d = new Date(parseIsoDate(date)).getUTCDay();
  return d === 0 ? 7 : d;
}

/**
 * Today's civil date in Asia/Shanghai for the instant `now` (pass the injected clock's value).
 * Example: `todayInShanghai(new Date('2026-09-30T16:30:00Z')) === '2026-10-01'`.
 * @throws CalendarError `CALENDAR_INVALID_DATE` for an invalid `Date`.
 */
export function todayInShanghai(now: Date): IsoDate {
  const ms = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new CalendarError('CALENDAR_INVALID_DATE', 'Expected a valid Date for "now"', {
      received: String(now),
    });
  }
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** Input of {@link buildWorkCalendar}, shaped like the calendar tables it will be loaded from. */
export interface WorkCalendarInput {
  /** Years whose schedule is complete; must include the year of every entry. */
  readonly coveredYears: readonly number[];
  readonly entries: readonly CalendarDayEntry[];
}

/**
 * Builds and validates a calendar. Checks: every date is real and in a covered year; no date appears
 * twice; every make-up workday is a Saturday or Sunday (a weekday make-up would change nothing and is
 * almost certainly a typing error).
 * @throws CalendarError `CALENDAR_INVALID_DATA` listing every bad entry.
 */
export function buildWorkCalendar(input: WorkCalendarInput): WorkCalendar {
  const coveredYears = new Set<number>();
  const problems: string[] = [];
  for (const y of input.coveredYears) {
    if (Number.isInteger(y) && y >= 1900 && y <= 9999) coveredYears.add(y);
    else problems.push(`covered year ${JSON.stringify(y)} is not a 4-digit year`);
  }
  const holidays = new Map<IsoDate, CalendarDayEntry>();
  const makeupWorkdays = new Map<IsoDate, CalendarDayEntry>();
  for (const entry of input.entries) {
    const where = `${JSON.stringify(entry.date)} (${entry.kind} ${entry.name})`;
    try {
      parseIsoDate(entry.date);
    } catch {
      problems.push(`${where}: not a YYYY-MM-DD date`);
      continue;
    }
    if (!coveredYears.has(Number(entry.date.slice(0, 4)))) {
      problems.push(`${where}: year is not in coveredYears`);
    }
    if (holidays.has(entry.date) || makeupWorkdays.has(entry.date)) {
      problems.push(`${where}: date listed twice`);
      continue;
    }
    if (entry.kind === 'HOLIDAY') {
      holidays.set(entry.date, entry);
    } else if (entry.kind === 'MAKEUP_WORKDAY') {
      if (isoWeekday(entry.date) < 6)
        problems.push(`${where}: a make-up workday must be a Saturday or Sunday`);
      makeupWorkdays.set(entry.date, entry);
    } else {
      problems.push(`${where}: kind must be HOLIDAY or MAKEUP_WORKDAY`);
    }
  }
  if (problems.length > 0) {
    throw new CalendarError('CALENDAR_INVALID_DATA', `Invalid calendar data: ${problems.join('; ')}`, {
      problems,
    });
  }
  return { coveredYears, holidays, makeupWorkdays };
}

/**
 * Convenience: a calendar covering exactly the given years of seed data
 * (e.g. `workCalendarFromYears(HOLIDAY_YEARS)`).
 */
export function workCalendarFromYears(years: readonly HolidayYearData[]): WorkCalendar {
  return buildWorkCalendar({
    coveredYears: years.map((y) => y.year),
    entries: years.flatMap((y) => y.entries),
  });
}

/**
 * True when `date` is a working day: Monday–Friday that is not a HOLIDAY, or a MAKEUP_WORKDAY.
 * Example: `isWorkingDay(cal, '2026-10-10') === true` (a make-up Saturday).
 * @throws CalendarError `CALENDAR_OUT_OF_RANGE` when the calendar has no data for the year,
 *   `CALENDAR_INVALID_DATE` for a malformed date.
 */
export function isWorkingDay(cal: WorkCalendar, date: IsoDate): boolean {
  assertCovered(cal, date);
  if (cal.makeupWorkdays.has(date)) return true;
  if (cal.holidays.has(date)) return false;
  return isoWeekday(date) < 6;
}

/**
 * The statutory deadline "within n working days" (n 个工作日内): the n-th working day strictly after
 * `from`; the day of `from` itself never counts, whether or not it is a working day. `n = 0` returns `from`.
 * Example: `addWorkingDays(cal, '2026-09-30', 3) === '2026-10-10'`: 10-01…10-07 are the 国庆 holiday,
 * 10-08 (Thu) and 10-09 (Fri) are days 1 and 2, and the make-up Saturday 10-10 is day 3.
 * @throws CalendarError `CALENDAR_OUT_OF_RANGE` as soon as the count enters an uncovered year,
 *   `CALENDAR_INVALID_ARGUMENT` for a negative or fractional `n`.
 */
export function addWorkingDays(cal: WorkCalendar, from: IsoDate, n: number): IsoDate {
  assertInteger(n, 'n');
  if (n < 0) {
    throw new CalendarError('CALENDAR_INVALID_ARGUMENT', `Expected n >= 0, got ${n}`, { n });
  }
  assertCovered(cal, from);
  let day = from;
  let left = n;
  while (left > 0) {
    day = addDays(day, 1);
    if (isWorkingDay(cal, day)) left -= 1;
  }
  return day;
}

/**
 * Working days in the half-open interval (`from`, `to`]: the inverse of {@link addWorkingDays}, so
 * `workingDaysBetween(cal, d, addWorkingDays(cal, d, n)) === n`. Negative when `to` is before `from`;
 * 0 when equal.
 * @throws CalendarError `CALENDAR_OUT_OF_RANGE` when any day of the interval is in an uncovered year.
 */
export function workingDaysBetween(cal: WorkCalendar, from: IsoDate, to: IsoDate): number {
  const span = daysBetween(from, to);
  assertCovered(cal, from);
  assertCovered(cal, to);
  const [start, sign] = span >= 0 ? [from, 1] : [to, -1];
  let count = 0;
  for (let i = 1; i <= Math.abs(span); i += 1) {
    if (isWorkingDay(cal, addDays(start, i))) count += 1;
  }
  return sign * count;
}

function assertCovered(cal: WorkCalendar, date: IsoDate): void {
  parseIsoDate(date);
  const year = Number(date.slice(0, 4));
  if (!cal.coveredYears.has(year)) {
    const covered = [...cal.coveredYears].sort((a, b) => a - b);
    throw new CalendarError(
      'CALENDAR_OUT_OF_RANGE',
      `No holiday schedule loaded for ${year} (date ${date}); covered years: ${covered.join(', ') || 'none'}`,
      { date, year, coveredYears: covered },
    );
  }
}

function assertInteger(n: number, name: string): void {
  if (!Number.isSafeInteger(n)) {
    throw new CalendarError(
      'CALENDAR_INVALID_ARGUMENT',
      `Expected ${name} to be an integer, got ${String(n)}`,
      {
        [name]: n,
      },
    );
  }
}
