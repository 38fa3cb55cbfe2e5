import { ExchangeError } from './errors.js';

// Shape of a GB 11643 number with a plausible birth date; check digits are not required because registries
// hold issued numbers that fail them, and those must not slip through unmasked either.
const FULL_ID_NUMBER =
  /(?<![0-9A-Za-z*])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])/;
const MOBILE_PHONE = /(?<!\d)1[3-9]\d{9}(?!\d)/;

/** Keys whose values are organisation codes (USCC), which can look like ID numbers and are not personal data. */
const ORG_CODE_KEYS = new Set(['uscc', 'code', 'partyUscc', 'authorityUscc']);

/**
 * Masks a person ID number the way every partner but credit receives it: `350322198811093310` → `350322********3310`.
 * Anything that is not an 18-character ID number comes back with all but the first 6 and last 4 characters starred.
 */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length <= 10) return '*'.repeat(idNumber.length);
  return `${idNumber.slice(0, 6)}${'*'.repeat(idNumber.length - 10)}${idNumber.slice(-4)}`;
}

/** True when `text` contains something shaped like a full (unmasked) 18-character ID number. */
export function containsFullIdNumber(text: string): boolean {
  return FULL_ID_NUMBER.test(text);
}

/** True when `text` contains a mainland mobile phone number. */
export function containsMobilePhone(text: string): boolean {
  return MOBILE_PHONE.test(text);
}

/**
 * Walks every string in `value` (skipping organisation-code keys such as `uscc`) and lists the paths that hold a full
 * ID number (and, with `phones`, a mobile number).
 */
export function findPersonalData(value: unknown, opts: { phones?: boolean } = {}, path = ''): string[] {
  if (typeof value === 'string') {
    const hits: string[] = [];
    if (containsFullIdNumber(value)) hits.push(`${path || '/'}: full ID number`);
    if (opts.phones && containsMobilePhone(value)) hits.push(`${path || '/'}: mobile phone number`);
    return hits;
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => findPersonalData(v, opts, `${path}/${i}`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) =>
      ORG_CODE_KEYS.has(k) ? [] : findPersonalData(v, opts, `${path}/${k}`),
    );
  }
  return [];
}

/**
 * Refuses a message for any partner but credit when it carries a full ID number (credit-exchange.md: "Person ID
 * numbers go in full only to this receiver"), or, with `phones`, a mobile number (portal-publishing.md).
 *
 * @throws ExchangeError('PERSONAL_DATA_REFUSED') naming the paths, never the values.
 */
export function assertNoPersonalData(value: unknown, partner: string, opts: { phones?: boolean } = {}): void {
  const hits = findPersonalData(value, opts);
  if (hits.length > 0) {
    throw new ExchangeError('PERSONAL_DATA_REFUSED', `personal data may not be sent to ${partner}`, hits);
  }
}
