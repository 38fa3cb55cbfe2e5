/** Stable error codes raised by source adapters and the source kit. */
export type SourceErrorCode =
  | 'CONFIG_INVALID'
  | 'CURSOR_INVALID'
  | 'AUTH_FAILED'
  | 'BAD_REQUEST'
  | 'SOURCE_BUSY'
  | 'RATE_LIMITED'
  | 'HTTP_ERROR'
  | 'TIMEOUT'
  | 'NETWORK'
  | 'MALFORMED_DOCUMENT'
  | 'XML_DOCTYPE_REFUSED'
  | 'XML_LIMIT_EXCEEDED'
  | 'BAD_CURSOR'
  | 'SEQ_EXPIRED'
  | 'RETRY_EXHAUSTED'
  | 'ABORTED';

/** Extra facts attached to a `SourceError`. */
export interface SourceErrorDetails {
  /** HTTP status, when the error came from a response. */
  status?: number;
  /** Delay the server asked for (from `Retry-After`), in milliseconds. */
  retryAfterMs?: number;
  /** Any other structured detail (never personal data). */
  [key: string]: unknown;
}

/**
 * The one error class of the source adapters. `transient` errors may succeed when retried
 * (timeouts, resets, 5xx, 429, body code 5000, truncated documents); permanent ones need a human
 * (bad key, bad parameters, hostile XML).
 *
 * @example throw new SourceError('AUTH_FAILED', 'hotel: bad API key (code 1001)', { transient: false });
 */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  readonly code: SourceErrorCode;
  readonly transient: boolean;
  readonly details: SourceErrorDetails;

  constructor(
    code: SourceErrorCode,
    message: string,
    opts: { transient: boolean; cause?: unknown; details?: SourceErrorDetails },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.transient = opts.transient;
    this.details = opts.details ?? {};
  }
}

/** True when `err` is a `SourceError` (optionally with the given code). */
export function isSourceError(err: unknown, code?: SourceErrorCode): err is SourceError {
  return err instanceof SourceError && (code === undefined || err.code === code);
}

/** Throws a `SourceError` with code `ABORTED` when the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new SourceError('ABORTED', 'pull aborted', { transient: false, cause: signal.reason });
  }
}
