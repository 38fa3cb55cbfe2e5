import type { EntityManager } from '@mikro-orm/postgresql';
import { startCommerceSimulator } from '../../adapters/commerce/simulator.js';
import { startCreditSimulator } from '../../adapters/credit/simulator.js';
import { startCultureSimulator } from '../../adapters/culture/simulator.js';
import { startPortalSimulator } from '../../adapters/portal/simulator.js';
import { BUREAU_SENDER } from '../../adapters/shared/envelope.js';
import type { SinkSimulator } from '../../adapters/shared/sink-simulator.js';
import type { Sm2Keyring } from '../../adapters/shared/sm2.js';
import type { BusinessEvent } from '../../src/modules/exchange/outbox-port.js';

/** The four partner simulators trusting `keyring`'s public keys; noon in Shanghai by default (culture's night window off). */
export async function startPartners(
  keyring: Sm2Keyring,
  now: () => Date = () => new Date('2026-11-25T04:00:00Z'),
): Promise<Record<'COMMERCE' | 'CULTURE' | 'CREDIT' | 'PORTAL', SinkSimulator>> {
  const senders = {
    [BUREAU_SENDER.code]: keyring.published(new Date('2020-01-02T00:00:00Z')).map((k) => ({
      keyId: k.keyId,
      publicKeyPem: k.publicKeyPem,
      validFrom: new Date(k.validFrom),
      validTo: k.validTo ? new Date(k.validTo) : null,
    })),
  };
  const common = { senders, now, holdMs: 300 };
  return {
    COMMERCE: await startCommerceSimulator(common),
    CULTURE: await startCultureSimulator({ ...common, faults: {} }),
    CREDIT: await startCreditSimulator(common),
    PORTAL: await startPortalSimulator(common),
  };
}

/** Points the partner rows at the simulators (short timeout for fault tests). */
export async function pointPartners(
  em: EntityManager,
  sims: Record<string, SinkSimulator>,
  timeoutMs = 2000,
): Promise<void> {
  for (const [code, sim] of Object.entries(sims)) {
    await em
      .getConnection()
      .execute('update exchange_partner set base_url = ?, timeout_ms = ? where code = ?', [
        sim.baseUrl,
        timeoutMs,
        code,
      ]);
  }
}

let n = 0;

/** An INSPECTION_RESULT event (overridable); entertainment → commerce + culture by the seeded routes. */
export function resultEvent(
  overrides: Partial<BusinessEvent> = {},
  payload: Record<string, unknown> = {},
): BusinessEvent {
  n++;
  return {
    type: 'INSPECTION_RESULT',
    sourceId: `INS-${n}`,
    subjectKey: 'target:91350322MA31C7Q2XK',
    subject: { uscc: '91350322MA31C7Q2XK', name: '仙游县星光KTV', category: 'ENTERTAINMENT' },
    payload: {
      inspectionId: `INS-2026-${String(n).padStart(6, '0')}`,
      noticeNo: `仙公抄〔2026〕${String(n).padStart(4, '0')}号`,
      itemCode: '0071',
      implementationCode: '350322-ZA-0071',
      inspectedOn: '2026-11-20',
      outcome: 'VIOLATION_FOUND',
      findings: [{ code: 'G', severity: 'SERIOUS', text: '未落实从业人员名簿登记' }],
      measures: [{ kind: 'RECTIFY', deadline: '2026-12-05' }],
      contact: { name: '陈警官', phone: '0594-8271234' },
      needFeedback: true,
      ...payload,
    },
    ...overrides,
  };
}

/** A portal article event (fire safety → portal by the seeded routes). */
export function articleEvent(i: number, subjectKey = `article:${i}`): BusinessEvent {
  return {
    type: 'PUBLICATION_ARTICLE',
    sourceId: `PUB-${i}`,
    subjectKey,
    subject: { name: '仙游县某商场', category: 'FIRE_SAFETY_KEY' },
    payload: {
      column: 'SJSGK_XFAQ',
      title: `仙游县公安局消防安全随机抽查结果公告 第${i}期`,
      bodyHtml: `<p>第${i}期：合格。</p>`,
    },
  };
}
