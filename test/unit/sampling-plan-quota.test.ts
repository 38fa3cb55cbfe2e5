import { describe, expect, it } from 'vitest';
import { planStrata, stratumKey, type PlanPoolRow } from '../../src/modules/sampling/plan-quota.js';
import { DEFAULT_FREQUENCY_RULES } from '../../src/modules/rules/defaults.js';
import type { IntensificationWindow } from '../../src/modules/rules/schedule.js';

function rows(n: number, over: Partial<PlanPoolRow> = {}, prefix = 'T'): PlanPoolRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${String(i).padStart(4, '0')}`,
    category: 'INTERNET_CAFE',
    grade: 'U',
    j: '350322510000',
    due: false,
    force: false,
    weight: null,
    ...over,
  }));
}

const plan = { plannedDate: '2026-12-07', periodMonths: 1, stratumMinimum: 1 };

describe('plan strata and quotas', () => {
  it('prorates the strictest QUOTA rule to the plan period and rounds up, exactly', () => {
    // Cafés: 5% per quarter (and 5% per half-year baseline); a monthly plan of 41 → ⌈41 × 5 / 300⌉ = 1.
    const [s] = planStrata(rows(41), DEFAULT_FREQUENCY_RULES, [], plan);
    expect(s).toMatchObject({
      stratum: 'INTERNET_CAFE|U|350322510000',
      size: 41,
      quota: 1,
      quotaPercent: '5',
      multiplier: '1',
    });
    const [q] = planStrata(rows(100), DEFAULT_FREQUENCY_RULES, [], { ...plan, periodMonths: 3 });
    expect(q!.quota).toBe(5);
  });

  it('counts must-include targets against the requirement, never below zero', () => {
    const r = [...rows(3, { due: true }, 'D'), ...rows(97)];
    const [s] = planStrata(r, DEFAULT_FREQUENCY_RULES, [], { ...plan, periodMonths: 3 });
    expect(s).toMatchObject({ size: 100, mustInclude: 3, quota: 2 });
    const [all] = planStrata(rows(10, { force: true }), DEFAULT_FREQUENCY_RULES, [], plan);
    expect(all).toMatchObject({ mustInclude: 10, quota: 0 });
  });

  it('puts weighted targets in their own stratum with a raised quota and applies intensification windows', () => {
    const boosted = rows(40, { weight: '3' }, 'B');
    const window: IntensificationWindow = {
      code: 'W',
      name: '国庆',
      from: '2026-12-01',
      to: '2026-12-10',
      multiplier: '2',
    };
    const strata = planStrata([...rows(40), ...boosted], DEFAULT_FREQUENCY_RULES, [window], {
      ...plan,
      periodMonths: 3,
    });
    expect(strata.map((s) => [s.stratum, s.quota, s.multiplier])).toEqual([
      ['INTERNET_CAFE|U|350322510000', 4, '2'], // ⌈40 × 5% × 2⌉
      ['INTERNET_CAFE|U|350322510000|W3', 12, '2'], // ⌈40 × 5% × 2 × 3⌉
    ]);
    expect(stratumKey(boosted[0]!)).toBe('INTERNET_CAFE|U|350322510000|W3');
  });

  it('applies the stratum minimum only where a quota rule exists', () => {
    const [s] = planStrata(rows(3), DEFAULT_FREQUENCY_RULES, [], { ...plan, stratumMinimum: 2 });
    expect(s!.quota).toBe(2);
    const [none] = planStrata(rows(3), [], [], { ...plan, stratumMinimum: 2 });
    expect(none).toMatchObject({ quota: 0, minimum: 0, quotaPercent: null });
  });
});
