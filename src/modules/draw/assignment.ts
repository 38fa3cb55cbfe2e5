/**
 * Pure inspector assignment (the second 随机): for each drawn target, in draw order, a team drawn
 * uniformly from the inspectors who satisfy every constraint. Greedy: earlier targets are served
 * first and their teams count against the workload cap of later ones.
 */
import {
  assignmentLabel,
  compareUtf8,
  DrawInputError,
  DrawStream,
  isValidDate,
  partialShuffle,
  type HashFn,
  type PoolInspector,
  type PoolTarget,
} from './algorithm.js';

/** Constraints in the order they are applied; the first to leave fewer than teamSize binds. */
export const ASSIGNMENT_CONSTRAINTS = [
  'POOL_SIZE',
  'STATUS',
  'CERTIFICATE',
  'QUALIFICATION',
  'JURISDICTION',
  'RECUSAL',
  'ROTATION',
  'WORKLOAD',
] as const;

/**
 * - POOL_SIZE: the inspector pool itself is smaller than the team size.
 * - STATUS: only ACTIVE inspectors.
 * - CERTIFICATE: certificateValidFrom ≤ plannedDate ≤ certificateValidTo.
 * - QUALIFICATION: the target's category is in qualifiedCategories.
 * - JURISDICTION: same departmentCode as the target, or the target's department is in poolDepartmentCodes.
 * - RECUSAL: no registered relationship to the target or to any of its relatedPersonIds.
 * - ROTATION: not in the target's lastTeam.
 * - WORKLOAD: currentLoad + teams already given in this draw + 1 ≤ workloadCap.
 */
export type AssignmentConstraint = (typeof ASSIGNMENT_CONSTRAINTS)[number];

/** A drawn target as assignment sees it. */
export type AssignmentTarget = Pick<
  PoolTarget,
  'id' | 'category' | 'departmentCode' | 'relatedPersonIds' | 'lastTeam'
>;

/** The part of the draw params that assignment reads. */
export interface AssignmentParams {
  teamSize: number;
  /** `YYYY-MM-DD`. */
  plannedDate: string;
  workloadCap: number;
}

/** The team of one target, inspector ids in draw order. */
export interface TeamAssignment {
  targetId: string;
  inspectorIds: string[];
}

/**
 * No team of the required size can be formed for `targetId`. Never answered with a smaller team
 * or a relaxed constraint: the operator changes the plan and starts a new, recorded attempt.
 */
export class InfeasibleAssignmentError extends Error {
  readonly code = 'DRAW_INFEASIBLE';
  constructor(
    readonly targetId: string,
    readonly constraint: AssignmentConstraint,
    /** Inspectors left after the binding constraint. */
    readonly eligibleCount: number,
    readonly teamSize: number,
  ) {
    super(
      `no team of ${teamSize} for target ${JSON.stringify(targetId)}: ` +
        `${eligibleCount} inspector(s) left after constraint ${constraint}`,
    );
    this.name = 'InfeasibleAssignmentError';
  }
}

type Filter = (inspector: PoolInspector, index: number) => boolean;

/**
 * Replays the constraints of {@link ASSIGNMENT_CONSTRAINTS} one by one, as the specification states
 * them, to name the binding one. Only reached when the indexed path found fewer than teamSize
 * eligible inspectors, so its cost (the whole pool, per constraint) is paid at most once per draw.
 */
function bindingConstraint(
  target: AssignmentTarget,
  inspectors: readonly PoolInspector[],
  params: AssignmentParams,
  assigned: Int32Array,
): InfeasibleAssignmentError {
  const { teamSize, plannedDate, workloadCap } = params;
  const lastTeam = new Set(target.lastTeam);
  const related = target.relatedPersonIds;
  const filters: Record<Exclude<AssignmentConstraint, 'POOL_SIZE'>, Filter> = {
    STATUS: (i) => i.status === 'ACTIVE',
    CERTIFICATE: (i) => i.certificateValidFrom <= plannedDate && plannedDate <= i.certificateValidTo,
    QUALIFICATION: (i) => i.qualifiedCategories.includes(target.category),
    JURISDICTION: (i) =>
      i.departmentCode === target.departmentCode || i.poolDepartmentCodes.includes(target.departmentCode),
    RECUSAL: (i) =>
      !i.recusalTargetIds.includes(target.id) && !related.some((p) => i.recusalPersonIds.includes(p)),
    ROTATION: (i) => !lastTeam.has(i.id),
    WORKLOAD: (i, index) => i.currentLoad + (assigned[index] as number) + 1 <= workloadCap,
  };
  let eligible: number[] = inspectors.map((_i, index) => index);
  for (const constraint of ASSIGNMENT_CONSTRAINTS) {
    if (constraint !== 'POOL_SIZE') {
      const keep = filters[constraint];
      eligible = eligible.filter((index) => keep(inspectors[index] as PoolInspector, index));
    }
    if (eligible.length < teamSize) {
      return new InfeasibleAssignmentError(target.id, constraint, eligible.length, teamSize);
    }
  }
  // Unreachable while both paths implement the same constraints; refuse rather than guess.
  throw new Error(`assignment paths disagree on target ${JSON.stringify(target.id)}`);
}

/**
 * Assigns a team to every target, in the given (draw) order.
 *
 * `inspectors` is the frozen pool (`freezeInspectorPool(...).inspectors`). For each target the inspectors
 * (in pool order, i.e. UTF-8 id order) are filtered by
 * {@link ASSIGNMENT_CONSTRAINTS} in order; a partial Fisher–Yates with the stream labelled
 * `"ASSIGN" 0x00 targetId` picks teamSize of the eligible ones.
 *
 * The constraints that do not depend on the draw's running state (status, certificate on the planned
 * date, qualification, jurisdiction) are evaluated once per (category, department) into a bucket kept
 * in pool order; each target then filters only its bucket by recusal, rotation and workload. The
 * eligible list — and so the result — is exactly the one the constraint-by-constraint definition gives.
 *
 * @example assignInspectors(drawnTargets, frozenInspectors.inspectors, params, key, sm3Node)
 * @throws DrawInputError when teamSize < 2 or a date or the cap is malformed.
 * @throws InfeasibleAssignmentError naming the target and the binding constraint.
 */
export function assignInspectors(
  targets: readonly AssignmentTarget[],
  inspectors: readonly PoolInspector[],
  params: AssignmentParams,
  key: Uint8Array,
  hash: HashFn,
): TeamAssignment[] {
  const { teamSize, plannedDate, workloadCap } = params;
  if (!Number.isSafeInteger(teamSize) || teamSize < 2) {
    throw new DrawInputError('params.teamSize', `expected an integer of at least 2, got ${String(teamSize)}`);
  }
  if (typeof plannedDate !== 'string' || !isValidDate(plannedDate)) {
    throw new DrawInputError('params.plannedDate', `expected a date YYYY-MM-DD, got ${String(plannedDate)}`);
  }
  if (!Number.isSafeInteger(workloadCap) || workloadCap < 0) {
    throw new DrawInputError(
      'params.workloadCap',
      `expected a non-negative integer, got ${String(workloadCap)}`,
    );
  }
  const count = inspectors.length;
  for (let i = 1; i < count; i++) {
    if (compareUtf8((inspectors[i - 1] as PoolInspector).id, (inspectors[i] as PoolInspector).id) >= 0) {
      throw new DrawInputError('inspectorPool', 'expected the frozen pool: ids unique and in UTF-8 order');
    }
  }
  const assigned = new Int32Array(count);
  // Room left under the cap; an inspector is eligible while room ≥ 1.
  const room = new Float64Array(count);
  const recusalTargets: (ReadonlySet<string> | null)[] = new Array(count);
  const recusalPersons: (ReadonlySet<string> | null)[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const i = inspectors[index] as PoolInspector;
    room[index] = workloadCap - i.currentLoad;
    recusalTargets[index] = i.recusalTargetIds.length ? new Set(i.recusalTargetIds) : null;
    recusalPersons[index] = i.recusalPersonIds.length ? new Set(i.recusalPersonIds) : null;
  }
  const buckets = new Map<string, Int32Array>();
  const bucketOf = (category: string, departmentCode: string): Int32Array => {
    const bucketKey = `${category}\u0000${departmentCode}`;
    let bucket = buckets.get(bucketKey);
    if (bucket === undefined) {
      const members: number[] = [];
      for (let index = 0; index < count; index++) {
        const i = inspectors[index] as PoolInspector;
        if (
          i.status === 'ACTIVE' &&
          i.certificateValidFrom <= plannedDate &&
          plannedDate <= i.certificateValidTo &&
          i.qualifiedCategories.includes(category as PoolInspector['qualifiedCategories'][number]) &&
          (i.departmentCode === departmentCode || i.poolDepartmentCodes.includes(departmentCode))
        ) {
          members.push(index);
        }
      }
      bucket = Int32Array.from(members);
      buckets.set(bucketKey, bucket);
    }
    return bucket;
  };

  const scratch = new Int32Array(count);
  const teams: TeamAssignment[] = [];
  for (const target of targets) {
    const bucket = bucketOf(target.category, target.departmentCode);
    const related = target.relatedPersonIds;
    const lastTeam = target.lastTeam;
    let eligibleCount = 0;
    for (let b = 0; b < bucket.length; b++) {
      const index = bucket[b] as number;
      if ((room[index] as number) < 1) continue;
      const byTarget = recusalTargets[index];
      if (byTarget && byTarget.has(target.id)) continue;
      const byPerson = recusalPersons[index];
      if (byPerson && related.some((p) => byPerson.has(p))) continue;
      if (lastTeam.length && lastTeam.includes((inspectors[index] as PoolInspector).id)) continue;
      scratch[eligibleCount++] = index;
    }
    if (eligibleCount < teamSize) throw bindingConstraint(target, inspectors, params, assigned);
    const eligible = scratch.subarray(0, eligibleCount);
    partialShuffle(eligible, teamSize, new DrawStream(key, assignmentLabel(target.id), hash));
    const inspectorIds: string[] = new Array(teamSize);
    for (let j = 0; j < teamSize; j++) {
      const index = eligible[j] as number;
      assigned[index]++;
      room[index]--;
      inspectorIds[j] = (inspectors[index] as PoolInspector).id;
    }
    teams.push({ targetId: target.id, inspectorIds });
  }
  return teams;
}
