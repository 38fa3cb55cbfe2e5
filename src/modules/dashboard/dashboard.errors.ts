import { AppError, ERROR_TEXT_ZH } from '../../shared/errors.js';

Object.assign(ERROR_TEXT_ZH, {
  SUBJECT_NOT_AVAILABLE: '该统计对象尚未启用',
  AS_OF_IN_FUTURE: '快照时间不能晚于当前时间',
});

/** The subject has no registered definition or its table does not exist yet. */
export class SubjectNotAvailableError extends AppError {
  constructor(subject: string, why: string) {
    super('SUBJECT_NOT_AVAILABLE', `aggregates over ${subject} are not available: ${why}`);
  }
}

/** `asOf` lies in the future: rows could still appear before it, so no snapshot is stable. */
export class AsOfInFutureError extends AppError {
  constructor(asOf: Date) {
    super('AS_OF_IN_FUTURE', `asOf ${asOf.toISOString()} is in the future; give a past time or omit it`);
  }
}
