import type { SourceTarget, TargetStatusCode } from '../types.js';
import type { HotelRow, HotelStatus } from './schema.js';

const STATUS: Record<HotelStatus, TargetStatusCode> = {
  '01': 'OPERATING',
  '02': 'SUSPENDED',
  '03': 'CLOSED',
};

/** Maps a hotel status code (`01` 营业, `02` 停业, `03` 注销/歇业) to the platform status. */
export function mapHotelStatus(code: HotelStatus): TargetStatusCode {
  return STATUS[code];
}

/**
 * Maps a validated hotel row to a target record. Pure. The USCC and ID numbers are passed as
 * sent (normalising and check-character validation belong to the sync engine).
 */
export function mapHotel(row: HotelRow): SourceTarget {
  const attributes: SourceTarget['attributes'] = {
    rooms: row.rooms,
    beds: row.beds,
    star: row.star,
    foreignGuests: row.foreign,
    registrationRate: row.compliance?.registrationRate ?? null,
    unregisteredGuests30d: row.compliance?.unregisteredGuests30d ?? null,
    uploadDelayHours30d: row.compliance?.uploadDelayHours30d ?? null,
  };
  return {
    kind: 'TARGET',
    sourceSystem: 'hotel',
    sourceId: row.id,
    category: 'HOTEL',
    name: row.name,
    uscc: row.uscc,
    licenceNos: row.licenseNo === null ? [] : [{ kind: 'SPECIAL_TRADE', number: row.licenseNo }],
    address: row.address,
    regionCode: row.region ?? (/^\d{6}/.test(row.id) ? row.id.slice(0, 6) : null),
    jurisdictionCode: row.stationCode,
    jurisdictionName: row.stationName,
    status: mapHotelStatus(row.status),
    grade: null,
    blacklisted: row.blacklisted,
    abnormalListed: null,
    complaints90d: null,
    violations: [],
    incidents: [],
    persons:
      row.legal !== null && row.legal.name !== null
        ? [
            {
              role: 'LEGAL_REP',
              name: row.legal.name,
              idType: row.legal.idType?.trim() ?? null,
              idNumber: row.legal.idNo,
              phone: row.legal.phone,
            },
          ]
        : [],
    geo: row.geo,
    attributes,
    sourceUpdatedAt: row.updatedAt,
  };
}
