import type { SourcePerson, SourceTarget, TargetStatusCode } from '../types.js';
import type { VenuePerson, VenueRow } from './schema.js';

const STATUS: Record<NonNullable<VenueRow['businessStatus']>, TargetStatusCode> = {
  OPEN: 'OPERATING',
  SUSPENDED: 'SUSPENDED',
  CLOSED: 'CLOSED',
};

function person(role: SourcePerson['role'], p: VenuePerson | null): SourcePerson[] {
  if (p === null || p.name === null) return [];
  return [{ role, name: p.name, idType: p.idType, idNumber: p.idNumber, phone: p.phone }];
}

/**
 * Maps a validated venue to a target record. Pure. An ungraded venue keeps `grade: null`
 * (the platform treats it as C); `areaM2` stays a decimal string.
 */
export function mapVenue(v: VenueRow): SourceTarget {
  const licenceNos: SourceTarget['licenceNos'] = [];
  if (v.cultureLicenseNo !== null) licenceNos.push({ kind: 'CULTURE', number: v.cultureLicenseNo });
  if (v.filingNo !== null) licenceNos.push({ kind: 'POLICE_FILING', number: v.filingNo });
  const region = /^\d{6}/.test(v.venueCode)
    ? v.venueCode.slice(0, 6)
    : v.jurisdiction?.code && /^\d{6}/.test(v.jurisdiction.code)
      ? v.jurisdiction.code.slice(0, 6)
      : null;
  return {
    kind: 'TARGET',
    sourceSystem: 'entertainment',
    sourceId: v.venueCode,
    category: 'ENTERTAINMENT',
    name: v.name,
    uscc: v.uscc,
    licenceNos,
    address: v.address,
    regionCode: region,
    jurisdictionCode: v.jurisdiction?.code ?? null,
    jurisdictionName: v.jurisdiction?.name ?? null,
    status: v.businessStatus === null ? null : STATUS[v.businessStatus],
    grade: v.securityGrade,
    blacklisted: null,
    abnormalListed: null,
    complaints90d: v.complaints90d,
    violations: [],
    incidents: v.incidents.map((i) =>
      i.caseNo === null ? { date: i.date, kind: i.kind } : { date: i.date, kind: i.kind, caseNo: i.caseNo },
    ),
    persons: [...person('LEGAL_REP', v.legalRep), ...person('MANAGER', v.manager)],
    geo: null,
    attributes: {
      venueCategory: v.category,
      approvedCapacity: v.approvedCapacity,
      privateRooms: v.privateRooms,
      areaM2: v.areaM2,
      openedOn: v.openedOn,
    },
    sourceUpdatedAt: v.modifiedAt,
  };
}
