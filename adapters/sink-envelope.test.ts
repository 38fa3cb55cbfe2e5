import { describe, expect, it } from 'vitest';
import { commerceReceipt } from './commerce/simulator.js';
import { creditReceipt } from './credit/simulator.js';
import {
  BUREAU_SENDER,
  type EnvelopeHeader,
  parseJsonEnvelope,
  parseXmlEnvelope,
  renderJsonEnvelope,
  renderXmlEnvelope,
} from './shared/envelope.js';
import { ExchangeError } from './shared/errors.js';
import { fenToWan } from './shared/penalty.js';
import { maskIdNumber } from './shared/personal-data.js';
import { parseRetryAfter } from './shared/sink-http.js';
import { nightlyWindowRemaining } from './shared/sink-simulator.js';
import { checkPortalBodyHtml, validateJson, validateXml } from './shared/validate.js';
import { el, parseXmlSafely, xmlAttr, xmlChild, xmlText } from './shared/xml.js';

const header = (over: Partial<EnvelopeHeader> = {}): EnvelopeHeader => ({
  messageId: '0193a0c4-5b7e-7c1e-9f2a-6d3b1e2f4a10',
  messageType: 'NOTICE_FEEDBACK',
  schemaVersion: '1.0',
  sender: { code: '11350322MB00000005', name: '仙游县市场监督管理局' },
  receiver: BUREAU_SENDER,
  createdAt: '2026-12-01T09:00:00+08:00',
  correlationId: '0193a0c4-5b7e-7c1e-9f2a-6d3b1e2f4a11',
  ...over,
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ExchangeError ? err.code : 'NOT_EXCHANGE_ERROR';
  }
  return undefined;
}

describe('XML envelope', () => {
  it('escapes text and attributes, keeps codes as strings, and round-trips', () => {
    const hostile = '星光 </ex:Name><ex:Evil x="1"/> & "引号" \'单\' \t\n';
    const xml = renderXmlEnvelope(
      header({ correlationId: null, messageType: 'CASE_REFERRAL' }),
      el('ex:Probe', { code: '0071X', name: hostile }, hostile),
    );
    expect(xml).not.toContain('<ex:Evil');
    expect(xml).toContain('<ex:CorrelationId/>');
    const env = parseXmlEnvelope(xml);
    expect(env.header.correlationId).toBeNull();
    expect(env.bodyElement).toBe('Probe');
    expect(xmlAttr(env.body, 'code')).toBe('0071X');
    expect(xmlAttr(env.body, 'name')).toBe(hostile);
    expect(xmlText(env.body)).toBe(hostile.trim());
  });

  it('decodes numeric character references', () => {
    const xml = renderXmlEnvelope(header(), el('ex:Probe', null, 'x')).replace(
      '仙游县市场监督管理局',
      '&#20185;游县市场监督管理局',
    );
    expect(parseXmlEnvelope(xml).header.sender.name).toBe('仙游县市场监督管理局');
  });

  it('refuses DOCTYPE and ENTITY declarations before parsing', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><ex:Exchange>&lol2;</ex:Exchange>';
    const xxe = '<?xml version="1.0"?><!doctype x SYSTEM "http://example.invalid/x.dtd"><x/>';
    expect(codeOf(() => parseXmlEnvelope(laughs))).toBe('XML_DOCTYPE_REFUSED');
    expect(codeOf(() => parseXmlEnvelope(xxe))).toBe('XML_DOCTYPE_REFUSED');
    const v = await validateXml(laughs, 'inbound-notice-feedback');
    expect(v.valid).toBe(false);
  });

  it('reports malformed XML and a missing header with codes', () => {
    expect(codeOf(() => parseXmlEnvelope('<ex:Exchange><ex:Header>'))).toBe('XML_MALFORMED');
    expect(codeOf(() => parseXmlEnvelope('<ex:Exchange xmlns:ex="urn:xianyou:exchange:1.0"/>'))).toBe(
      'ENVELOPE_INVALID',
    );
  });

  it('refuses characters XML cannot carry', () => {
    expect(codeOf(() => renderXmlEnvelope(header(), el('ex:Probe', null, 'a\u0001b')))).toBe(
      'MESSAGE_INVALID',
    );
  });
});

describe('JSON envelope', () => {
  it('round-trips with a fixed key order and codes as strings', () => {
    const text = renderJsonEnvelope(header(), { noticeNo: '0042' });
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      'messageId',
      'messageType',
      'schemaVersion',
      'sender',
      'receiver',
      'createdAt',
      'correlationId',
      'payload',
    ]);
    const env = parseJsonEnvelope(text);
    expect(env.header.sender.code).toBe('11350322MB00000005');
    expect(env.body).toEqual({ noticeNo: '0042' });
  });

  it('refuses malformed JSON and bad headers with codes', () => {
    expect(codeOf(() => parseJsonEnvelope('{"messageId":'))).toBe('JSON_MALFORMED');
    expect(codeOf(() => parseJsonEnvelope('{"schemaVersion":"1.0"}'))).toBe('ENVELOPE_INVALID');
  });
});

describe('inbound schemas', () => {
  const referral = el(
    'ex:CaseReferral',
    { referralNo: '仙市监移〔2026〕12号', referredOn: '2026-12-01' },
    el('ex:ReferringDepartment', { code: '11350322MB00000005' }, '仙游县市场监督管理局'),
    el('ex:Subject', { idNumber: '350322198811093310', name: '赵六' }),
    el('ex:SuspectedViolation', { kind: 'CRIMINAL' }, '涉嫌非法经营'),
    el('ex:Facts', null, '事实'),
    el('ex:LegalBasis', null, '《刑法》第二百二十五条'),
    el(
      'ex:Evidence',
      null,
      el('ex:Item', { name: '现场照片', digestAlgorithm: 'SM3', digest: 'a'.repeat(64) }),
    ),
    el('ex:Contact', { name: '林科长', phone: '0594-8270000' }),
  );

  it('validates an inbound XML CASE_REFERRAL about a person', async () => {
    const xml = renderXmlEnvelope(header({ messageType: 'CASE_REFERRAL', correlationId: null }), referral);
    expect(await validateXml(xml, 'inbound-case-referral')).toEqual({ valid: true, errors: [] });
    // Outbound commerce referrals are about entities only.
    expect((await validateXml(xml, 'commerce-case-referral')).valid).toBe(false);
  });

  it('requires a CorrelationId on NOTICE_FEEDBACK and REFERRAL_DECISION', async () => {
    const fb = el(
      'ex:NoticeFeedback',
      { status: 'HANDLED', date: '2026-12-01' },
      el('ex:Action', null, '已责令整改'),
      el('ex:Handler', { name: '林科长' }),
    );
    expect((await validateXml(renderXmlEnvelope(header(), fb), 'inbound-notice-feedback')).valid).toBe(true);
    const noCorr = await validateXml(
      renderXmlEnvelope(header({ correlationId: null }), fb),
      'inbound-notice-feedback',
    );
    expect(noCorr.valid).toBe(false);
    expect(noCorr.errors.join()).toContain('CorrelationId');
    const decision = el(
      'ex:ReferralDecision',
      { referralNo: '仙公移〔2026〕3号', decision: 'ACCEPTED', decidedOn: '2026-12-02', caseNo: '2026-0001' },
      el('ex:Handler', { name: '林科长' }),
    );
    const xml = renderXmlEnvelope(header({ messageType: 'REFERRAL_DECISION' }), decision);
    expect((await validateXml(xml, 'inbound-referral-decision')).valid).toBe(true);
  });

  it('validates inbound JSON messages', () => {
    const env = (
      messageType: string,
      payload: unknown,
      correlationId: string | null = header().correlationId,
    ) => JSON.parse(renderJsonEnvelope(header({ messageType, correlationId }), payload)) as unknown;
    const feedback = {
      status: 'NOT_COMPETENT',
      action: '不属本部门职责',
      date: '2026-12-01',
      handler: { name: '林' },
    };
    expect(validateJson(env('NOTICE_FEEDBACK', feedback), 'inbound-notice-feedback').valid).toBe(true);
    expect(validateJson(env('NOTICE_FEEDBACK', feedback, null), 'inbound-notice-feedback').valid).toBe(false);
    const declined = {
      referralNo: 'x',
      decision: 'DECLINED',
      decidedOn: '2026-12-02',
      handler: { name: '林' },
    };
    const res = validateJson(env('REFERRAL_DECISION', declined), 'inbound-referral-decision');
    expect(res.valid).toBe(false);
    expect(res.errors.join()).toContain('reason');
    const caseReferral = {
      referralNo: '文旅移〔2026〕1号',
      referredOn: '2026-12-01',
      referringDepartment: { code: '11350322MB11111166', name: '仙游县文化体育和旅游局' },
      subject: { uscc: '91350322MA8RT3KXXF', name: '仙游县极速网咖' },
      suspectedViolation: { kind: 'ADMINISTRATIVE', text: '接纳未成年人' },
      facts: '事实',
      legalBasis: '依据',
      evidence: [],
      contact: { name: '林', phone: '0594-8270000' },
    };
    expect(validateJson(env('CASE_REFERRAL', caseReferral, null), 'inbound-case-referral')).toEqual({
      valid: true,
      errors: [],
    });
  });

  it('validates the simulators’ receipts against the receipt schemas', async () => {
    const r = commerceReceipt('0193a0c4-5b7e-7c1e-9f2a-6d3b1e2f4a10', 'ACCEPTED', 'SJ2026112500031', '');
    expect(await validateXml(r.body, 'commerce-receipt')).toEqual({ valid: true, errors: [] });
    const c = creditReceipt('m', [{ recordId: 'r1', status: 'REJECTED', reason: 'SUBJECT_NOT_FOUND' }]);
    expect(await validateXml(c.body, 'credit-batch-receipt')).toEqual({ valid: true, errors: [] });
    const receipt = xmlChild(parseXmlSafely(r.body), 'Receipt');
    expect(xmlText(xmlChild(receipt, 'ReceiptNo'))).toBe('SJ2026112500031');
  });
});

describe('helpers', () => {
  it('checks the portal whitelist, balance and attributes', () => {
    expect(checkPortalBodyHtml('<table><tbody><tr><td rowspan="2">a</td></tr></tbody></table><br>')).toEqual(
      [],
    );
    expect(checkPortalBodyHtml('<p><strong>a</p></strong>')).not.toEqual([]);
    expect(checkPortalBodyHtml('<p>a')).toEqual(['unclosed <p>']);
    expect(checkPortalBodyHtml('<td style="x">a</td>')).toEqual(['attribute style on <td> is not allowed']);
    expect(checkPortalBodyHtml('a < b')).toHaveLength(1);
    expect(checkPortalBodyHtml('<SCRIPT>x</SCRIPT>')).toContain('<script> is not allowed');
  });

  it('converts fen to 万元 exactly', () => {
    expect(fenToWan(500_000)).toBe('0.5');
    expect(fenToWan(1_234_500)).toBe('1.2345');
    expect(fenToWan(50_000_000)).toBe('50');
    expect(fenToWan(1)).toBe('0.000001');
    expect(codeOf(() => fenToWan(1.5))).toBe('MESSAGE_INVALID');
  });

  it('masks ID numbers', () => {
    expect(maskIdNumber('350322198811093310')).toBe('350322********3310');
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-11-25T15:45:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Wed, 25 Nov 2026 15:46:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('knows culture’s nightly window in Asia/Shanghai', () => {
    expect(nightlyWindowRemaining(new Date('2026-11-25T15:29:59Z'))).toBeNull();
    expect(nightlyWindowRemaining(new Date('2026-11-25T15:30:00Z'))).toBe(3600);
    expect(nightlyWindowRemaining(new Date('2026-11-25T16:29:00Z'))).toBe(60);
    expect(nightlyWindowRemaining(new Date('2026-11-25T16:30:00Z'))).toBeNull();
  });
});
