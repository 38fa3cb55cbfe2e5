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
 * Assigns a team to every target, in the given (draw) order.
 *
 * `inspectors` is the frozen pool (`freezeInspectorPool(...).inspectors`). For each target the inspectors
 * (in pool order, i.e. UTF-8 id order) are filtered by
 * {@link ASSIGNMENT_CONSTRAINTS} in order; a partial Fisher–Yates with the stream labelled
 * `"ASSIGN" 0x00 targetId` picks teamSize of the eligible ones.
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
  for (let i = 1; i < inspectors.length; i++) {
    if (compareUtf8((inspectors[i - 1] as PoolInspector).id, (inspectors[i] as PoolInspector).id) >= 0) {
      throw new DrawInputError('inspectorPool', 'expected the frozen pool: ids unique and in UTF-8 order');
    }
  }
  const assigned = new Int32Array(inspectors.length);
  const recusalTargets = inspectors.map((i) => new Set(i.recusalTargetIds));
  const recusalPersons = inspectors.map((i) => new Set(i.recusalPersonIds));
  const teams: TeamAssignment[] = [];

  for (const target of targets) {
    const lastTeam = new Set(target.lastTeam);
    const filters: Record<Exclude<AssignmentConstraint, 'POOL_SIZE'>, Filter> = {
      STATUS: (i) => i.status === 'ACTIVE',
      CERTIFICATE: (i) => i.certificateValidFrom <= plannedDate && plannedDate <= i.certificateValidTo,
      QUALIFICATION: (i) => i.qualifiedCategories.includes(target.category),
      JURISDICTION: (i) =>
        i.departmentCode === target.departmentCode || i.poolDepartmentCodes.includes(target.departmentCode),
      RECUSAL: (_i, index) =>
        !(recusalTargets[index] as Set<string>).has(target.id) &&
        !target.relatedPersonIds.some((p) => (recusalPersons[index] as Set<string>).has(p)),
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
        throw new InfeasibleAssignmentError(target.id, constraint, eligible.length, teamSize);
      }
    }
    partialShuffle(eligible, teamSize, new DrawStream(key, assignmentLabel(target.id), hash));
    const team = eligible.slice(0, teamSize);
    for (const index of team) assigned[index]++;
    teams.push({
      targetId: target.id,
      inspectorIds: team.map((index) => (inspectors[index] as PoolInspector).id),
    });
  }
  return teams;
}
