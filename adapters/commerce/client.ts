import { classifyGeneric, postSigned, type HttpAttempt } from '../shared/sink-http.js';
import type { SignedMessage, SinkAdapter, SinkClientConfig, SinkResponse } from '../shared/sink-types.js';
import { validateXml } from '../shared/validate.js';
import { parseXmlSafely, xmlChild, xmlText } from '../shared/xml.js';
import { type CommerceMessage, encodeCommerceMessage } from './encoder.js';

/** Contract path (commerce-exchange.md). */
export const COMMERCE_INBOX_PATH = '/exchange/v1/inbox';

/**
 * Classifies a commerce answer: HTTP 200 carries an XML `Receipt` whose `Status` decides
 * (ACCEPTED / DUPLICATE delivered, REJECTED permanent with its reason). A 200 without a readable receipt for this
 * message is transient (resending is safe: the receiver deduplicates on MessageId). Anything else follows the generic
 * rules (408/429/5xx/no answer transient, other 4xx permanent).
 */
export async function classifyCommerceAnswer(
  attempt: HttpAttempt,
  messageId: string,
  now: Date = new Date(),
): Promise<SinkResponse> {
  if (attempt.kind !== 'response' || attempt.status !== 200) return classifyGeneric(attempt, now);
  const base = { httpStatus: 200, raw: attempt.raw, durationMs: attempt.durationMs };
  const check = await validateXml(attempt.raw, 'commerce-receipt');
  if (!check.valid) {
    return {
      ...base,
      outcome: 'TRANSIENT',
      reason: `unreadable receipt: ${check.errors.slice(0, 3).join('; ')}`,
    };
  }
  const receipt = xmlChild(parseXmlSafely(attempt.raw), 'Receipt');
  const receiptFor = xmlText(xmlChild(receipt, 'MessageId')) ?? '';
  const status = xmlText(xmlChild(receipt, 'Status'));
  const receiptNo = xmlText(xmlChild(receipt, 'ReceiptNo')) || undefined;
  const reason = xmlText(xmlChild(receipt, 'Reason')) || undefined;
  if (receiptFor !== '' && receiptFor.toLowerCase() !== messageId.toLowerCase()) {
    return { ...base, outcome: 'TRANSIENT', reason: `receipt is for another message (${receiptFor})` };
  }
  if (status === 'ACCEPTED' || status === 'DUPLICATE') {
    if (!receiptNo)
      return { ...base, outcome: 'TRANSIENT', reason: `${status} receipt without a receipt number` };
    return { ...base, outcome: status, receiptNo };
  }
  return {
    ...base,
    outcome: 'REJECTED',
    reason: reason ?? 'REJECTED without a reason',
    ...(receiptNo ? { receiptNo } : {}),
  };
}

/**
 * POSTs signed commerce XML to `{baseUrl}/exchange/v1/inbox` once and classifies the answer. Never throws.
 *
 * @example await sendCommerce({ baseUrl: 'http://127.0.0.1:7301', timeoutMs: 5000 }, signed)
 */
export async function sendCommerce(config: SinkClientConfig, message: SignedMessage): Promise<SinkResponse> {
  const attempt = await postSigned(config, COMMERCE_INBOX_PATH, message);
  return classifyCommerceAnswer(attempt, message.messageId);
}

/** The commerce sink: encode with `encodeCommerceMessage`, send with `sendCommerce`. */
export function createCommerceSink(config: SinkClientConfig): SinkAdapter<CommerceMessage> {
  return { partner: 'COMMERCE', encode: encodeCommerceMessage, send: (m) => sendCommerce(config, m) };
}
