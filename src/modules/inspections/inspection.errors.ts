import { AppError } from '../../shared/errors.js';

/** Stable codes of the inspections, publication, appeals, referrals, credit and documents modules. */
export type InspectionErrorCode =
  | 'INSPECTION_BAD_STATE'
  | 'INSPECTION_NOT_ON_TEAM'
  | 'INSPECTION_REVIEWER_ROLE'
  | 'INSPECTION_SELF_REVIEW'
  | 'INSPECTION_TEAM_INVALID'
  | 'INSPECTION_INCOMPLETE'
  | 'EVIDENCE_REJECTED'
  | 'PUBLICATION_BAD_STATE'
  | 'APPEAL_CODE_UNKNOWN'
  | 'APPEAL_BAD_STATE'
  | 'REFERRAL_BAD_STATE'
  | 'REFERRAL_MATERIALS_MISSING'
  | 'BLACKLIST_BAD_STATE'
  | 'BLACKLIST_OBJECTION_PERIOD_OPEN'
  | 'DOCUMENT_BAD_SUBJECT';

/** A refused step of the inspection process; `code` says which rule refused it. */
export class InspectionError extends AppError {
  constructor(code: InspectionErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
