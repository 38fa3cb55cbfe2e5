import {
  type HttpAttempt,
  classifyGeneric,
  parseJsonLoose,
  postSigned,
  stringProp,
} from '../shared/sink-http.js';
import type { SignedMessage, SinkAdapter, SinkClientConfig, SinkResponse } from '../shared/sink-types.js';
import { type PortalArticle, encodePortalArticle } from './encoder.js';

/** Contract path (portal-publishing.md). */
export const PORTAL_ARTICLES_PATH = '/portal/api/v1/articles';

/**
 * Classifies a portal answer: 200 `{articleId,url}` accepted (receiptNo = articleId); 409 duplicate messageId
 * (delivered; articleId when the body names it); 422 permanent; 5xx, 408, 429 and no answer transient; other 4xx
 * permanent.
 */
export function classifyPortalAnswer(attempt: HttpAttempt, now: Date = new Date()): SinkResponse {
  if (attempt.kind !== 'response') return classifyGeneric(attempt, now);
  const base = { httpStatus: attempt.status, raw: attempt.raw, durationMs: attempt.durationMs };
  const body = parseJsonLoose(attempt.raw);
  if (attempt.status === 200) {
    const articleId = stringProp(body, 'articleId');
    if (!articleId) return { ...base, outcome: 'TRANSIENT', reason: 'HTTP 200 without an articleId' };
    return { ...base, outcome: 'ACCEPTED', receiptNo: articleId };
  }
  if (attempt.status === 409) {
    const articleId = stringProp(body, 'articleId');
    return { ...base, outcome: 'DUPLICATE', ...(articleId ? { receiptNo: articleId } : {}) };
  }
  if (attempt.status === 422) {
    const errors =
      typeof body === 'object' && body !== null ? (body as { errors?: unknown }).errors : undefined;
    const reason = Array.isArray(errors)
      ? errors
          .map((e) => (typeof e === 'string' ? e : (stringProp(e, 'message') ?? JSON.stringify(e))))
          .join('; ')
      : (stringProp(body, 'message') ?? attempt.raw.slice(0, 500));
    return { ...base, outcome: 'REJECTED', reason: reason || 'HTTP 422' };
  }
  return classifyGeneric(attempt, now);
}

/** POSTs a signed article once and classifies the answer. Never throws. */
export async function sendPortal(config: SinkClientConfig, message: SignedMessage): Promise<SinkResponse> {
  return classifyPortalAnswer(await postSigned(config, PORTAL_ARTICLES_PATH, message));
}

/** The portal sink. */
export function createPortalSink(config: SinkClientConfig): SinkAdapter<PortalArticle> {
  return { partner: 'PORTAL', encode: encodePortalArticle, send: (m) => sendPortal(config, m) };
}
