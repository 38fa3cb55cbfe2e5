import { describe, expect, it } from 'vitest';

import { HOLIDAY_YEARS, type CalendarDayEntry } from '../../src/modules/calendar/holidays-data.js';
import {
  addDays,
  addWorkingDays,
  buildWorkCalendar,
  CalendarError,
  isWorkingDay,
  todayInShanghai,
  workCalendarFromYears,
  workingDaysBetween,
} from '../../src/modules/calendar/working-days.js';

const cal = workCalendarFromYears(HOLIDAY_YEARS);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CalendarError ? err.code : `not a CalendarError: ${String(err)}`;
  }
  return undefined;
}

function entriesOf(year: number): readonly CalendarDayEntry[] {
  const data = HOLIDAY_YEARS.find((y) => y.year === year);
  if (!data) throw new Error(`no data for ${year}`);
  return data.entries;
}

describe('holiday data', () => {
  it('2026 matches the State Council notice, day counts per festival', () => {
    const counts = new Map<string, number>();
    for (const e of entriesOf(2026).filter((x) => x.kind === 'HOLIDAY')) {
      counts.set(e.name, (counts.get(e.name) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({
      元旦: 3,
      春节: 9,
      清明节: 3,
      劳动节: 5,
      端午节: 3,
      中秋节: 3,
      国庆节: 7,
    });
    const makeups = entriesOf(2026)
      .filter((x) => x.kind === 'MAKEUP_WORKDAY')
      .map((x) => x.date);
    expect(makeups).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
    expect(entriesOf(2026).some((e) => e.provisional)).toBe(false);
  });

  it('marks every 2027 entry and the 2027 source as provisional', () => {
    const y2027 = HOLIDAY_YEARS.find((y) => y.year === 2027);
    expect(y2027?.source.status).toBe('PROVISIONAL');
    expect(y2027?.source.note).toContain('暂定');
    expect(entriesOf(2027).every((e) => e.provisional === true)).toBe(true);
  });

  it('never makes people work more than 6 days in a row (放假办法第七条)', () => {
    let run = 0;
    let longest = 0;
    for (let d = '2026-01-01'; d <= '2027-12-31'; d = addDays(d, 1)) {
      run = isWorkingDay(cal, d) ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    expect(longest).toBeLessThanOrEqual(6);
  });
});

describe('isWorkingDay', () => {
  it.each([
    ['2026-09-30', true],
    ['2026-10-01', false],
    ['2026-10-07', false],
    ['2026-10-08', true],
    ['2026-10-10', true], // make-up Saturday
    ['2026-10-11', false],
    ['2026-09-20', true], // make-up Sunday
    ['2026-09-25', false], // 中秋
    ['2026-02-14', true],
    ['2026-02-16', false], // 除夕
    ['2026-02-17', false], // 初一
    ['2026-02-23', false],
    ['2026-02-24', true],
    ['2026-03-07', false], // ordinary Saturday
    ['2027-02-05', false], // 除夕 2027 (Fri)
    ['2027-02-06', false], // 初一 2027
    ['2027-02-12', false],
    ['2027-02-15', true],
    ['2027-06-09', false], // 端午 on a Wednesday: that day only
    ['2027-06-10', true],
  ])('%s → %s', (date, expected) => {
    expect(isWorkingDay(cal, date)).toBe(expected);
  });

  it('refuses a year without data with CALENDAR_OUT_OF_RANGE', () => {
    expect(codeOf(() => isWorkingDay(cal, '2028-01-03'))).toBe('CALENDAR_OUT_OF_RANGE');
    expect(codeOf(() => isWorkingDay(cal, '2025-12-31'))).toBe('CALENDAR_OUT_OF_RANGE');
  });

  it('rejects malformed dates with CALENDAR_INVALID_DATE', () => {
    expect(codeOf(() => isWorkingDay(cal, '2026-02-30'))).toBe('CALENDAR_INVALID_DATE');
    expect(codeOf(() => isWorkingDay(cal, '2026-2-3'))).toBe('CALENDAR_INVALID_DATE');
  });
});

describe('addWorkingDays (deadline = n-th working day after from)', () => {
  it('国庆 2026: a 3-working-day deadline started 09-30 lands on the make-up Saturday 10-10', () => {
    expect(addWorkingDays(cal, '2026-09-30', 1)).toBe('2026-10-08');
    expect(addWorkingDays(cal, '2026-09-30', 3)).toBe('2026-10-10');
    expect(addWorkingDays(cal, '2026-09-30', 4)).toBe('2026-10-12');
  });

  it('starting on a holiday does not count that day', () => {
    expect(addWorkingDays(cal, '2026-10-03', 1)).toBe('2026-10-08');
  });

  it('春节 2026: the make-up Saturdays on either side count', () => {
    expect(addWorkingDays(cal, '2026-02-13', 1)).toBe('2026-02-14');
    expect(addWorkingDays(cal, '2026-02-14', 1)).toBe('2026-02-24');
    expect(addWorkingDays(cal, '2026-02-14', 5)).toBe('2026-02-28');
    expect(addWorkingDays(cal, '2026-02-14', 6)).toBe('2026-03-02');
  });

  it('春节 2027 (provisional): 除夕 02-05 to 初七 02-12 off', () => {
    expect(addWorkingDays(cal, '2027-02-04', 1)).toBe('2027-02-15');
    expect(addWorkingDays(cal, '2027-01-29', 1)).toBe('2027-01-31');
  });

  it('crosses the year boundary into a covered year', () => {
    expect(addWorkingDays(cal, '2026-12-31', 1)).toBe('2027-01-04');
  });

  it('throws CALENDAR_OUT_OF_RANGE instead of ignoring holidays past the data', () => {
    expect(codeOf(() => addWorkingDays(cal, '2027-12-30', 5))).toBe('CALENDAR_OUT_OF_RANGE');
    expect(codeOf(() => addWorkingDays(cal, '2025-12-31', 1))).toBe('CALENDAR_OUT_OF_RANGE');
  });

  it('n = 0 returns from; negative or fractional n is refused', () => {
    expect(addWorkingDays(cal, '2026-10-01', 0)).toBe('2026-10-01');
    expect(codeOf(() => addWorkingDays(cal, '2026-10-01', -1))).toBe('CALENDAR_INVALID_ARGUMENT');
    expect(codeOf(() => addWorkingDays(cal, '2026-10-01', 1.5))).toBe('CALENDAR_INVALID_ARGUMENT');
  });
});

describe('workingDaysBetween', () => {
  it('counts working days in (from, to]', () => {
    expect(workingDaysBetween(cal, '2026-09-30', '2026-10-10')).toBe(3);
    expect(workingDaysBetween(cal, '2026-02-14', '2026-02-28')).toBe(5);
    expect(workingDaysBetween(cal, '2026-10-01', '2026-10-01')).toBe(0);
  });

  it('crosses the year boundary and is negative backwards', () => {
    expect(workingDaysBetween(cal, '2026-12-30', '2027-01-05')).toBe(3);
    expect(workingDaysBetween(cal, '2027-01-05', '2026-12-30')).toBe(-3);
  });

  it('is the inverse of addWorkingDays', () => {
    for (let d = '2026-01-01'; d <= '2027-11-30'; d = addDays(d, 11)) {
      for (const n of [1, 2, 3, 5, 10, 20]) {
        expect(workingDaysBetween(cal, d, addWorkingDays(cal, d, n))).toBe(n);
      }
    }
  });

  it('throws CALENDAR_OUT_OF_RANGE when the interval leaves the data', () => {
    expect(codeOf(() => workingDaysBetween(cal, '2027-12-01', '2028-01-10'))).toBe('CALENDAR_OUT_OF_RANGE');
  });
});

describe('todayInShanghai', () => {
  it('uses UTC+8', () => {
    expect(todayInShanghai(new Date('2026-09-30T15:59:59Z'))).toBe('2026-09-30');
    expect(todayInShanghai(new Date('2026-09-30T16:00:00Z'))).toBe('2026-10-01');
    expect(todayInShanghai(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01');
  });

  it('rejects an invalid Date', () => {
    expect(codeOf(() => todayInShanghai(new Date('nope')))).toBe('CALENDAR_INVALID_DATE');
  });
});

describe('buildWorkCalendar validation', () => {
  it('rejects a weekday make-up, an uncovered year and a duplicate, listing all', () => {
    let caught: unknown;
    try {
      buildWorkCalendar({
        coveredYears: [2026],
        entries: [
          { date: '2026-10-09', kind: 'MAKEUP_WORKDAY', name: '国庆节' },
          { date: '2027-01-01', kind: 'HOLIDAY', name: '元旦' },
          { date: '2026-10-01', kind: 'HOLIDAY', name: '国庆节' },
          { date: '2026-10-01', kind: 'HOLIDAY', name: '国庆节' },
        ],
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CalendarError);
    const err = caught as CalendarError;
    expect(err.code).toBe('CALENDAR_INVALID_DATA');
    expect(err.details.problems).toHaveLength(3);
  });

  it('a calendar with one year refuses the next', () => {
    const only2026 = workCalendarFromYears(HOLIDAY_YEARS.filter((y) => y.year === 2026));
    expect(addWorkingDays(only2026, '2026-12-30', 1)).toBe('2026-12-31');
    expect(codeOf(() => addWorkingDays(only2026, '2026-12-31', 1))).toBe('CALENDAR_OUT_OF_RANGE');
  });
});
