import { describe, expect, it } from 'vitest';

import {
  assignmentLabel,
  deriveKey,
  DrawInputError,
  DrawStream,
  freezeInspectorPool,
  partialShuffle,
  utf8,
  type Inspector,
  type PoolInspector,
  type Relationship,
} from '../../src/modules/draw/algorithm.js';
import {
  ASSIGNMENT_CONSTRAINTS,
  assignInspectors,
  InfeasibleAssignmentError,
  type AssignmentConstraint,
  type AssignmentParams,
  type AssignmentTarget,
  type TeamAssignment,
} from '../../src/modules/draw/assignment.js';
import { sm3Node } from '../../src/modules/draw/sm3-node.js';
import { TargetCategory } from '../../src/modules/targets/target-category.js';
import { chiSquareSurvival } from '../support/chi-square.js';

const ZERO_HASH = '0'.repeat(64);

function keyFor(label: string): Uint8Array {
  return deriveKey(
    {
      seed: sm3Node(utf8(label)),
      entropy: '',
      targetPoolHash: ZERO_HASH,
      inspectorPoolHash: ZERO_HASH,
      paramsHash: ZERO_HASH,
    },
    sm3Node,
  );
}

function inspector(overrides: Partial<Inspector> & { id: string }): Inspector {
  return {
    departmentCode: '350322510000',
    poolDepartmentCodes: [],
    certificateValidFrom: '2024-01-01',
    certificateValidTo: '2026-12-31',
    status: 'ACTIVE',
    qualifiedCategories: [TargetCategory.HOTEL],
    currentLoad: 0,
    ...overrides,
  };
}

function target(overrides: Partial<AssignmentTarget> & { id: string }): AssignmentTarget {
  return {
    category: TargetCategory.HOTEL,
    departmentCode: '350322510000',
    relatedPersonIds: [],
    lastTeam: [],
    ...overrides,
  };
}

const PARAMS: AssignmentParams = { teamSize: 2, plannedDate: '2025-06-01', workloadCap: 5 };

function pool(inspectors: Inspector[], relationships: Relationship[] = []): PoolInspector[] {
  return [...freezeInspectorPool(inspectors, relationships, sm3Node).inspectors];
}

function infeasibility(fn: () => unknown): InfeasibleAssignmentError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InfeasibleAssignmentError) return error;
    throw error;
  }
  throw new Error('expected InfeasibleAssignmentError');
}

describe('assignInspectors', () => {
  it('gives every target a team of teamSize distinct eligible inspectors', () => {
    const inspectors = pool(['I1', 'I2', 'I3', 'I4'].map((id) => inspector({ id })));
    const teams = assignInspectors(
      [target({ id: 'T1' }), target({ id: 'T2' })],
      inspectors,
      { ...PARAMS, teamSize: 3 },
      keyFor('a'),
      sm3Node,
    );
    expect(teams.map((t) => t.targetId)).toEqual(['T1', 'T2']);
    for (const team of teams) {
      expect(team.inspectorIds).toHaveLength(3);
      expect(new Set(team.inspectorIds).size).toBe(3);
    }
  });

  it('refuses a team size below 2', () => {
    const inspectors = pool(['I1', 'I2'].map((id) => inspector({ id })));
    for (const teamSize of [1, 0, 1.5]) {
      expect(() =>
        assignInspectors([target({ id: 'T1' })], inspectors, { ...PARAMS, teamSize }, keyFor('a'), sm3Node),
      ).toThrow(DrawInputError);
    }
    try {
      assignInspectors([target({ id: 'T1' })], inspectors, { ...PARAMS, teamSize: 1 }, keyFor('a'), sm3Node);
    } catch (error) {
      expect((error as DrawInputError).field).toBe('params.teamSize');
      expect((error as DrawInputError).code).toBe('DRAW_INVALID_INPUT');
    }
  });

  it('refuses an inspector list that is not the frozen (sorted) pool', () => {
    const inspectors = pool(['I1', 'I2'].map((id) => inspector({ id }))).reverse();
    expect(() => assignInspectors([target({ id: 'T1' })], inspectors, PARAMS, keyFor('a'), sm3Node)).toThrow(
      /frozen pool/,
    );
  });

  describe('each infeasible case names its binding constraint', () => {
    // Two good inspectors and teamSize 2: knocking out one makes the target infeasible.
    const good = inspector({ id: 'I-GOOD' });
    const cases: {
      constraint: AssignmentConstraint;
      other: Inspector;
      target?: Partial<AssignmentTarget>;
      relationships?: Relationship[];
      params?: Partial<AssignmentParams>;
      note: string;
    }[] = [
      { note: 'on leave', constraint: 'STATUS', other: inspector({ id: 'I-X', status: 'ON_LEAVE' }) },
      { note: 'retired', constraint: 'STATUS', other: inspector({ id: 'I-X', status: 'RETIRED' }) },
      {
        note: 'certificate expired',
        constraint: 'CERTIFICATE',
        other: inspector({ id: 'I-X', certificateValidTo: '2025-05-31' }),
      },
      {
        note: 'certificate not yet valid',
        constraint: 'CERTIFICATE',
        other: inspector({ id: 'I-X', certificateValidFrom: '2025-06-02' }),
      },
      {
        note: 'not qualified',
        constraint: 'QUALIFICATION',
        other: inspector({ id: 'I-X', qualifiedCategories: [TargetCategory.PAWN] }),
      },
      {
        note: 'other department',
        constraint: 'JURISDICTION',
        other: inspector({ id: 'I-X', departmentCode: '350322520000' }),
      },
      {
        note: 'related to the target',
        constraint: 'RECUSAL',
        other: inspector({ id: 'I-X' }),
        relationships: [{ inspectorId: 'I-X', targetId: 'T1' }],
      },
      {
        note: 'related to a person of the target',
        constraint: 'RECUSAL',
        other: inspector({ id: 'I-X' }),
        target: { relatedPersonIds: ['P-9'] },
        relationships: [{ inspectorId: 'I-X', personId: 'P-9' }],
      },
      {
        note: 'in the last team',
        constraint: 'ROTATION',
        other: inspector({ id: 'I-X' }),
        target: { lastTeam: ['I-X'] },
      },
      {
        note: 'at the cap',
        constraint: 'WORKLOAD',
        other: inspector({ id: 'I-X', currentLoad: 5 }),
      },
    ];
    for (const c of cases) {
      it(`${c.constraint} (${c.note})`, () => {
        const inspectors = pool([good, c.other], c.relationships);
        const error = infeasibility(() =>
          assignInspectors(
            [target({ id: 'T1', ...c.target })],
            inspectors,
            { ...PARAMS, ...c.params },
            keyFor('x'),
            sm3Node,
          ),
        );
        expect(error.code).toBe('DRAW_INFEASIBLE');
        expect(error.targetId).toBe('T1');
        expect(error.constraint).toBe(c.constraint);
        expect(error.eligibleCount).toBe(1);
      });
    }

    it('the same two inspectors form a team when nothing knocks one out', () => {
      const teams = assignInspectors(
        [target({ id: 'T1' })],
        pool([good, inspector({ id: 'I-X' })]),
        PARAMS,
        keyFor('x'),
        sm3Node,
      );
      expect([...(teams[0] as TeamAssignment).inspectorIds].sort()).toEqual(['I-GOOD', 'I-X']);
    });

    it('POOL_SIZE when the pool itself is smaller than the team', () => {
      const error = infeasibility(() =>
        assignInspectors([target({ id: 'T1' })], pool([good]), PARAMS, keyFor('x'), sm3Node),
      );
      expect(error.constraint).toBe('POOL_SIZE');
    });

    it('an approved joint pool satisfies JURISDICTION', () => {
      const other = inspector({
        id: 'I-X',
        departmentCode: '350322520000',
        poolDepartmentCodes: ['350322510000'],
      });
      expect(() =>
        assignInspectors([target({ id: 'T1' })], pool([good, other]), PARAMS, keyFor('x'), sm3Node),
      ).not.toThrow();
    });

    it('WORKLOAD counts teams given earlier in the same draw (greedy, in draw order)', () => {
      const inspectors = pool(['I1', 'I2', 'I3'].map((id) => inspector({ id, currentLoad: 0 })));
      const error = infeasibility(() =>
        assignInspectors(
          [target({ id: 'T1' }), target({ id: 'T2' })],
          inspectors,
          { ...PARAMS, workloadCap: 1 },
          keyFor('w'),
          sm3Node,
        ),
      );
      expect(error.targetId).toBe('T2');
      expect(error.constraint).toBe('WORKLOAD');
      expect(error.message).toContain('T2');
    });

    it('names the first constraint in the documented order when several bind', () => {
      // I-X fails STATUS and CERTIFICATE: STATUS comes first.
      const other = inspector({ id: 'I-X', status: 'RETIRED', certificateValidTo: '2020-01-01' });
      const error = infeasibility(() =>
        assignInspectors([target({ id: 'T1' })], pool([good, other]), PARAMS, keyFor('x'), sm3Node),
      );
      expect(error.constraint).toBe('STATUS');
    });
  });

  it('picks each eligible inspector uniformly (chi-square over 1,200 fixed seeds, p > 0.01)', () => {
    const ids = ['I1', 'I2', 'I3', 'I4', 'I5', 'I6'];
    const inspectors = pool(ids.map((id) => inspector({ id })));
    const counts = new Map(ids.map((id) => [id, 0]));
    const runs = 1200;
    for (let s = 0; s < runs; s++) {
      const [team] = assignInspectors(
        [target({ id: 'T1' })],
        inspectors,
        PARAMS,
        keyFor(`assign seed ${s}`),
        sm3Node,
      );
      for (const id of (team as TeamAssignment).inspectorIds) counts.set(id, (counts.get(id) as number) + 1);
    }
    // Sampling 2 of 6 without replacement: Var = T·k(N−k)/N², covariance −Var/(N−1); the scaled
    // statistic below is χ²(N−1) (see draw-algorithm.test.ts for the derivation).
    const n = ids.length;
    const k = 2;
    const expected = (runs * k) / n;
    const scale = (runs * k * (n - k)) / (n * (n - 1));
    const x = [...counts.values()].reduce((acc, o) => acc + (o - expected) ** 2, 0) / scale;
    expect(chiSquareSurvival(x, n - 1)).toBeGreaterThan(0.01);
  });
});

describe('property: every assignment satisfies every constraint', () => {
  const CATEGORIES = [TargetCategory.HOTEL, TargetCategory.PAWN, TargetCategory.INTERNET_CAFE];
  const DEPTS = ['D1', 'D2'];
  const DATES = ['2025-01-01', '2025-06-01', '2025-06-02', '2025-12-31'];

  /** mulberry32: a generator for instances only, independent of the code under test. */
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function instance(seed: number) {
    const r = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
    const subset = <T>(xs: readonly T[], p: number): T[] => xs.filter(() => r() < p);
    const inspectorIds = Array.from({ length: 4 + Math.floor(r() * 26) }, (_, i) => `I${i}`);
    const persons = Array.from({ length: 6 }, (_, i) => `P${i}`);
    const targets: AssignmentTarget[] = Array.from({ length: 1 + Math.floor(r() * 8) }, (_, i) => ({
      id: `T${i}`,
      category: pick(CATEGORIES),
      departmentCode: pick(DEPTS),
      relatedPersonIds: subset(persons, 0.2),
      lastTeam: subset(inspectorIds, 0.1),
    }));
    const inspectors: Inspector[] = inspectorIds.map((id) => {
      const a = pick(DATES);
      const b = pick(DATES);
      return {
        id,
        departmentCode: pick(DEPTS),
        poolDepartmentCodes: subset(DEPTS, 0.4),
        certificateValidFrom: a < b ? a : b,
        certificateValidTo: a < b ? b : a,
        status: r() < 0.9 ? 'ACTIVE' : pick(['ON_LEAVE', 'RETIRED'] as const),
        qualifiedCategories: subset(CATEGORIES, 0.8),
        currentLoad: Math.floor(r() * 3),
      };
    });
    const relationships: Relationship[] = [];
    for (const id of inspectorIds) {
      if (r() < 0.15) relationships.push({ inspectorId: id, targetId: pick(targets).id });
      if (r() < 0.15) relationships.push({ inspectorId: id, personId: pick(persons) });
    }
    const params: AssignmentParams = {
      teamSize: 2 + Math.floor(r() * 2),
      plannedDate: pick(['2025-06-01', '2025-06-02']),
      workloadCap: 1 + Math.floor(r() * 5),
    };
    return { targets, inspectors: pool(inspectors, relationships), params };
  }

  /** Independent oracle: the count left after each constraint, in the documented order. */
  function counts(
    t: AssignmentTarget,
    inspectors: readonly PoolInspector[],
    params: AssignmentParams,
    load: Map<string, number>,
  ): Record<AssignmentConstraint, number> {
    const checks: Record<Exclude<AssignmentConstraint, 'POOL_SIZE'>, (i: PoolInspector) => boolean> = {
      STATUS: (i) => i.status === 'ACTIVE',
      CERTIFICATE: (i) =>
        i.certificateValidFrom <= params.plannedDate && params.plannedDate <= i.certificateValidTo,
      QUALIFICATION: (i) => i.qualifiedCategories.includes(t.category),
      JURISDICTION: (i) =>
        i.departmentCode === t.departmentCode || i.poolDepartmentCodes.includes(t.departmentCode),
      RECUSAL: (i) =>
        !i.recusalTargetIds.includes(t.id) && !t.relatedPersonIds.some((p) => i.recusalPersonIds.includes(p)),
      ROTATION: (i) => !t.lastTeam.includes(i.id),
      WORKLOAD: (i) => i.currentLoad + (load.get(i.id) ?? 0) + 1 <= params.workloadCap,
    };
    const out = { POOL_SIZE: inspectors.length } as Record<AssignmentConstraint, number>;
    let left = [...inspectors];
    for (const c of ASSIGNMENT_CONSTRAINTS) {
      if (c !== 'POOL_SIZE') left = left.filter(checks[c]);
      out[c] = left.length;
    }
    return out;
  }

  it('holds over 400 random instances, and infeasibility names the right constraint', () => {
    let assigned = 0;
    let infeasible = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const { targets, inspectors, params } = instance(seed);
      const key = keyFor(`property ${seed}`);
      const byId = new Map(inspectors.map((i) => [i.id, i]));
      let teams: TeamAssignment[];
      try {
        teams = assignInspectors(targets, inspectors, params, key, sm3Node);
      } catch (error) {
        if (!(error instanceof InfeasibleAssignmentError)) throw error;
        infeasible++;
        const failedAt = targets.findIndex((t) => t.id === error.targetId);
        const before = assignInspectors(targets.slice(0, failedAt), inspectors, params, key, sm3Node);
        const load = new Map<string, number>();
        for (const team of before) for (const id of team.inspectorIds) load.set(id, (load.get(id) ?? 0) + 1);
        const left = counts(targets[failedAt] as AssignmentTarget, inspectors, params, load);
        const binding = ASSIGNMENT_CONSTRAINTS.find((c) => left[c] < params.teamSize);
        expect(error.constraint, `instance ${seed}`).toBe(binding);
        expect(error.eligibleCount).toBe(left[error.constraint]);
        continue;
      }
      assigned++;
      expect(teams.map((t) => t.targetId)).toEqual(targets.map((t) => t.id));
      const load = new Map<string, number>();
      teams.forEach((team, index) => {
        const t = targets[index] as AssignmentTarget;
        expect(team.inspectorIds).toHaveLength(params.teamSize);
        expect(new Set(team.inspectorIds).size).toBe(params.teamSize);
        for (const id of team.inspectorIds) {
          const i = byId.get(id) as PoolInspector;
          expect(i.status).toBe('ACTIVE');
          expect(
            i.certificateValidFrom <= params.plannedDate && params.plannedDate <= i.certificateValidTo,
          ).toBe(true);
          expect(i.qualifiedCategories).toContain(t.category);
          expect(
            i.departmentCode === t.departmentCode || i.poolDepartmentCodes.includes(t.departmentCode),
          ).toBe(true);
          expect(i.recusalTargetIds).not.toContain(t.id);
          for (const p of t.relatedPersonIds) expect(i.recusalPersonIds).not.toContain(p);
          expect(t.lastTeam).not.toContain(id);
          load.set(id, (load.get(id) ?? 0) + 1);
        }
      });
      for (const [id, n] of load)
        expect((byId.get(id) as PoolInspector).currentLoad + n).toBeLessThanOrEqual(params.workloadCap);
    }
    // Both branches must actually be exercised for the property to mean anything.
    expect(assigned).toBeGreaterThan(20);
    expect(infeasible).toBeGreaterThan(20);
  });

  /**
   * The specification's literal procedure: filter the whole pool constraint by constraint, in pool
   * order, then a partial Fisher–Yates over the survivors. The indexed implementation must give
   * identical teams (and the identical error) on every instance.
   */
  function literalAssign(
    targets: readonly AssignmentTarget[],
    inspectors: readonly PoolInspector[],
    params: AssignmentParams,
    key: Uint8Array,
  ): TeamAssignment[] | { targetId: string; constraint: AssignmentConstraint; eligibleCount: number } {
    const load = new Map<string, number>();
    const teams: TeamAssignment[] = [];
    for (const t of targets) {
      const left = counts(t, inspectors, params, load);
      const binding = ASSIGNMENT_CONSTRAINTS.find((c) => left[c] < params.teamSize);
      if (binding) return { targetId: t.id, constraint: binding, eligibleCount: left[binding] };
      const eligible = inspectors.filter(
        (i) =>
          i.status === 'ACTIVE' &&
          i.certificateValidFrom <= params.plannedDate &&
          params.plannedDate <= i.certificateValidTo &&
          i.qualifiedCategories.includes(t.category) &&
          (i.departmentCode === t.departmentCode || i.poolDepartmentCodes.includes(t.departmentCode)) &&
          !i.recusalTargetIds.includes(t.id) &&
          !t.relatedPersonIds.some((p) => i.recusalPersonIds.includes(p)) &&
          !t.lastTeam.includes(i.id) &&
          i.currentLoad + (load.get(i.id) ?? 0) + 1 <= params.workloadCap,
      );
      const order = eligible.map((_i, index) => index);
      partialShuffle(order, params.teamSize, new DrawStream(key, assignmentLabel(t.id), sm3Node));
      const team = order.slice(0, params.teamSize).map((index) => (eligible[index] as PoolInspector).id);
      for (const id of team) load.set(id, (load.get(id) ?? 0) + 1);
      teams.push({ targetId: t.id, inspectorIds: team });
    }
    return teams;
  }

  it('gives exactly the teams of the literal constraint-by-constraint procedure (400 instances)', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const { targets, inspectors, params } = instance(seed);
      // Longer draw orders make the running workload matter across targets.
      const many = [...targets, ...targets.map((t) => ({ ...t, id: `${t.id}-again` }))];
      const key = keyFor(`equivalence ${seed}`);
      const expected = literalAssign(many, inspectors, params, key);
      let actual: typeof expected;
      try {
        actual = assignInspectors(many, inspectors, params, key, sm3Node);
      } catch (error) {
        if (!(error instanceof InfeasibleAssignmentError)) throw error;
        actual = {
          targetId: error.targetId,
          constraint: error.constraint,
          eligibleCount: error.eligibleCount,
        };
      }
      expect(actual, `instance ${seed}`).toEqual(expected);
    }
  });
});
