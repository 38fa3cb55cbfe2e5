import { ValidationError } from '../../shared/errors.js';
import { addDays, formatIsoDate, parseIsoDate } from '../calendar/working-days.js';

/** A scorecard period: a calendar month, quarter or half-year. */
export interface ScorecardPeriod {
  label: string;
  kind: 'MONTH' | 'QUARTER' | 'HALF_YEAR';
  start: string;
  end: string;
}

function lastDay(year: number, month: number): string {
  // Day 0 of the next month is the last day of this one.
  return formatIsoDate(Date.UTC(year, month, 0));
}

/**
 * Parses `2026-11` (month), `2026-Q4` (quarter) or `2026-H2` (half-year).
 * @example parsePeriod('2026-Q4') // { label: '2026-Q4', kind: 'QUARTER', start: '2026-10-01', end: '2026-12-31' }
 * @throws ValidationError naming the field `period` for anything else.
 */
export function parsePeriod(raw: string): ScorecardPeriod {
  const m = /^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4])|H([12]))$/.exec(raw.trim());
  if (!m)
    throw new ValidationError([
      { field: 'period', message: `expected YYYY-MM, YYYY-Qn or YYYY-Hn, got ${JSON.stringify(raw)}` },
    ]);
  const year = Number(m[1]);
  const [kind, first, months] = m[2]
    ? (['MONTH', Number(m[2]), 1] as const)
    : m[3]
      ? (['QUARTER', (Number(m[3]) - 1) * 3 + 1, 3] as const)
      : (['HALF_YEAR', (Number(m[4]) - 1) * 6 + 1, 6] as const);
  const start = `${year}-${String(first).padStart(2, '0')}-01`;
  parseIsoDate(start);
  return { label: raw.trim(), kind, start, end: lastDay(year, first + months - 1) };
}

/** Every day from `from` to `to` inclusive. */
export function daysFrom(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/**
 * A rate as a decimal string with one decimal, rounded half up, from integers only; null when
 * nothing was due.
 * @example percent(37, 40) // '92.5'
 */
export function percent(met: number, total: number): string | null {
  if (total <= 0) return null;
  const tenths = Math.floor((2000 * met + total) / (2 * total));
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}
