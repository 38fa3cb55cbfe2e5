import { AppError } from '../../shared/errors.js';

/** Stable error codes of the sync module. */
export type SyncErrorCode =
  | 'SYNC_ADAPTER_UNKNOWN'
  | 'SYNC_ADAPTER_NOT_CONFIGURED'
  | 'SYNC_ALREADY_RUNNING'
  | 'ROSTER_FILE_UNSUPPORTED'
  | 'ROSTER_FILE_TOO_LARGE'
  | 'ROSTER_TOO_MANY_ROWS'
  | 'ROSTER_HEADER_MISSING';

/**
 * An error of the sync module; `code` reaches clients as `extensions.code`.
 * @example throw new SyncError('SYNC_ADAPTER_UNKNOWN', 'no adapter "ftp"; expected hotel, entertainment or internet-cafe')
 */
export class SyncError extends AppError {
  constructor(code: SyncErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
