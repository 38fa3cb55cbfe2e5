import {
  type HttpAttempt,
  classifyGeneric,
  parseJsonLoose,
  postSigned,
  stringProp,
} from '../shared/sink-http.js';
import type { SignedMessage, SinkAdapter, SinkClientConfig, SinkResponse } from '../shared/sink-types.js';
import { type CultureMessage, encodeCultureMessage } from './encoder.js';

/** Contract path (culture-exchange.md). */
export const CULTURE_NOTICES_PATH = '/api/exchange/notices';

function errorsText(body: unknown): string | undefined {
  const errors =
    typeof body === 'object' && body !== null ? (body as { errors?: unknown }).errors : undefined;
  if (!Array.isArray(errors)) return stringProp(body, 'message');
  return errors
    .map((e) => `${stringProp(e, 'path') ?? ''}: ${stringProp(e, 'message') ?? ''}`.trim())
    .join('; ');
}

/**
 * Classifies a culture answer: 200 `{code:0,receiptNo}` accepted; 409 `{code:409,receiptNo}` duplicate (delivered);
 * 422 `{errors:[…]}` permanent; 503 + `Retry-After` (nightly batch) transient; otherwise the generic rules.
 * A 200/409 without a receipt number is transient (resending is safe).
 */
export function classifyCultureAnswer(attempt: HttpAttempt, now: Date = new Date()): SinkResponse {
  if (attempt.kind !== 'response') return classifyGeneric(attempt, now);
  const base = { httpStatus: attempt.status, raw: attempt.raw, durationMs: attempt.durationMs };
  const body = parseJsonLoose(attempt.raw);
  if (attempt.status === 200 || attempt.status === 409) {
    const receiptNo = stringProp(body, 'receiptNo');
    if (!receiptNo)
      return { ...base, outcome: 'TRANSIENT', reason: `HTTP ${attempt.status} without a receiptNo` };
    return { ...base, outcome: attempt.status === 200 ? 'ACCEPTED' : 'DUPLICATE', receiptNo };
  }
  if (attempt.status === 422) {
    return { ...base, outcome: 'REJECTED', reason: errorsText(body) || 'HTTP 422' };
  }
  return classifyGeneric(attempt, now);
}

/** POSTs signed culture JSON once and classifies the answer. Never throws. */
export async function sendCulture(config: SinkClientConfig, message: SignedMessage): Promise<SinkResponse> {
  return classifyCultureAnswer(await postSigned(config, CULTURE_NOTICES_PATH, message));
}

/** The culture sink. */
export function createCultureSink(config: SinkClientConfig): SinkAdapter<CultureMessage> {
  return { partner: 'CULTURE', encode: encodeCultureMessage, send: (m) => sendCulture(config, m) };
}
