import { parseXmlEnvelope } from '../shared/envelope.js';
import { ExchangeError } from '../shared/errors.js';
import {
  type PartnerBehaviour,
  type ProcessContext,
  type SimAnswer,
  SinkSimulator,
  type SimulatorOptions,
  shanghaiDay,
} from '../shared/sink-simulator.js';
import { type XmlSchemaName, validateXml } from '../shared/validate.js';
import { el, renderXml } from '../shared/xml.js';
import { COMMERCE_INBOX_PATH } from './client.js';
import { COMMERCE_RECEIVER } from './encoder.js';

const SCHEMA_BY_TYPE: Readonly<Record<string, XmlSchemaName>> = {
  INSPECTION_RESULT_NOTICE: 'commerce-inspection-result-notice',
  CASE_REFERRAL: 'commerce-case-referral',
  PENALTY_PUBLICITY: 'commerce-penalty-publicity',
};

/** The XML receipt of commerce-exchange.md. */
export function commerceReceipt(
  messageId: string,
  status: 'ACCEPTED' | 'DUPLICATE' | 'REJECTED',
  receiptNo: string,
  reason: string,
): SimAnswer {
  const xml = renderXml(
    el(
      'ex:Receipt',
      { 'xmlns:ex': 'urn:xianyou:exchange:1.0' },
      el('ex:MessageId', null, messageId || undefined),
      el('ex:Status', null, status),
      el('ex:ReceiptNo', null, receiptNo || undefined),
      el('ex:Reason', null, reason || undefined),
    ),
  );
  return { status: 200, contentType: 'application/xml; charset=utf-8', body: xml };
}

function messageIdOf(body: Buffer): string {
  try {
    const id = parseXmlEnvelope(body.toString('utf8')).header.messageId;
    return /^[0-9a-fA-F-]{36}$/.test(id) ? id : '';
  } catch {
    return '';
  }
}

/** Market regulation's behaviour: every answer is HTTP 200 with a Receipt; rejections are REJECTED receipts. */
export function commerceBehaviour(receiverCode: string = COMMERCE_RECEIVER.code): PartnerBehaviour {
  return {
    partner: 'COMMERCE',
    path: COMMERCE_INBOX_PATH,
    signatureRejected: (reason, body) =>
      commerceReceipt(messageIdOf(body), 'REJECTED', '', `SIGNATURE: ${reason}`),
    async process(ctx: ProcessContext): Promise<SimAnswer> {
      const xml = ctx.body.toString('utf8');
      let env;
      try {
        env = parseXmlEnvelope(xml);
      } catch (err) {
        const code = err instanceof ExchangeError ? err.code : 'XML_MALFORMED';
        return commerceReceipt('', 'REJECTED', '', `SCHEMA: ${code}`);
      }
      const id = messageIdOf(ctx.body);
      const schema = SCHEMA_BY_TYPE[env.header.messageType];
      if (!schema)
        return commerceReceipt(id, 'REJECTED', '', `SCHEMA: unknown MessageType ${env.header.messageType}`);
      const check = await validateXml(xml, schema);
      if (!check.valid) return commerceReceipt(id, 'REJECTED', '', `SCHEMA: ${check.errors.join('; ')}`);
      if (env.header.receiver.code !== receiverCode) {
        return commerceReceipt(id, 'REJECTED', '', `WRONG_RECEIVER: ${env.header.receiver.code}`);
      }
      const prior = ctx.lookup(id);
      if (prior) {
        ctx.remember(prior);
        return commerceReceipt(id, 'DUPLICATE', prior.receiptNo, '');
      }
      if (ctx.chance(ctx.faults.rejectRate)) return commerceReceipt(id, 'REJECTED', '', 'UNKNOWN_SUBJECT');
      const day = shanghaiDay(ctx.now);
      const receiptNo = `SJ${day}${String(ctx.nextSeq(`SJ${day}`)).padStart(5, '0')}`;
      ctx.remember({ messageId: id, messageType: env.header.messageType, receiptNo });
      return commerceReceipt(id, 'ACCEPTED', receiptNo, '');
    },
  };
}

/**
 * Starts a commerce (市场监督管理局) simulator on `options.port` (0 = ephemeral).
 *
 * @example const sim = await startCommerceSimulator({ senders: { '11350322003600186J': keys } });
 */
export async function startCommerceSimulator(
  options: SimulatorOptions & { receiverCode?: string } = {},
): Promise<SinkSimulator> {
  return new SinkSimulator(commerceBehaviour(options.receiverCode), options).start();
}
