import { AppError } from '../../shared/errors.js';

/** Stable codes of the sampling module (rules, plans, draws). */
export type SamplingErrorCode =
  | 'DRAW_INFEASIBLE'
  | 'DRAW_INVALID_INPUT'
  | 'DRAW_STATE'
  | 'DRAW_REDRAW_NEEDS_REASON'
  | 'DRAW_NOT_LOCKED'
  | 'DRAW_EMPTY_POOL'
  | 'PLAN_STATE'
  | 'PLAN_JOINT_NOT_APPROVED'
  | 'RULE_INVALID'
  | 'CALENDAR_INVALID'
  | 'CHANGE_SECOND_PERSON';

/** A coded sampling error; `details` names what was expected and what arrived. */
export class SamplingError extends AppError {
  constructor(code: SamplingErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

/** The draw's assignment cannot form a full team: names the target and the binding constraint. */
export class DrawInfeasibleError extends SamplingError {
  constructor(
    readonly drawId: string,
    readonly targetId: string,
    readonly constraint: string,
    readonly eligibleCount: number,
  ) {
    super(
      'DRAW_INFEASIBLE',
      `no full team for target ${targetId}: ${eligibleCount} inspector(s) left after constraint ${constraint}; ` +
        'the attempt is kept as FAILED; change the plan and commit a new attempt',
      { drawId, targetId, constraint, eligibleCount },
    );
  }
}
