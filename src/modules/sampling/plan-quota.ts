import {
  intensificationMultiplier,
  quotaRulesFor,
  type FrequencyRule,
  type IntensificationWindow,
} from '../rules/schedule.js';
import type { TargetCategory } from '../targets/target-category.js';

/** One pool target as the plan sees it (a row of TARGET_POOL_SQL). */
export interface PlanPoolRow {
  id: string;
  category: string;
  /** A, B, C or U (ungraded). */
  grade: string;
  /** 12-digit station code. */
  j: string;
  /** Coverage-due by the end of the period. */
  due: boolean;
  /** A FORCE_INCLUDE boost applies. */
  force: boolean;
  /** Largest WEIGHT boost, decimal string, or null. */
  weight: string | null;
}

/** A stratum with its quota; `quota` counts random picks beyond its must-include targets. */
export interface StratumPlan {
  stratum: string;
  category: string;
  grade: string;
  jurisdictionCode: string;
  boostWeight: string | null;
  size: number;
  mustInclude: number;
  quota: number;
  minimum: number;
  quotaPercent: string | null;
  multiplier: string;
}

const SCALE = 10_000n;

function dec(value: string): bigint {
  const m = /^(\d{1,6})(?:\.(\d{1,4}))?$/.exec(value);
  if (!m) throw new RangeError(`expected a decimal string, got ${JSON.stringify(value)}`);
  return BigInt(m[1]!) * SCALE + BigInt((m[2] ?? '').padEnd(4, '0'));
}

/** Stratum key: category|grade|station, boosted targets apart with `|W<weight>`. */
export function stratumKey(row: Pick<PlanPoolRow, 'category' | 'grade' | 'j' | 'weight'>): string {
  return `${row.category}|${row.grade}|${row.j}${row.weight ? `|W${row.weight}` : ''}`;
}

/**
 * Quotas per stratum (category × grade × jurisdiction; WEIGHT-boosted targets form their own stratum):
 * required = ⌈size × p% × multiplier × weight × planMonths / ruleMonths⌉ (exact decimals), at least
 * `minimum` where a QUOTA rule applies, minus the stratum's must-include targets (coverage-due or
 * FORCE_INCLUDE), never below 0. p% is the largest of the category's QUOTA rules in force, prorated
 * when the plan's period is shorter than the rule's; the multiplier is the intensification window's
 * on the planned date for the station. Raised weight is realised as a higher quota of the boosted
 * stratum, so selection stays uniform within every stratum and verifiable.
 * Example: 41 cafés, 5% per quarter, monthly plan → ⌈41 × 5 × 1 / (100 × 3)⌉ = 1.
 */
export function planStrata(
  rows: readonly PlanPoolRow[],
  rules: readonly FrequencyRule[],
  windows: readonly IntensificationWindow[],
  plan: { plannedDate: string; periodMonths: number; stratumMinimum: number },
): StratumPlan[] {
  const groups = new Map<string, { row: PlanPoolRow; size: number; must: number }>();
  for (const r of rows) {
    const key = stratumKey(r);
    const g = groups.get(key) ?? { row: r, size: 0, must: 0 };
    g.size++;
    if (r.due || r.force) g.must++;
    groups.set(key, g);
  }
  const out: StratumPlan[] = [];
  for (const [stratum, { row, size, must }] of groups) {
    const quotaRules = quotaRulesFor(
      { category: row.category as TargetCategory, grade: row.grade === 'U' ? null : (row.grade as 'A') },
      rules,
    );
    // The strictest rule: the largest prorated share.
    let best: { num: bigint; den: bigint; pct: string } | null = null;
    for (const r of quotaRules) {
      const ruleMonths = r.periodMonths ?? plan.periodMonths;
      const months = BigInt(Math.min(plan.periodMonths, ruleMonths));
      const num = dec(r.quotaPercent ?? '0') * months;
      const den = BigInt(ruleMonths);
      if (!best || num * best.den > best.num * den) best = { num, den, pct: r.quotaPercent ?? '0' };
    }
    const multiplier = intensificationMultiplier(plan.plannedDate, windows, row.j);
    let required = 0;
    let minimum = 0;
    if (best) {
      const weight = dec(row.weight ?? '1');
      const numerator = BigInt(size) * best.num * dec(multiplier) * weight;
      const denominator = 100n * best.den * SCALE * SCALE * SCALE;
      required = Number((numerator + denominator - 1n) / denominator);
      minimum = size > 0 ? plan.stratumMinimum : 0;
    }
    const target = Math.min(size, Math.max(required, minimum));
    out.push({
      stratum,
      category: row.category,
      grade: row.grade,
      jurisdictionCode: row.j,
      boostWeight: row.weight,
      size,
      mustInclude: must,
      quota: Math.max(0, target - must),
      minimum,
      quotaPercent: best?.pct ?? null,
      multiplier,
    });
  }
  return out.sort((a, b) => Buffer.compare(Buffer.from(a.stratum), Buffer.from(b.stratum)));
}
