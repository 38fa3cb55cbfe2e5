import { type HttpAttempt, classifyGeneric, postSigned } from '../shared/sink-http.js';
import type {
  RecordResult,
  SignedMessage,
  SinkAdapter,
  SinkClientConfig,
  SinkResponse,
} from '../shared/sink-types.js';
import { validateXml } from '../shared/validate.js';
import { parseXmlSafely, xmlAttr, xmlChild, xmlText } from '../shared/xml.js';
import { type CreditBatch, encodeCreditBatch } from './encoder.js';

/** Contract path (credit-exchange.md). */
export const CREDIT_BATCHES_PATH = '/credit/v1/batches';

/**
 * Classifies a credit answer. HTTP 200 carries a `BatchReceipt` with one `Result` per record; `records` lists them.
 * Batch outcome: `REJECTED` when every record was rejected, `DUPLICATE` when every record was a duplicate, otherwise
 * `ACCEPTED` (a partial acceptance: dead-letter the rejected records one by one). A receipt for another batch, or one
 * missing any sent record, is `TRANSIENT`: resending is safe because the platform deduplicates per recordId.
 * Other statuses follow the generic rules.
 */
export async function classifyCreditAnswer(
  attempt: HttpAttempt,
  messageId: string,
  sentRecordIds: readonly string[] = [],
  now: Date = new Date(),
): Promise<SinkResponse> {
  if (attempt.kind !== 'response' || attempt.status !== 200) return classifyGeneric(attempt, now);
  const base = { httpStatus: 200, raw: attempt.raw, durationMs: attempt.durationMs };
  const check = await validateXml(attempt.raw, 'credit-batch-receipt');
  if (!check.valid) {
    return {
      ...base,
      outcome: 'TRANSIENT',
      reason: `unreadable batch receipt: ${check.errors.slice(0, 3).join('; ')}`,
    };
  }
  const receipt = xmlChild(parseXmlSafely(attempt.raw), 'BatchReceipt');
  const receiptFor = xmlText(xmlChild(receipt, 'MessageId')) ?? '';
  if (receiptFor.toLowerCase() !== messageId.toLowerCase()) {
    return { ...base, outcome: 'TRANSIENT', reason: `receipt is for another batch (${receiptFor})` };
  }
  const results = xmlChild(receipt, 'Result');
  const records: RecordResult[] = (Array.isArray(results) ? results : []).map((r: unknown) => {
    const status = xmlAttr(r, 'status') as RecordResult['status'];
    const creditNo = xmlAttr(r, 'creditNo');
    const reason = xmlAttr(r, 'reason');
    return {
      recordId: xmlAttr(r, 'recordId') ?? '',
      status,
      ...(creditNo ? { creditNo } : {}),
      ...(reason ? { reason } : {}),
    };
  });
  const answered = new Set(records.map((r) => r.recordId));
  const missing = sentRecordIds.filter((id) => !answered.has(id));
  if (missing.length > 0 || records.length === 0) {
    return {
      ...base,
      outcome: 'TRANSIENT',
      reason: `receipt lacks records: ${missing.slice(0, 10).join(', ') || 'all'}`,
      records,
    };
  }
  const outcome = records.every((r) => r.status === 'REJECTED')
    ? 'REJECTED'
    : records.every((r) => r.status === 'DUPLICATE')
      ? 'DUPLICATE'
      : 'ACCEPTED';
  const rejected = records.filter((r) => r.status === 'REJECTED');
  return {
    ...base,
    outcome,
    records,
    ...(rejected.length > 0
      ? { reason: rejected.map((r) => `${r.recordId}: ${r.reason ?? 'REJECTED'}`).join('; ') }
      : {}),
  };
}

/** POSTs a signed credit batch once and classifies the per-record receipt. Never throws. */
export async function sendCredit(config: SinkClientConfig, message: SignedMessage): Promise<SinkResponse> {
  const attempt = await postSigned(config, CREDIT_BATCHES_PATH, message);
  return classifyCreditAnswer(attempt, message.messageId, message.recordIds ?? []);
}

/** The credit sink. */
export function createCreditSink(config: SinkClientConfig): SinkAdapter<CreditBatch> {
  return { partner: 'CREDIT', encode: encodeCreditBatch, send: (m) => sendCredit(config, m) };
}
