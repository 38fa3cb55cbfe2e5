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
 * Equals feeding every row to a {@link StrataAccumulator} and calling `finish`.
 */
export function planStrata(
  rows: readonly PlanPoolRow[],
  rules: readonly FrequencyRule[],
  windows: readonly IntensificationWindow[],
  plan: { plannedDate: string; periodMonths: number; stratumMinimum: number },
): StratumPlan[] {
  const acc = new StrataAccumulator();
  for (const r of rows) acc.add(r);
  return acc.finish(rules, windows, plan);
}

/** What a stratum keeps of its rows: the first row's attributes and two counters. */
interface StratumTally {
  key: string;
  category: string;
  grade: string;
  j: string;
  weight: string | null;
  size: number;
  must: number;
}

/**
 * {@link planStrata} fed one row at a time, so a pool streamed from the database never has to be
 * held whole: it keeps one small tally per stratum, not the rows.
 * Example: `acc.add(row)` per row, then `acc.finish(rules, windows, plan)` → the same strata as
 * `planStrata(rows, rules, windows, plan)`.
 */
export class StrataAccumulator {
  private readonly groups = new Map<string, StratumTally>();

  /** Counts a row in its stratum; returns the stratum key (one shared string per stratum). */
  add(row: PlanPoolRow): string {
    const key = stratumKey(row);
    let g = this.groups.get(key);
    if (g === undefined) {
      g = { key, category: row.category, grade: row.grade, j: row.j, weight: row.weight, size: 0, must: 0 };
      this.groups.set(key, g);
    }
    g.size++;
    if (row.due || row.force) g.must++;
    return g.key;
  }

  /** The strata with their quotas, in UTF-8 order of the key. */
  finish(
    rules: readonly FrequencyRule[],
    windows: readonly IntensificationWindow[],
    plan: { plannedDate: string; periodMonths: number; stratumMinimum: number },
  ): StratumPlan[] {
    const out: StratumPlan[] = [];
    for (const [stratum, row] of this.groups) {
      const { size, must } = row;
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
}
