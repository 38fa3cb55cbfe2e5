import type { SourceRecord, SourceTarget, TargetStatusCode } from '../types.js';
import type { ChangeRow, SiteRow } from './schema.js';

const STATUS: Record<SiteRow['status'], TargetStatusCode> = {
  OPEN: 'OPERATING',
  SUSPENDED: 'SUSPENDED',
  REVOKED: 'REVOKED',
};

/** Maps a validated SITE payload to a target record (`at` is the change time). Pure. */
export function mapSite(s: SiteRow, at: string): SourceTarget {
  return {
    kind: 'TARGET',
    sourceSystem: 'internet-cafe',
    sourceId: s.siteCode,
    category: 'INTERNET_CAFE',
    name: s.name,
    uscc: s.uscc,
    licenceNos: s.cultureLicenseNo === null ? [] : [{ kind: 'CULTURE', number: s.cultureLicenseNo }],
    address: s.address,
    regionCode: s.siteCode.slice(0, 6),
    jurisdictionCode: s.policeStation?.code ?? null,
    jurisdictionName: s.policeStation?.name ?? null,
    status: STATUS[s.status],
    grade: null,
    blacklisted: null,
    abnormalListed: s.abnormalListed,
    complaints90d: s.complaints90d,
    violations: s.violations.map((v) => ({
      date: v.date,
      type: v.type,
      ...(v.decisionNo === null ? {} : { decisionNo: v.decisionNo }),
      ...(v.fineYuan === null ? {} : { fineYuan: v.fineYuan }),
    })),
    incidents: [],
    persons:
      s.legalRep?.name != null
        ? [
            {
              role: 'LEGAL_REP',
              name: s.legalRep.name,
              idType: s.legalRep.idType,
              idNumber: s.legalRep.idNumber,
              phone: s.legalRep.phone,
            },
          ]
        : [],
    geo: null,
    attributes: { terminals: s.terminals, auditGapHours30d: s.auditGapHours30d },
    sourceUpdatedAt: at,
  };
}

/** Maps a validated change to the record the sync engine applies. Pure. */
export function mapChange(c: ChangeRow): SourceRecord {
  if (c.op === 'UPSERT' && c.entity === 'SITE') return mapSite(c.site, c.at);
  if (c.op === 'UPSERT') {
    return {
      kind: 'STAFF',
      sourceSystem: 'internet-cafe',
      siteSourceId: c.staff.siteCode,
      idNumber: c.staff.idNumber,
      name: c.staff.name,
      role: c.staff.role,
      since: c.staff.since,
    };
  }
  if (c.entity === 'SITE')
    return { kind: 'TARGET_DELETED', sourceSystem: 'internet-cafe', sourceId: c.siteCode };
  return {
    kind: 'STAFF_DELETED',
    sourceSystem: 'internet-cafe',
    siteSourceId: c.siteCode,
    idNumber: c.idNumber,
  };
}
