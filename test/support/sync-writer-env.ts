import type { SourceBatch, SourceRecord, SourceTarget } from '../../adapters/types.js';
import { FieldCipher, parseKeyring } from '../../src/crypto/sm.js';
import { PiiService } from '../../src/modules/pii/pii.service.js';
import { startTestPlatform, type TestPlatform } from './platform.js';

/** A platform without the demo county, and the PII service and cipher over its keys: what the sync writer's tests need. */
export async function startSyncWriterPlatform(): Promise<{
  tp: TestPlatform;
  pii: PiiService;
  cipher: FieldCipher;
}> {
  const tp = await startTestPlatform({ demo: false });
  return {
    tp,
    pii: new PiiService(tp.piiKeyring, tp.piiIndexKey),
    cipher: new FieldCipher(parseKeyring(tp.piiKeyring)),
  };
}

/** An internet-café SITE record (a legal representative named after the id unless `over` says otherwise). */
export const cafeSite = (id: string, over: Partial<SourceTarget> = {}): SourceTarget => ({
  kind: 'TARGET',
  sourceSystem: 'internet-cafe',
  sourceId: id,
  category: 'INTERNET_CAFE',
  name: `网吧${id}`,
  uscc: null,
  licenceNos: [],
  address: null,
  regionCode: '350322',
  jurisdictionCode: '350322510000',
  jurisdictionName: null,
  status: 'OPERATING',
  grade: null,
  blacklisted: null,
  abnormalListed: false,
  complaints90d: 0,
  violations: [],
  incidents: [],
  persons: [
    {
      role: 'LEGAL_REP',
      name: `法人${id}`,
      idType: '111',
      idNumber: `35032219880101${id}`,
      phone: '13800000000',
    },
  ],
  geo: null,
  attributes: { terminals: 100 },
  sourceUpdatedAt: '2026-01-01T00:00:00+08:00',
  ...over,
});

/** An internet-café STAFF record, working there since 2025-06-01. */
export const cafeStaff = (
  siteId: string,
  idNumber: string,
  name: string,
  role: 'MANAGER' | 'CASHIER' | 'SECURITY',
): SourceRecord => ({
  kind: 'STAFF',
  sourceSystem: 'internet-cafe',
  siteSourceId: siteId,
  idNumber,
  name,
  role,
  since: '2025-06-01',
});

/** A source batch of these records (cursor `c`, nothing quarantined). */
export const batchOf = (records: SourceRecord[]): SourceBatch => ({
  records,
  quarantined: [],
  cursor: 'c',
  fetched: records.length,
});
