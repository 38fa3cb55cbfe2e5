import { describe, expect, it } from 'vitest';

import {
  BASELINE_RULES,
  DEFAULT_BOOST_RULES,
  DEFAULT_FREQUENCY_RULES,
  DEFAULT_INTENSIFICATION_WINDOWS,
} from '../../src/modules/rules/defaults.js';
import {
  addMonths,
  assertValidRules,
  daysOverdue,
  intensificationMultiplier,
  isOverdue,
  nextDueDate,
  periodOf,
  quotaRulesFor,
  quotaSampleSize,
  resolveRule,
  RuleError,
  type FrequencyRule,
  type IntensificationWindow,
  type RuleTarget,
} from '../../src/modules/rules/schedule.js';
import { TargetCategory } from '../../src/modules/targets/target-category.js';

const rules = DEFAULT_FREQUENCY_RULES;

function rule(code: string): FrequencyRule {
  const found = rules.find((r) => r.code === code);
  if (!found) throw new Error(`no rule ${code}`);
  return found;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof Error && 'code' in err ? String(err.code) : `unexpected: ${String(err)}`;
  }
  return undefined;
}

function makeRule(overrides: Partial<FrequencyRule> & Pick<FrequencyRule, 'code'>): FrequencyRule {
  return {
    category: TargetCategory.ENTERTAINMENT,
    mode: 'COVERAGE',
    intervalMonths: 1,
    priority: 0,
    description: '测试',
    seedClause: '测试',
    ...overrides,
  };
}

describe('addMonths', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2026-05-31', 6, '2026-11-30'],
    ['2026-08-31', -6, '2026-02-28'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-01-15', -1, '2025-12-15'],
    ['2026-10-31', 3, '2027-01-31'],
    ['2026-06-30', 0, '2026-06-30'],
  ])('%s %+d → %s', (date, n, expected) => {
    expect(addMonths(date, n)).toBe(expected);
  });

  it('refuses a fractional month count and a bad date', () => {
    expect(codeOf(() => addMonths('2026-01-31', 0.5))).toBe('RULE_INVALID_ARGUMENT');
    expect(codeOf(() => addMonths('2026-13-01', 1))).toBe('CALENDAR_INVALID_DATE');
  });
});

describe('periodOf', () => {
  it.each([
    ['2026-11-15', 1, '2026-M11', '2026-11-01', '2026-11-30'],
    ['2026-11-15', 2, '2026-B6', '2026-11-01', '2026-12-31'],
    ['2026-11-15', 3, '2026-Q4', '2026-10-01', '2026-12-31'],
    ['2026-11-15', 6, '2026-H2', '2026-07-01', '2026-12-31'],
    ['2026-11-15', 12, '2026', '2026-01-01', '2026-12-31'],
    ['2026-02-10', 2, '2026-B1', '2026-01-01', '2026-02-28'],
    ['2028-02-10', 1, '2028-M2', '2028-02-01', '2028-02-29'],
    ['2026-06-30', 6, '2026-H1', '2026-01-01', '2026-06-30'],
    ['2026-07-01', 3, '2026-Q3', '2026-07-01', '2026-09-30'],
  ])('%s / %d months → %s', (date, months, label, start, end) => {
    expect(periodOf(date, months)).toEqual({ label, start, end, months });
  });

  it('refuses a period that does not divide the year', () => {
    expect(codeOf(() => periodOf('2026-01-01', 4))).toBe('RULE_INVALID_ARGUMENT');
  });
});

describe('default rules', () => {
  it('are valid and have unique codes', () => {
    expect(() => assertValidRules(rules)).not.toThrow();
  });

  it('give every category the half-year ≥5% baseline', () => {
    for (const category of Object.values(TargetCategory)) {
      const base = BASELINE_RULES.find((r) => r.category === category);
      expect(base).toMatchObject({ mode: 'QUOTA', quotaPercent: '5', periodMonths: 6 });
      expect(base?.description).toContain('5%以上');
    }
  });

  it('make armed escort stricter than security service companies', () => {
    const escort = rule('ARMED_ESCORT-Q');
    const service = rule('SECURITY_SERVICE-H');
    expect(Number(escort.quotaPercent)).toBeGreaterThan(Number(service.quotaPercent));
    expect(escort.periodMonths).toBeLessThan(service.periodMonths ?? 0);
    expect(escort.note).toBeTruthy();
  });

  it('catch bad admin edits with RULE_INVALID listing each problem', () => {
    let caught: unknown;
    try {
      assertValidRules([
        makeRule({ code: 'X', intervalMonths: 0 }),
        makeRule({
          code: 'Y',
          mode: 'QUOTA',
          intervalMonths: undefined,
          quotaPercent: '5%',
          periodMonths: 4,
        }),
        makeRule({ code: 'X' }),
      ]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RuleError);
    expect((caught as RuleError).code).toBe('RULE_INVALID');
    expect((caught as RuleError).details.problems).toHaveLength(4);
  });

  it('boost rules: WEIGHT has a weight above 1, FORCE_INCLUDE has none, codes are unique', () => {
    const codes = new Set(DEFAULT_BOOST_RULES.map((b) => b.code));
    expect(codes.size).toBe(DEFAULT_BOOST_RULES.length);
    for (const b of DEFAULT_BOOST_RULES) {
      if (b.effect === 'WEIGHT') expect(Number(b.weight)).toBeGreaterThan(1);
      else expect(b.weight).toBeUndefined();
    }
    const cafeSignals = DEFAULT_BOOST_RULES.filter((b) => b.category === TargetCategory.INTERNET_CAFE).map(
      (b) => b.signal,
    );
    expect(cafeSignals).toEqual(
      expect.arrayContaining(['COMPLAINTS', 'ABNORMAL_LISTED', 'SERIOUS_VIOLATION']),
    );
    const fireSignals = DEFAULT_BOOST_RULES.filter((b) => b.category === TargetCategory.FIRE_SAFETY_KEY).map(
      (b) => b.signal,
    );
    expect(fireSignals).toEqual(expect.arrayContaining(['COMPLAINTS', 'SERIOUS_VIOLATION', 'FIRE_INCIDENT']));
  });
});

describe('resolveRule', () => {
  // A Record keyed by the enum: adding a category without deciding its rule fails the typecheck.
  const expected: Record<
    TargetCategory,
    { target?: Partial<RuleTarget>; coverage: string | null; quota: string[] }[]
  > = {
    [TargetCategory.ENTERTAINMENT]: [
      { target: { grade: 'A' }, coverage: 'ENT-GRADE-A', quota: ['BASE-ENTERTAINMENT'] },
      { target: { grade: 'B' }, coverage: 'ENT-GRADE-B', quota: ['BASE-ENTERTAINMENT'] },
      { target: { grade: 'C' }, coverage: 'ENT-GRADE-C', quota: ['BASE-ENTERTAINMENT'] },
      { target: { grade: null }, coverage: 'ENT-GRADE-C', quota: ['BASE-ENTERTAINMENT'] },
      { target: {}, coverage: 'ENT-GRADE-C', quota: ['BASE-ENTERTAINMENT'] },
    ],
    [TargetCategory.HOTEL]: [
      { target: { blacklisted: true }, coverage: 'HOTEL-BLACKLISTED', quota: ['BASE-HOTEL'] },
      { target: { blacklisted: false }, coverage: 'HOTEL-NORMAL', quota: ['BASE-HOTEL'] },
      { target: {}, coverage: 'HOTEL-NORMAL', quota: ['BASE-HOTEL'] },
    ],
    [TargetCategory.AUTO_REPAIR]: [{ coverage: 'AUTO_REPAIR-3M', quota: ['BASE-AUTO_REPAIR'] }],
    [TargetCategory.SEAL_ENGRAVING]: [{ coverage: 'SEAL_ENGRAVING-3M', quota: ['BASE-SEAL_ENGRAVING'] }],
    [TargetCategory.PAWN]: [{ coverage: 'PAWN-3M', quota: ['BASE-PAWN'] }],
    [TargetCategory.SECURITY_SERVICE]: [
      { coverage: null, quota: ['SECURITY_SERVICE-H', 'BASE-SECURITY_SERVICE'] },
    ],
    [TargetCategory.SECURITY_TRAINING]: [
      { coverage: null, quota: ['SECURITY_TRAINING-H', 'BASE-SECURITY_TRAINING'] },
    ],
    [TargetCategory.ARMED_ESCORT]: [{ coverage: null, quota: ['ARMED_ESCORT-Q', 'BASE-ARMED_ESCORT'] }],
    [TargetCategory.FIREARMS_MAKER]: [{ coverage: 'FIREARMS_MAKER-Q', quota: ['BASE-FIREARMS_MAKER'] }],
    [TargetCategory.FIREARMS_SELLER]: [{ coverage: 'FIREARMS_SELLER-Q', quota: ['BASE-FIREARMS_SELLER'] }],
    [TargetCategory.FIREARMS_USER]: [{ coverage: 'FIREARMS_USER-Q', quota: ['BASE-FIREARMS_USER'] }],
    [TargetCategory.BLASTING_COMMERCIAL]: [
      { coverage: 'BLASTING_COMMERCIAL-Q', quota: ['BASE-BLASTING_COMMERCIAL'] },
    ],
    [TargetCategory.BLASTING_NONCOMMERCIAL]: [
      { coverage: 'BLASTING_NONCOMMERCIAL-H', quota: ['BASE-BLASTING_NONCOMMERCIAL'] },
    ],
    [TargetCategory.FIRE_SAFETY_KEY]: [
      { coverage: null, quota: ['FIRE_SAFETY_KEY-Q', 'BASE-FIRE_SAFETY_KEY'] },
    ],
    [TargetCategory.FIRE_SAFETY_GENERAL]: [
      { coverage: null, quota: ['FIRE_SAFETY_GENERAL-Q', 'BASE-FIRE_SAFETY_GENERAL'] },
    ],
    [TargetCategory.INTERNET_CAFE]: [{ coverage: null, quota: ['INTERNET_CAFE-Q', 'BASE-INTERNET_CAFE'] }],
  };

  const cases = Object.values(TargetCategory).flatMap((category) =>
    expected[category].map((c) => ({
      category,
      ...c,
      label: `${category} ${JSON.stringify(c.target ?? {})}`,
    })),
  );

  it.each(cases)('$label → $coverage', ({ category, target, coverage, quota }) => {
    const t: RuleTarget = { category, ...target };
    expect(resolveRule(t, rules)?.code ?? null).toBe(coverage);
    expect(quotaRulesFor(t, rules).map((r) => r.code)).toEqual(quota);
  });

  it('uses the intervals the seed fixes', () => {
    const interval = (t: RuleTarget) => resolveRule(t, rules)?.intervalMonths;
    expect(interval({ category: TargetCategory.ENTERTAINMENT, grade: 'A' })).toBe(3);
    expect(interval({ category: TargetCategory.ENTERTAINMENT, grade: 'B' })).toBe(2);
    expect(interval({ category: TargetCategory.ENTERTAINMENT, grade: null })).toBe(1);
    expect(interval({ category: TargetCategory.HOTEL, blacklisted: true })).toBe(1);
    expect(interval({ category: TargetCategory.HOTEL })).toBe(3);
    expect(interval({ category: TargetCategory.BLASTING_COMMERCIAL })).toBe(3);
    expect(interval({ category: TargetCategory.BLASTING_NONCOMMERCIAL })).toBe(6);
  });

  it('lets an explicit UNGRADED rule beat the ungraded-as-C fallback', () => {
    const withUngraded = [
      ...rules,
      makeRule({ code: 'ENT-UNGRADED', condition: { grade: 'UNGRADED' }, intervalMonths: 2 }),
    ];
    expect(resolveRule({ category: TargetCategory.ENTERTAINMENT, grade: null }, withUngraded)?.code).toBe(
      'ENT-UNGRADED',
    );
    expect(resolveRule({ category: TargetCategory.ENTERTAINMENT, grade: 'C' }, withUngraded)?.code).toBe(
      'ENT-GRADE-C',
    );
  });

  it('picks the most specific rule, then priority, then code, whatever the order', () => {
    const general = makeRule({ code: 'B-GENERAL', priority: 99 });
    const specific = makeRule({ code: 'A-SPECIFIC', condition: { grade: 'A', keyInspection: true } });
    const gradeOnly = makeRule({ code: 'C-GRADE', condition: { grade: 'A' } });
    const target: RuleTarget = { category: TargetCategory.ENTERTAINMENT, grade: 'A', keyInspection: true };
    for (const set of [
      [general, specific, gradeOnly],
      [gradeOnly, specific, general],
    ]) {
      expect(resolveRule(target, set)?.code).toBe('A-SPECIFIC');
    }
    expect(resolveRule({ ...target, keyInspection: false }, [general, specific, gradeOnly])?.code).toBe(
      'C-GRADE',
    );
    const twinA = makeRule({ code: 'TWIN-B' });
    const twinB = makeRule({ code: 'TWIN-A' });
    expect(resolveRule(target, [twinA, twinB])?.code).toBe('TWIN-A');
    expect(resolveRule(target, [twinB, twinA])?.code).toBe('TWIN-A');
  });
});

describe('due dates', () => {
  const entC = rule('ENT-GRADE-C');
  const hotel = rule('HOTEL-NORMAL');

  it('counts from the roster entry when never inspected, clamping month ends', () => {
    expect(nextDueDate(null, entC, '2026-01-31')).toBe('2026-02-28');
  });

  it('counts from the last inspection', () => {
    expect(nextDueDate('2026-03-10', hotel, '2025-01-01')).toBe('2026-06-10');
    expect(nextDueDate('2026-11-30', hotel, '2025-01-01')).toBe('2027-02-28');
  });

  it('ignores an inspection older than the roster entry', () => {
    expect(nextDueDate('2025-06-01', hotel, '2026-01-15')).toBe('2026-04-15');
  });

  it('is on time on the due date and overdue the day after', () => {
    expect(isOverdue('2026-03-10', hotel, '2025-01-01', '2026-06-10')).toBe(false);
    expect(isOverdue('2026-03-10', hotel, '2025-01-01', '2026-06-11')).toBe(true);
    expect(daysOverdue('2026-03-10', hotel, '2025-01-01', '2026-06-10')).toBe(0);
    expect(daysOverdue('2026-03-10', hotel, '2025-01-01', '2026-07-01')).toBe(21);
    expect(daysOverdue(null, entC, '2026-12-15', '2027-01-20')).toBe(5);
  });

  it('refuses QUOTA rules with RULE_NOT_COVERAGE', () => {
    expect(codeOf(() => nextDueDate(null, rule('INTERNET_CAFE-Q'), '2026-01-01'))).toBe('RULE_NOT_COVERAGE');
  });
});

describe('quotaSampleSize', () => {
  it.each([
    [41, '5', '1', 3],
    [40, '5', '1', 2],
    [0, '5', '1', 0],
    [1, '5', '1', 1],
    [41, '5', '2', 5],
    [41, '5', '1.5', 4],
    [7, '7.5', '1', 1],
    [3, '100', '2', 3],
  ])('%d units at %s%% × %s → %d', (size, pct, mult, expectedSize) => {
    expect(quotaSampleSize(size, pct, mult)).toBe(expectedSize);
  });

  it('refuses malformed input', () => {
    expect(codeOf(() => quotaSampleSize(10, '5%'))).toBe('RULE_INVALID_ARGUMENT');
    expect(codeOf(() => quotaSampleSize(-1, '5'))).toBe('RULE_INVALID_ARGUMENT');
  });
});

describe('intensification windows', () => {
  const byCode = (code: string) => DEFAULT_INTENSIFICATION_WINDOWS.find((w) => w.code === code);

  it('open 7 days before each major holiday and close on its last day', () => {
    expect(byCode('HOLIDAY-2026-NATIONAL_DAY')).toMatchObject({
      name: '2026年国庆节',
      from: '2026-09-24',
      to: '2026-10-07',
      multiplier: '2',
    });
    expect(byCode('HOLIDAY-2026-SPRING_FESTIVAL')).toMatchObject({ from: '2026-02-08', to: '2026-02-23' });
    expect(byCode('HOLIDAY-2026-LABOUR_DAY')).toMatchObject({ from: '2026-04-24', to: '2026-05-05' });
    expect(byCode('HOLIDAY-2027-NEW_YEAR')).toMatchObject({ from: '2026-12-25', to: '2027-01-03' });
    expect(byCode('HOLIDAY-2027-SPRING_FESTIVAL')).toMatchObject({
      from: '2027-01-29',
      to: '2027-02-12',
      provisional: true,
    });
    expect(byCode('HOLIDAY-2026-NATIONAL_DAY')?.provisional).toBeUndefined();
    expect(DEFAULT_INTENSIFICATION_WINDOWS).toHaveLength(8);
  });

  it('give the largest multiplier in force, "1" outside any window', () => {
    const keyArea: IntensificationWindow = {
      code: 'AREA-TEST',
      name: '重点区域',
      from: '2026-09-01',
      to: '2026-10-31',
      multiplier: '3',
      areaJurisdictionCodes: ['350322'],
    };
    const windows = [...DEFAULT_INTENSIFICATION_WINDOWS, keyArea];
    expect(intensificationMultiplier('2026-10-01', windows)).toBe('2');
    expect(intensificationMultiplier('2026-10-01', windows, '350322')).toBe('3');
    expect(intensificationMultiplier('2026-10-20', windows, '350399')).toBe('1');
    expect(intensificationMultiplier('2026-11-01', windows)).toBe('1');
    expect(intensificationMultiplier('2026-12-28', windows)).toBe('1.5');
  });
});
