/**
 * The contract every sink adapter (commerce, culture, credit, portal) fulfils: a pure `encode` from a typed message to
 * the exact bytes to sign and send, and a `send` that POSTs already-signed bytes and classifies the answer.
 * The dispatcher (outbox, retries, dead letters) lives elsewhere and only sees these types.
 */

/** The four outbound partners. */
export type SinkPartner = 'COMMERCE' | 'CULTURE' | 'CREDIT' | 'PORTAL';

/**
 * Exact bytes of one outbound message, as they will be signed and stored in the message log.
 *
 * @example { messageId: '0193a0c4-…', messageType: 'INSPECTION_RESULT_NOTICE', contentType: 'application/xml; charset=utf-8', body }
 */
export interface EncodedMessage {
  readonly partner: SinkPartner;
  readonly messageId: string;
  readonly messageType: string;
  readonly contentType: string;
  readonly body: Uint8Array;
  /** Credit batches only: the record ids carried, in order. */
  readonly recordIds?: readonly string[];
}

/** An encoded message with its signature headers, ready for `send`. */
export interface SignedMessage extends EncodedMessage {
  /** base64 DER SM2-with-SM3 signature over `body` (`X-Exchange-Signature`). */
  readonly signature: string;
  /** `X-Exchange-Key-Id`. */
  readonly keyId: string;
  /** `X-Exchange-Sender`: the bureau's code. */
  readonly senderCode: string;
}

/**
 * How a delivery attempt ended.
 * - `ACCEPTED`, `DUPLICATE`: delivered (a duplicate counts as delivered, with the original receipt number).
 * - `REJECTED`: permanent; dead-letter with `reason`.
 * - `TRANSIENT`: retry later (timeouts, connection errors, 408, 429, 5xx), honouring `retryAfterSeconds`.
 */
export type SinkOutcome = 'ACCEPTED' | 'DUPLICATE' | 'REJECTED' | 'TRANSIENT';

/** Per-record result of a credit batch. */
export interface RecordResult {
  readonly recordId: string;
  readonly status: 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';
  readonly creditNo?: string;
  readonly reason?: string;
}

/**
 * The classified answer of one attempt. `httpStatus` is `null` when no HTTP answer arrived (timeout, connection error);
 * `raw` is the response body as text, for the message log.
 */
export interface SinkResponse {
  readonly outcome: SinkOutcome;
  readonly receiptNo?: string;
  readonly reason?: string;
  readonly retryAfterSeconds?: number;
  readonly httpStatus: number | null;
  readonly raw: string;
  readonly durationMs: number;
  /** Credit only: one entry per record. Rejected records dead-letter one by one; the others are done. */
  readonly records?: readonly RecordResult[];
}

/** Where and how a sink client talks to its partner. */
export interface SinkClientConfig {
  /** e.g. `http://127.0.0.1:7301`; the contract path is appended. */
  readonly baseUrl: string;
  /** Whole-request timeout; default 15 s. */
  readonly timeoutMs?: number;
}

/**
 * One sink adapter. `M` is its typed message input.
 *
 * @example
 * const enc = await commerceSink.encode(msg);          // throws ExchangeError('SCHEMA_INVALID', …) before anything is sent
 * const res = await commerceSink.send(signMessage(enc, keyring));
 */
export interface SinkAdapter<M> {
  readonly partner: SinkPartner;
  /** Pure apart from schema validation: builds and validates the bytes; throws a coded `ExchangeError` otherwise. */
  encode(message: M): Promise<EncodedMessage>;
  /** POSTs the signed bytes once and classifies the answer; never throws for HTTP or network failures. */
  send(message: SignedMessage): Promise<SinkResponse>;
}
