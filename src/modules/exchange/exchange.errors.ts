import { AppError } from '../../shared/errors.js';

/** Stable codes of the exchange hub; the formatter maps them to `extensions.code`. */
export type ExchangeHubErrorCode =
  | 'EXCHANGE_NO_ROUTE_TARGET'
  | 'EXCHANGE_MESSAGE_INVALID'
  | 'EXCHANGE_SCHEMA_INVALID'
  | 'EXCHANGE_PERSONAL_DATA_REFUSED'
  | 'EXCHANGE_BLACKLIST_NOTICE_MISSING'
  | 'EXCHANGE_NOT_IN_TRANSACTION'
  | 'EXCHANGE_NOT_DEAD'
  | 'EXCHANGE_INTAKE_DECIDED'
  | 'EXCHANGE_PARTNER_UNKNOWN';

/**
 * An exchange hub error. Thrown from `OutboxPort.enqueue` it fails the caller's business transaction.
 *
 * @example throw new ExchangeHubError('EXCHANGE_SCHEMA_INVALID', 'commerce INSPECTION_RESULT_NOTICE fails its schema', { errors })
 */
export class ExchangeHubError extends AppError {
  constructor(code: ExchangeHubErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
