import { ATTR, TEXT, parseXmlSafely, xmlSpanOf, type XmlSpan } from '../source-kit/safe-xml.js';
import { SourceError } from '../source-kit/source.errors.js';
import {
  Issues,
  join,
  readBaseUrl,
  readIntSetting,
  readObject,
  readOptionalCount,
  readOptionalDecimal,
  readOptionalString,
  readString,
  readTimestamp,
  throwIfConfigInvalid,
  type Validated,
} from '../source-kit/validate.js';
import type { ConfigValidator } from '../types.js';

/** Configuration of the hotel adapter. */
export interface HotelConfig {
  /** Base URL, e.g. `http://10.1.2.3:8080` (the adapter appends `/lgxx/v1/hotels`). */
  baseUrl: string;
  apiKey: string;
  /** 1–500, default 500. */
  pageSize: number;
  /** Per-request timeout, default 30 s. */
  timeoutMs: number;
}

/**
 * Validates a hotel adapter config; throws `CONFIG_INVALID` naming every bad field.
 * @example hotelConfigSchema({ baseUrl: 'http://lgxx.local', apiKey: 'k' })
 */
export const hotelConfigSchema: ConfigValidator<HotelConfig> = (input) => {
  const issues = new Issues();
  const o = readObject(input, 'config', issues) ?? {};
  const config: HotelConfig = {
    baseUrl: readBaseUrl(o.baseUrl, 'baseUrl', issues),
    apiKey: readString(o.apiKey, 'apiKey', issues, { label: 'non-empty string' }),
    pageSize: readIntSetting(o.pageSize, 'pageSize', issues, { min: 1, max: 500, fallback: 500 }),
    timeoutMs: readIntSetting(o.timeoutMs, 'timeoutMs', issues, { min: 100, max: 600_000, fallback: 30_000 }),
  };
  throwIfConfigInvalid('hotel', issues);
  return config;
};

/** Hotel status codes: 01 营业, 02 停业, 03 注销/歇业. */
export type HotelStatus = '01' | '02' | '03';

/** A hotel element after validation (all codes and decimals still strings). */
export interface HotelRow {
  id: string;
  updatedAt: string;
  status: HotelStatus;
  name: string;
  uscc: string | null;
  licenseNo: string | null;
  address: string | null;
  region: string | null;
  stationCode: string | null;
  stationName: string | null;
  legal: { name: string | null; idType: string | null; idNo: string | null; phone: string | null } | null;
  rooms: number | null;
  beds: number | null;
  star: number | null;
  foreign: boolean | null;
  blacklisted: boolean | null;
  compliance: {
    registrationRate: string | null;
    unregisteredGuests30d: number | null;
    uploadDelayHours30d: string | null;
  } | null;
  geo: { lat: string; lng: string } | null;
}

/** A parsed page: body code, paging and the raw hotel elements (still `unknown`). */
export interface HotelPage {
  code: string;
  message: string;
  total: number | null;
  hotels: { node: unknown; span: XmlSpan | null }[];
}

/**
 * Parses one page document (already decoded from GB18030). Throws `XML_DOCTYPE_REFUSED`,
 * `MALFORMED_DOCUMENT` (transient: re-fetch) or `XML_LIMIT_EXCEEDED`; an unexpected root is
 * `MALFORMED_DOCUMENT` too. A single `<lg:Hotel>` is returned as a one-element list.
 */
export function parseHotelPage(text: string): HotelPage {
  const doc = parseXmlSafely(text, { arrayPaths: ['Response.Hotels.Hotel'] });
  const root = (doc as Record<string, unknown> | null)?.Response;
  if (root === null || typeof root !== 'object') {
    throw new SourceError('MALFORMED_DOCUMENT', 'hotel page: missing <Response> root', { transient: true });
  }
  const r = root as Record<string, unknown>;
  const code = typeof r[`${ATTR}code`] === 'string' ? (r[`${ATTR}code`] as string).trim() : '';
  const message = typeof r[`${ATTR}message`] === 'string' ? (r[`${ATTR}message`] as string) : '';
  const page = r.Page as Record<string, unknown> | undefined;
  const totalRaw = page && typeof page === 'object' ? page[`${ATTR}total`] : undefined;
  const total = typeof totalRaw === 'string' && /^\d+$/.test(totalRaw) ? Number(totalRaw) : null;
  const container = r.Hotels;
  const list =
    container !== null && typeof container === 'object'
      ? (container as Record<string, unknown>).Hotel
      : undefined;
  const hotels = Array.isArray(list) ? list.map((node: unknown) => ({ node, span: xmlSpanOf(node) })) : [];
  return { code, message, total, hotels };
}

/** Text content of an element node (plain string, or `#text` of an element with attributes). */
function textOf(node: unknown): unknown {
  if (node === undefined || node === null) return node;
  if (typeof node === 'string') return node;
  if (typeof node === 'object' && !Array.isArray(node)) {
    const keys = Object.keys(node);
    if (keys.some((k) => k !== TEXT && !k.startsWith(ATTR))) return node;
    const t = (node as Record<string, unknown>)[TEXT];
    return t === undefined ? '' : t;
  }
  return node;
}

function attrOf(node: unknown, name: string): unknown {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  return (node as Record<string, unknown>)[`${ATTR}${name}`];
}

function readYesNo(v: unknown, path: string, issues: Issues): boolean | null {
  const s = readOptionalString(textOf(v), path, issues, { pattern: /^\s*[YN]\s*$/, label: 'Y or N' });
  return s === null ? null : s.trim() === 'Y';
}

/** `id` attribute of a hotel element, when readable (used to name quarantined records). */
export function hotelIdOf(node: unknown): string | null {
  const id = attrOf(node, 'id');
  return typeof id === 'string' && id.trim() !== '' ? id : null;
}

/** `updatedAt` attribute of a hotel element, when readable. */
export function hotelUpdatedAtOf(node: unknown): string | null {
  const at = attrOf(node, 'updatedAt');
  return typeof at === 'string' ? at : null;
}

/**
 * Validates one `<lg:Hotel>` element. `path` prefixes every problem, e.g. `Hotel[3]` →
 * `Hotel[3].Legal.IdNo: expected string, got object`.
 */
export function validateHotel(node: unknown, path: string): Validated<HotelRow> {
  const issues = new Issues();
  const h = readObject(node, path, issues);
  if (!h) return { ok: false, reason: issues.toString() };
  const f = (k: string): string => join(path, k);
  const legalNode = h.Legal;
  let legal: HotelRow['legal'] = null;
  if (legalNode !== undefined && legalNode !== '') {
    const l = readObject(legalNode, f('Legal'), issues);
    if (l) {
      const lp = (k: string): string => join(f('Legal'), k);
      legal = {
        name: readOptionalString(textOf(l.Name), lp('Name'), issues),
        idType: readOptionalString(textOf(l.IdType), lp('IdType'), issues, {
          pattern: /^\s*\d{3}\s*$/,
          label: '3-digit GA/T 2000.156 code',
        }),
        idNo: readOptionalString(textOf(l.IdNo), lp('IdNo'), issues),
        phone: readOptionalString(textOf(l.Phone), lp('Phone'), issues),
      };
    }
  }
  const comp = h.Compliance;
  const compliance =
    comp !== undefined && comp !== null && typeof comp === 'object'
      ? {
          registrationRate: readOptionalDecimal(
            attrOf(comp, 'registrationRate'),
            f('Compliance@registrationRate'),
            issues,
          ),
          unregisteredGuests30d: readOptionalCount(
            attrOf(comp, 'unregisteredGuests30d'),
            f('Compliance@unregisteredGuests30d'),
            issues,
          ),
          uploadDelayHours30d: readOptionalDecimal(
            attrOf(comp, 'uploadDelayHours30d'),
            f('Compliance@uploadDelayHours30d'),
            issues,
          ),
        }
      : null;
  let geo: HotelRow['geo'] = null;
  if (h.Geo !== undefined && h.Geo !== null) {
    const lat = readOptionalDecimal(attrOf(h.Geo, 'lat'), f('Geo@lat'), issues);
    const lng = readOptionalDecimal(attrOf(h.Geo, 'lng'), f('Geo@lng'), issues);
    geo = lat !== null && lng !== null ? { lat, lng } : null;
  }
  const row: HotelRow = {
    id: readString(attrOf(h, 'id'), f('@id'), issues, {
      pattern: /^[0-9A-Z]{13}$/,
      label: '13-character hotel code',
    }),
    updatedAt: readTimestamp(attrOf(h, 'updatedAt'), f('@updatedAt'), issues),
    status: readString(attrOf(h, 'status'), f('@status'), issues, {
      pattern: /^0[123]$/,
      label: 'status 01|02|03',
    }) as HotelStatus,
    name: readString(textOf(h.Name), f('Name'), issues),
    uscc: readOptionalString(textOf(h.Uscc), f('Uscc'), issues),
    licenseNo: readOptionalString(textOf(h.LicenseNo), f('LicenseNo'), issues),
    address: readOptionalString(textOf(h.Address), f('Address'), issues),
    region: readOptionalString(attrOf(h.Address, 'region'), f('Address@region'), issues, {
      pattern: /^\d{6}$/,
      label: '6-digit region code',
    }),
    stationCode: readOptionalString(attrOf(h.PoliceStation, 'code'), f('PoliceStation@code'), issues, {
      pattern: /^\d{12}$/,
      label: '12-digit unit code',
    }),
    stationName: readOptionalString(textOf(h.PoliceStation), f('PoliceStation'), issues),
    legal,
    rooms: readOptionalCount(textOf(h.Rooms), f('Rooms'), issues),
    beds: readOptionalCount(textOf(h.Beds), f('Beds'), issues),
    star: readOptionalCount(textOf(h.Star), f('Star'), issues),
    foreign: readYesNo(h.Foreign, f('Foreign'), issues),
    blacklisted: readYesNo(h.Blacklisted, f('Blacklisted'), issues),
    compliance,
    geo,
  };
  return issues.ok ? { ok: true, value: row } : { ok: false, reason: issues.toString() };
}
