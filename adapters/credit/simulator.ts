import { ExchangeError } from '../shared/errors.js';
import {
  type PartnerBehaviour,
  type ProcessContext,
  type SimAnswer,
  SinkSimulator,
  type SimulatorOptions,
  shanghaiDay,
} from '../shared/sink-simulator.js';
import type { RecordResult } from '../shared/sink-types.js';
import { validateXml } from '../shared/validate.js';
import { el, parseXmlSafely, renderXml, xmlAttr, xmlChild, xmlText } from '../shared/xml.js';
import { CREDIT_BATCHES_PATH } from './client.js';
import { CREDIT_NS } from './encoder.js';

function text(status: number, body: string): SimAnswer {
  return { status, contentType: 'text/plain; charset=utf-8', body };
}

/** The per-record BatchReceipt of credit-exchange.md. */
export function creditReceipt(messageId: string, results: readonly RecordResult[]): SimAnswer {
  const xml = renderXml(
    el(
      'cr:BatchReceipt',
      { 'xmlns:cr': CREDIT_NS },
      el('cr:MessageId', null, messageId),
      ...results.map((r) =>
        el('cr:Result', { recordId: r.recordId, status: r.status, creditNo: r.creditNo, reason: r.reason }),
      ),
    ),
  );
  return { status: 200, contentType: 'application/xml; charset=utf-8', body: xml };
}

const CONTENT_BY_KIND: Readonly<Record<string, string>> = {
  CREDIT_RECORD: 'Inspection',
  BLACKLIST_ADD: 'Reason',
  BLACKLIST_REMOVE: 'Removal',
  PENALTY: 'Penalty',
};

/** Why the platform would refuse one record on its own (kind/content and subject consistency, objection period). */
function recordProblem(r: unknown, today: string): string | null {
  const kind = xmlAttr(r, 'kind') ?? '';
  if (xmlChild(r, CONTENT_BY_KIND[kind] ?? '') === undefined) return 'KIND_MISMATCH';
  const subject = xmlChild(r, 'Subject');
  const type = xmlAttr(r, 'subjectType');
  if (type === 'ENTITY' && !xmlAttr(subject, 'uscc')) return 'SUBJECT_MISMATCH';
  if (type === 'PERSON' && !xmlAttr(subject, 'idNumber')) return 'SUBJECT_MISMATCH';
  if (kind === 'BLACKLIST_ADD') {
    const notice = xmlChild(r, 'NoticeGiven');
    if (xmlAttr(notice, 'objection') === 'NONE' && !((xmlAttr(notice, 'objectionDeadline') ?? '') < today)) {
      return 'OBJECTION_PERIOD_OPEN';
    }
  }
  return null;
}

/**
 * The public credit platform's behaviour: per-record receipts, per-recordId deduplication (a repeated record answers
 * DUPLICATE with its original creditNo; a previously rejected record is processed afresh). Batch-level problems,
 * on which the contract is silent, are answered with plain 4xx (permanent): 401 for signatures, 422 for schema,
 * 400 for DOCTYPE/malformed XML.
 */
export function creditBehaviour(): PartnerBehaviour {
  const creditNos = new Map<string, string>();
  return {
    partner: 'CREDIT',
    path: CREDIT_BATCHES_PATH,
    signatureRejected: (reason) => text(401, reason),
    reset: () => creditNos.clear(),
    async process(ctx: ProcessContext): Promise<SimAnswer> {
      const xml = ctx.body.toString('utf8');
      let doc: unknown;
      try {
        doc = parseXmlSafely(xml);
      } catch (err) {
        return text(400, err instanceof ExchangeError ? err.message : 'malformed XML');
      }
      const check = await validateXml(xml, 'credit-batch');
      if (!check.valid) return text(422, check.errors.join('\n'));
      const batch = xmlChild(doc, 'CreditBatch');
      const messageId = xmlText(xmlChild(xmlChild(batch, 'Header'), 'MessageId')) ?? '';
      const recs = xmlChild(xmlChild(batch, 'Records'), 'Record');
      const records = Array.isArray(recs) ? (recs as unknown[]) : [];
      const rejectAll = ctx.chance(ctx.faults.rejectRate);
      const today = shanghaiDay(ctx.now).replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3');
      const day = shanghaiDay(ctx.now);
      const results: RecordResult[] = records.map((r) => {
        const recordId = xmlAttr(r, 'recordId') ?? '';
        const prior = creditNos.get(recordId);
        if (prior) return { recordId, status: 'DUPLICATE', creditNo: prior };
        const problem = recordProblem(r, today);
        if (problem) return { recordId, status: 'REJECTED', reason: problem };
        if (rejectAll) return { recordId, status: 'REJECTED', reason: 'BATCH_REJECTED' };
        if (ctx.chance(ctx.faults.partialBatchRejectRate)) {
          return { recordId, status: 'REJECTED', reason: 'SUBJECT_NOT_FOUND' };
        }
        const creditNo = `XY${day}${String(ctx.nextSeq(`XY${day}`)).padStart(6, '0')}`;
        creditNos.set(recordId, creditNo);
        return { recordId, status: 'ACCEPTED', creditNo };
      });
      ctx.remember({
        messageId,
        messageType: 'CREDIT_BATCH',
        receiptNo: '',
        recordIds: results.filter((r) => r.status === 'ACCEPTED').map((r) => r.recordId),
      });
      return creditReceipt(messageId, results);
    },
  };
}

/** Starts a credit platform (公共信用信息平台) simulator. */
export async function startCreditSimulator(options: SimulatorOptions = {}): Promise<SinkSimulator> {
  return new SinkSimulator(creditBehaviour(), options).start();
}
