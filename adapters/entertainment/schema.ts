import {
  Issues,
  join,
  readBaseUrl,
  readIntSetting,
  readObject,
  readOptionalArray,
  readOptionalCount,
  readOptionalDate,
  readOptionalDecimal,
  readOptionalEnum,
  readOptionalObject,
  readOptionalString,
  readString,
  readTimestamp,
  throwIfConfigInvalid,
  type Validated,
} from '../source-kit/validate.js';
import type { ConfigValidator } from '../types.js';

/** Configuration of the entertainment adapter. */
export interface EntertainmentConfig {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Page size 1–200, default 200. */
  limit: number;
  timeoutMs: number;
}

/**
 * Validates an entertainment adapter config; throws `CONFIG_INVALID` naming every bad field.
 * @example entertainmentConfigSchema({ baseUrl: 'https://ylcs.local', clientId: 'a', clientSecret: 's' })
 */
export const entertainmentConfigSchema: ConfigValidator<EntertainmentConfig> = (input) => {
  const issues = new Issues();
  const o = readObject(input, 'config', issues) ?? {};
  const config: EntertainmentConfig = {
    baseUrl: readBaseUrl(o.baseUrl, 'baseUrl', issues),
    clientId: readString(o.clientId, 'clientId', issues, { label: 'non-empty string' }),
    clientSecret: readString(o.clientSecret, 'clientSecret', issues, { label: 'non-empty string' }),
    limit: readIntSetting(o.limit, 'limit', issues, { min: 1, max: 200, fallback: 200 }),
    timeoutMs: readIntSetting(o.timeoutMs, 'timeoutMs', issues, { min: 100, max: 600_000, fallback: 30_000 }),
  };
  throwIfConfigInvalid('entertainment', issues);
  return config;
};

/** Venue categories of the contract. */
export const VENUE_CATEGORIES = ['KTV', 'DANCE_HALL', 'ARCADE', 'PERFORMANCE_BAR', 'OTHER'] as const;
/** Business status values of the contract. */
export const BUSINESS_STATUSES = ['OPEN', 'SUSPENDED', 'CLOSED'] as const;

/** A person block (`legalRep`, `manager`). */
export interface VenuePerson {
  name: string | null;
  idType: string | null;
  idNumber: string | null;
  phone: string | null;
}

/** A venue after validation. Unknown fields are dropped; every field but the key and time may be null. */
export interface VenueRow {
  venueCode: string;
  modifiedAt: string;
  name: string | null;
  uscc: string | null;
  category: (typeof VENUE_CATEGORIES)[number] | null;
  securityGrade: 'A' | 'B' | 'C' | null;
  businessStatus: (typeof BUSINESS_STATUSES)[number] | null;
  address: string | null;
  jurisdiction: { code: string | null; name: string | null } | null;
  legalRep: VenuePerson | null;
  manager: VenuePerson | null;
  approvedCapacity: number | null;
  privateRooms: number | null;
  areaM2: string | null;
  cultureLicenseNo: string | null;
  filingNo: string | null;
  openedOn: string | null;
  complaints90d: number | null;
  incidents: { date: string; kind: string; caseNo: string | null }[];
}

/** A page of venues: `data` items still `unknown`. */
export interface VenuePage {
  data: unknown[];
  nextCursor: string | null;
}

/** Validates the envelope of `GET /api/v2/venues`. */
export function validateVenuePage(body: unknown): Validated<VenuePage> {
  const issues = new Issues();
  const o = readObject(body, 'body', issues);
  if (!o) return { ok: false, reason: issues.toString() };
  const data = Array.isArray(o.data) ? o.data : (issues.add('body.data', 'expected array'), []);
  const nextCursor = readOptionalString(o.nextCursor, 'body.nextCursor', issues);
  return issues.ok ? { ok: true, value: { data, nextCursor } } : { ok: false, reason: issues.toString() };
}

/** Validates `POST /oauth/token`'s answer. */
export function validateTokenResponse(body: unknown): Validated<{ accessToken: string; expiresIn: number }> {
  const issues = new Issues();
  const o = readObject(body, 'token', issues) ?? {};
  const accessToken = readString(o.access_token, 'token.access_token', issues);
  const expiresIn = readOptionalCount(o.expires_in, 'token.expires_in', issues) ?? 300;
  return issues.ok
    ? { ok: true, value: { accessToken, expiresIn } }
    : { ok: false, reason: issues.toString() };
}

function readPerson(v: unknown, path: string, issues: Issues): VenuePerson | null {
  const p = readOptionalObject(v, path, issues);
  if (!p) return null;
  return {
    name: readOptionalString(p.name, join(path, 'name'), issues),
    idType: readOptionalString(p.idType, join(path, 'idType'), issues),
    idNumber: readOptionalString(p.idNumber, join(path, 'idNumber'), issues),
    phone: readOptionalString(p.phone, join(path, 'phone'), issues),
  };
}

/** `venueCode` of a raw item, when readable. */
export function venueCodeOf(item: unknown): string | null {
  const c =
    item !== null && typeof item === 'object' ? (item as Record<string, unknown>).venueCode : undefined;
  return typeof c === 'string' && c !== '' ? c : null;
}

/** `modifiedAt` of a raw item, when readable. */
export function venueModifiedAtOf(item: unknown): string | null {
  const m =
    item !== null && typeof item === 'object' ? (item as Record<string, unknown>).modifiedAt : undefined;
  return typeof m === 'string' ? m : null;
}

/** Validates one venue (`path` like `data[3]`); tolerant of nulls and unknown fields. */
export function validateVenue(item: unknown, path: string): Validated<VenueRow> {
  const issues = new Issues();
  const v = readObject(item, path, issues);
  if (!v) return { ok: false, reason: issues.toString() };
  const f = (k: string): string => join(path, k);
  const j = readOptionalObject(v.jurisdiction, f('jurisdiction'), issues);
  const incidents = readOptionalArray(v.incidents, f('incidents'), issues).flatMap((x, i) => {
    const ip = join(f('incidents'), i);
    const o = readObject(x, ip, issues);
    if (!o) return [];
    return [
      {
        date: readString(o.date, join(ip, 'date'), issues, {
          pattern: /^\d{4}-\d{2}-\d{2}$/,
          label: 'date YYYY-MM-DD',
        }),
        kind: readString(o.kind, join(ip, 'kind'), issues),
        caseNo: readOptionalString(o.caseNo, join(ip, 'caseNo'), issues),
      },
    ];
  });
  const row: VenueRow = {
    venueCode: readString(v.venueCode, f('venueCode'), issues, {
      pattern: /^[0-9A-Z]{6,32}$/,
      label: 'venue code',
    }),
    modifiedAt: readTimestamp(v.modifiedAt, f('modifiedAt'), issues),
    name: readOptionalString(v.name, f('name'), issues),
    uscc: readOptionalString(v.uscc, f('uscc'), issues),
    category: readOptionalEnum(v.category, VENUE_CATEGORIES, f('category'), issues),
    securityGrade: readOptionalEnum(v.securityGrade, ['A', 'B', 'C'] as const, f('securityGrade'), issues),
    businessStatus: readOptionalEnum(v.businessStatus, BUSINESS_STATUSES, f('businessStatus'), issues),
    address: readOptionalString(v.address, f('address'), issues),
    jurisdiction: j
      ? {
          code: readOptionalString(j.code, join(f('jurisdiction'), 'code'), issues),
          name: readOptionalString(j.name, join(f('jurisdiction'), 'name'), issues),
        }
      : null,
    legalRep: readPerson(v.legalRep, f('legalRep'), issues),
    manager: readPerson(v.manager, f('manager'), issues),
    approvedCapacity: readOptionalCount(v.approvedCapacity, f('approvedCapacity'), issues),
    privateRooms: readOptionalCount(v.privateRooms, f('privateRooms'), issues),
    areaM2: readOptionalDecimal(v.areaM2, f('areaM2'), issues),
    cultureLicenseNo: readOptionalString(v.cultureLicenseNo, f('cultureLicenseNo'), issues),
    filingNo: readOptionalString(v.filingNo, f('filingNo'), issues),
    openedOn: readOptionalDate(v.openedOn, f('openedOn'), issues),
    complaints90d: readOptionalCount(v.complaints90d, f('complaints90d'), issues),
    incidents,
  };
  return issues.ok ? { ok: true, value: row } : { ok: false, reason: issues.toString() };
}
