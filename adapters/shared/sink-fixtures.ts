import { randomUUID } from 'node:crypto';
import type { CommerceMessage } from '../commerce/encoder.js';
import type { CreditBatch } from '../credit/encoder.js';
import type { CultureMessage } from '../culture/encoder.js';
import type { PortalArticle } from '../portal/encoder.js';
import type { InspectionResultNotice, PenaltyFields } from './message-types.js';

/**
 * Factories for valid sink messages, with overrides; used by the sink contract suite and handy for the demo page.
 * Every value is fictitious.
 */

export const FIXED_CREATED_AT = '2026-11-25T15:00:00+08:00';

/** A fresh UUID v4. */
export function newMessageId(): string {
  return randomUUID();
}

export function sampleNotice(overrides: Partial<InspectionResultNotice> = {}): InspectionResultNotice {
  return {
    noticeNo: '仙公抄〔2026〕0042号',
    needFeedback: true,
    subject: { uscc: '91350322MA31C7Q2XK', name: '仙游县星光KTV', category: 'ENTERTAINMENT' },
    inspection: {
      id: 'INS-2026-000042',
      itemCode: '0071',
      implementationCode: '350322-ZA-0071',
      inspectedOn: '2026-11-20',
      outcome: 'VIOLATION_FOUND',
    },
    findings: [{ code: 'G', severity: 'SERIOUS', text: '未落实从业人员名簿登记 <第7条> & "登记簿"' }],
    measures: [{ kind: 'RECTIFY', deadline: '2026-12-05' }],
    contact: { name: '陈警官', phone: '0594-8271234' },
    ...overrides,
  };
}

export function samplePenalty(overrides: Partial<PenaltyFields> = {}): PenaltyFields {
  return {
    partyName: '仙游县星光KTV',
    partyUscc: '91350322MA31C7Q2XK',
    legalRepresentative: '王五',
    decisionNo: '仙公（治）行罚决字〔2026〕0007号',
    violationType: '娱乐场所未按规定建立从业人员名簿',
    violationFacts: '2026年11月20日检查发现未建立从业人员名簿。',
    penaltyBasis: '《娱乐场所管理条例》第五十条',
    categories: ['警告', '罚款'],
    penaltyContent: '警告并处罚款人民币伍仟元',
    fineAmountFen: 500_000,
    decisionDate: '2026-11-24',
    publicityUntil: '2029-11-23',
    authority: '仙游县公安局',
    authorityUscc: '11350322003600186J',
    ...overrides,
  };
}

export function sampleCommerce(messageId: string = newMessageId()): CommerceMessage {
  return {
    messageType: 'INSPECTION_RESULT_NOTICE',
    meta: { messageId, createdAt: FIXED_CREATED_AT },
    notice: sampleNotice(),
  };
}

export function sampleCulture(messageId: string = newMessageId()): CultureMessage {
  const { contact: _contact, ...notice } = sampleNotice({
    subject: {
      uscc: '91350322MA8RT3KXXF',
      name: '仙游县极速网咖',
      licenseNo: '闽网文〔2020〕0087-001号',
      category: 'INTERNET_CAFE',
    },
    findings: [{ code: 'MINOR_ADMITTED', severity: 'SERIOUS', text: '接纳未成年人' }],
  });
  return {
    messageType: 'INSPECTION_RESULT_NOTICE',
    meta: { messageId, createdAt: FIXED_CREATED_AT },
    notice,
  };
}

export function sampleCreditBatch(messageId: string = newMessageId(), recordCount = 3): CreditBatch {
  const records: CreditBatch['records'][number][] = [];
  for (let i = 0; i < recordCount; i++) {
    const recordId = `${messageId.slice(0, 8)}-r${String(i).padStart(3, '0')}`;
    if (i % 3 === 0) {
      records.push({
        recordId,
        kind: 'BLACKLIST_ADD',
        subject: { type: 'ENTITY', uscc: '91350322MA8RT3KXXF', name: '仙游县极速网咖' },
        reason: { code: 'MINOR_ADMITTED', text: '多次接纳未成年人' },
        decision: { no: '仙公网黑〔2026〕3号', date: '2026-11-24' },
        validity: { from: '2026-11-25', to: '2029-11-24' },
        notice: { date: '2026-11-10', objectionDeadline: '2026-11-20', objection: 'NONE' },
      });
    } else if (i % 3 === 1) {
      records.push({
        recordId,
        kind: 'CREDIT_RECORD',
        subject: { type: 'PERSON', idNumber: '350322198811093310', name: '赵六', role: 'LEGAL_REP' },
        inspection: { id: 'INS-2026-000043', inspectedOn: '2026-11-20', outcome: 'VIOLATION_FOUND' },
        fact: { polarity: 'NEGATIVE', code: 'MINOR_ADMITTED', text: '经营场所接纳未成年人' },
      });
    } else {
      records.push({
        recordId,
        kind: 'PENALTY',
        subject: { type: 'ENTITY', uscc: '91350322MA8RT3KXXF', name: '仙游县极速网咖' },
        penalty: samplePenalty({ partyName: '仙游县极速网咖', partyUscc: '91350322MA8RT3KXXF' }),
      });
    }
  }
  return { messageId, createdAt: FIXED_CREATED_AT, records };
}

export function samplePortalArticle(messageId: string = newMessageId()): PortalArticle {
  return {
    messageId,
    column: 'SJSGK_XFAQ',
    title: '仙游县公安局2026年第四季度消防安全随机抽查结果公告',
    publishedAt: FIXED_CREATED_AT,
    bodyHtml:
      '<h2>抽查结果</h2><table><thead><tr><th>单位</th><th colspan="2">结果</th></tr></thead>' +
      '<tbody><tr><td>仙游县某商场</td><td>合格</td><td>&lt;无&gt;</td></tr></tbody></table><p>特此公告。<br/></p>',
    attachments: [
      {
        name: '结果清单.csv',
        contentType: 'text/csv',
        base64: Buffer.from('单位,结果\n某商场,合格\n').toString('base64'),
      },
    ],
    withdraws: null,
  };
}
