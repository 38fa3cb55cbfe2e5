/**
 * Stable error codes raised by the exchange adapters (signatures, envelopes, schemas, encoders, clients).
 * Callers branch on `code`, never on the message text.
 */
export type ExchangeErrorCode =
  | 'SM2_KEY_INVALID'
  | 'SM2_NO_SIGNING_KEY'
  | 'XML_DOCTYPE_REFUSED'
  | 'XML_MALFORMED'
  | 'JSON_MALFORMED'
  | 'ENVELOPE_INVALID'
  | 'SCHEMA_UNKNOWN'
  | 'SCHEMA_INVALID'
  | 'PERSONAL_DATA_REFUSED'
  | 'PORTAL_HTML_REFUSED'
  | 'MESSAGE_INVALID';

/**
 * The one error class of the exchange adapters.
 *
 * @example
 * throw new ExchangeError('SCHEMA_INVALID', 'commerce message fails commerce-exchange.xsd', ['line 3: …']);
 */
export class ExchangeError extends Error {
  override readonly name = 'ExchangeError';

  constructor(
    readonly code: ExchangeErrorCode,
    message: string,
    /** Details such as the list of schema errors; never personal data. */
    readonly details: readonly string[] = [],
  ) {
    super(details.length > 0 ? `${message}: ${details.join('; ')}` : message);
  }
}
