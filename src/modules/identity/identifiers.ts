/**
 * Checks and masking for the identifiers the platform handles: 统一社会信用代码 (USCC,
 * GB 32100-2015), 公民身份号码 (GB 11643-1999) and internet-café venue codes (GA 557.1).
 *
 * The check functions never throw: real registries hold issued codes that fail their own
 * check, so callers store `raw`, `normalised` and `valid`, and warn instead of rejecting.
 */

/** Fields every identifier check returns. */
export interface IdentifierCheck<R extends string> {
  /** The input as received; `null` when the input was null, undefined or not a string. */
  raw: string | null;
  /** The normalised form (see each check); `''` when the input was empty. */
  normalised: string;
  valid: boolean;
  /** Why `valid` is false: the first failed rule, in the order the rules are listed. */
  reason?: R;
}

export type UsccReason = 'EMPTY' | 'LENGTH' | 'CHARSET' | 'CHECK_CHAR';

export interface UsccCheck extends IdentifierCheck<UsccReason> {
  /** Whether positions 9–17 form a valid GB 11714 organisation code (reported, never required). */
  orgCodeValid: boolean;
}

export type CitizenIdReason = 'EMPTY' | 'LENGTH' | 'CHARSET' | 'BIRTH_DATE' | 'CHECK_CHAR';

export interface CitizenIdCheck extends IdentifierCheck<CitizenIdReason> {
  /** True when the input was a legacy 15-digit number; `normalised` is then its 18-digit form. */
  upgradedFrom15: boolean;
  /** `YYYY-MM-DD` when the embedded birth date is a real date (even if `valid` is false for another reason). */
  birthDate?: string;
}

export type CafeSiteCodeReason = 'EMPTY' | 'LENGTH' | 'CHARSET' | 'REGION' | 'TYPE_CODE';

export type CafeSiteCodeCheck = IdentifierCheck<CafeSiteCodeReason>;

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const USCC_PATTERN = /^[0-9ABCDEFGHJKLMNPQRTUWXY]{18}$/;
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];
const CITIZEN_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CITIZEN_ID_CHECK_MAP = '10X98765432';
// GB/T 2260 province-level prefixes (71 Taiwan, 81 Hong Kong, 82 Macao included: they appear on
// residence permits and in some registries).
// prettier-ignore
const PROVINCE_PREFIXES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42', '43',
  '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82',
]);
const EARLIEST_BIRTH_YEAR = 1800;
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

// NFKC folds full-width digits and letters (１２３ＡＢＣ), which GBK-era systems often emit, into ASCII.
function compact(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/g, '');
}

function rawOf(raw: unknown): string | null {
  return typeof raw === 'string' ? raw : null;
}

/**
 * Computes the GB 32100 check character for the first 17 characters of a USCC.
 * @example computeUsccCheckChar('91350100M000100Y4') // '3'
 * @throws RangeError when the input is not 17 characters of the USCC alphabet.
 */
export function computeUsccCheckChar(first17: string): string {
  if (!/^[0-9ABCDEFGHJKLMNPQRTUWXY]{17}$/.test(first17)) {
    throw new RangeError(`expected 17 characters of ${USCC_ALPHABET}, got ${first17.length} characters`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i]!) * USCC_WEIGHTS[i]!;
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]!;
}

/**
 * Computes the GB 11714 check character (`0`–`9` or `X`) for the first 8 characters of an
 * organisation code. Letters count A=10 … Z=35.
 * @example computeOrgCodeCheckChar('MA31C7Q2') // 'X'
 * @throws RangeError when the input is not 8 characters of `0-9A-Z`.
 */
export function computeOrgCodeCheckChar(first8: string): string {
  if (!/^[0-9A-Z]{8}$/.test(first8)) {
    throw new RangeError(`expected 8 characters of 0-9A-Z, got ${first8.length} characters`);
  }
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += parseInt(first8[i]!, 36) * ORG_CODE_WEIGHTS[i]!;
  const c9 = 11 - (sum % 11);
  return c9 === 10 ? 'X' : c9 === 11 ? '0' : String(c9);
}

/**
 * Computes the GB 11643 check character (`0`–`9` or `X`) for the first 17 digits of an ID number.
 * @example computeCitizenIdCheckChar('11010519491231002') // 'X'
 * @throws RangeError when the input is not 17 digits.
 */
export function computeCitizenIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError(`expected 17 digits, got ${first17.length} characters`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * CITIZEN_ID_WEIGHTS[i]!;
  return CITIZEN_ID_CHECK_MAP[sum % 11]!;
}

/**
 * Checks a 统一社会信用代码 (GB 32100-2015). Normalises by NFKC, removing all whitespace and
 * upper-casing. `valid` covers length, alphabet (no I, O, Z, S, V) and the 18th check character;
 * `orgCodeValid` reports the embedded GB 11714 organisation code separately, since many codes of
 * individual businesses (92…) legitimately fail it.
 * @example checkUscc(' 91350322ma31c7q2xk ') // { normalised: '91350322MA31C7Q2XK', valid: true, orgCodeValid: true, … }
 * Never throws: bad input gives `valid: false` with reason EMPTY, LENGTH, CHARSET or CHECK_CHAR.
 */
export function checkUscc(raw: string | null | undefined): UsccCheck {
  const normalised = typeof raw === 'string' ? compact(raw).toUpperCase() : '';
  const result = (valid: boolean, orgCodeValid: boolean, reason?: UsccReason): UsccCheck => ({
    raw: rawOf(raw),
    normalised,
    valid,
    orgCodeValid,
    ...(reason ? { reason } : {}),
  });
  if (normalised === '') return result(false, false, 'EMPTY');
  if (normalised.length !== 18) return result(false, false, 'LENGTH');
  if (!USCC_PATTERN.test(normalised)) return result(false, false, 'CHARSET');
  const orgCode = normalised.slice(8, 17);
  const orgCodeValid = computeOrgCodeCheckChar(orgCode.slice(0, 8)) === orgCode[8];
  if (computeUsccCheckChar(normalised.slice(0, 17)) !== normalised[17]) {
    return result(false, orgCodeValid, 'CHECK_CHAR');
  }
  return result(true, orgCodeValid);
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function parseYmd(ymd: string): { iso: string; year: number; month: number; day: number } | null {
  if (!/^\d{8}$/.test(ymd)) return null;
  const year = Number(ymd.slice(0, 4));
  const month = Number(ymd.slice(4, 6));
  const day = Number(ymd.slice(6, 8));
  if (!isRealDate(year, month, day)) return null;
  return { iso: `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}`, year, month, day };
}

function shanghaiToday(now: Date): string {
  return new Date(now.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** Options for {@link checkCitizenId}. */
export interface CitizenIdOptions {
  /** The clock used for "birth date not in the future" (compared as a date in Asia/Shanghai). */
  now?: Date;
}

/**
 * Checks a 公民身份号码 (GB 11643-1999). Normalises by NFKC, removing all whitespace and
 * upper-casing a trailing `x`. Legacy 15-digit numbers are upgraded to 18 digits (`19` inserted
 * into the year, check digit computed) with `upgradedFrom15: true`. The birth date must be a
 * real calendar date from 1800 on and not after today in Asia/Shanghai.
 * @example checkCitizenId('11010519491231002x') // { normalised: '11010519491231002X', valid: true, birthDate: '1949-12-31', … }
 * @example checkCitizenId('350322881109331').normalised // '350322198811093310'
 * Never throws: bad input gives `valid: false` with reason EMPTY, LENGTH, CHARSET, BIRTH_DATE
 * or CHECK_CHAR (the first that fails, in that order).
 */
export function checkCitizenId(
  raw: string | null | undefined,
  options: CitizenIdOptions = {},
): CitizenIdCheck {
  const input = typeof raw === 'string' ? compact(raw).replace(/x$/, 'X') : '';
  let normalised = input;
  let upgradedFrom15 = false;
  let birthDate: string | undefined;
  const result = (valid: boolean, reason?: CitizenIdReason): CitizenIdCheck => ({
    raw: rawOf(raw),
    normalised,
    valid,
    ...(reason ? { reason } : {}),
    upgradedFrom15,
    ...(birthDate ? { birthDate } : {}),
  });
  if (input === '') return result(false, 'EMPTY');
  if (input.length === 15) {
    if (!/^\d{15}$/.test(input)) return result(false, 'CHARSET');
    const first17 = `${input.slice(0, 6)}19${input.slice(6)}`;
    normalised = first17 + computeCitizenIdCheckChar(first17);
    upgradedFrom15 = true;
  } else if (input.length === 18) {
    if (!/^\d{17}[\dX]$/.test(input)) return result(false, 'CHARSET');
  } else {
    return result(false, 'LENGTH');
  }
  const date = parseYmd(normalised.slice(6, 14));
  if (date) birthDate = date.iso;
  if (!date || date.year < EARLIEST_BIRTH_YEAR || date.iso > shanghaiToday(options.now ?? new Date())) {
    return result(false, 'BIRTH_DATE');
  }
  if (computeCitizenIdCheckChar(normalised.slice(0, 17)) !== normalised[17])
    return result(false, 'CHECK_CHAR');
  return result(true);
}

/**
 * Checks a GA 557.1 internet-café venue code: 14 digits = 6-digit region code (its province
 * prefix must exist in GB/T 2260) + `10` + 6-digit serial. Normalises by NFKC and removing
 * all whitespace.
 * @example checkCafeSiteCode('35032210000123') // { normalised: '35032210000123', valid: true, … }
 * Never throws: bad input gives `valid: false` with reason EMPTY, LENGTH, CHARSET, REGION or TYPE_CODE.
 */
export function checkCafeSiteCode(raw: string | null | undefined): CafeSiteCodeCheck {
  const normalised = typeof raw === 'string' ? compact(raw) : '';
  const result = (valid: boolean, reason?: CafeSiteCodeReason): CafeSiteCodeCheck => ({
    raw: rawOf(raw),
    normalised,
    valid,
    ...(reason ? { reason } : {}),
  });
  if (normalised === '') return result(false, 'EMPTY');
  if (normalised.length !== 14) return result(false, 'LENGTH');
  if (!/^\d{14}$/.test(normalised)) return result(false, 'CHARSET');
  if (!PROVINCE_PREFIXES.has(normalised.slice(0, 2))) return result(false, 'REGION');
  if (normalised.slice(6, 8) !== '10') return result(false, 'TYPE_CODE');
  return result(true);
}

/**
 * Masks an identity-document number: the first 6 and last 4 characters stay, every other
 * character becomes `*`. Values shorter than 15 characters (passports, other documents) keep
 * only their last 4 characters, and values shorter than 8 characters are masked entirely.
 * Surrounding whitespace is dropped.
 * @example maskIdNumber('350322198811093310') // '350322********3310'
 * Never throws.
 */
export function maskIdNumber(value: string): string {
  const chars = Array.from(value.trim());
  const n = chars.length;
  if (n >= 15) return chars.slice(0, 6).join('') + '*'.repeat(n - 10) + chars.slice(n - 4).join('');
  if (n >= 8) return '*'.repeat(n - 4) + chars.slice(n - 4).join('');
  return '*'.repeat(n);
}

const MOBILE_EXACT = /^(?:\+?86)?(1[3-9]\d)(\d{4})(\d{4})$/;

/**
 * Masks a phone number. Mainland mobiles (optionally with +86, spaces or hyphens) come out as
 * `138****0000`; any other number keeps only its last 4 digits, other characters staying in
 * place; numbers with fewer than 7 digits have every digit masked.
 * @example maskPhone('13800000000') // '138****0000'
 * @example maskPhone('0594-7654321') // '****-***4321'
 * Never throws.
 */
export function maskPhone(value: string): string {
  const trimmed = value.trim();
  const mobile = MOBILE_EXACT.exec(trimmed.replace(/[\s-]/g, ''));
  if (mobile) return `${mobile[1]}****${mobile[3]}`;
  const digitCount = (trimmed.match(/\d/g) ?? []).length;
  const keep = digitCount >= 7 ? 4 : 0;
  let seen = 0;
  return trimmed.replace(/\d/g, (d) => (++seen > digitCount - keep ? d : '*'));
}

/**
 * Masks a natural person's name: the first character stays, each other character becomes `*`.
 * A one-character name is masked entirely. Counts Unicode code points, so rare characters
 * outside the BMP count once.
 * @example maskPersonName('张三') // '张*'
 * @example maskPersonName('欧阳娜娜') // '欧***'
 * Never throws.
 */
export function maskPersonName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return '*'.repeat(chars.length);
  return chars[0]! + '*'.repeat(chars.length - 1);
}

/** Options for {@link redactText}. */
export interface RedactOptions {
  /** `remove` (default) replaces each hit with `[已删除]`; `mask` with its masked form. */
  mode?: 'remove' | 'mask';
}

/** What {@link redactText} puts in place of a removed item. */
export const REDACTED = '[已删除]';

// Digit boundaries only (not letter boundaries): "ID350322198811093310" must still be caught.
const ID_CANDIDATE = /(?<!\d)(?:\d{17}[\dXx](?!\d)|\d{15}(?![\dXx]))/g;
const MOBILE_IN_TEXT = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/g;
const LANDLINE_IN_TEXT =
  /(?<!\d)(?:\+?86[- ]?)?(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[- ]?[2-9]\d{6,7}(?:(?:-|转|ext\.? ?)\d{1,6})?(?!\d)/gi;
// The Latin labels need a letter boundary so that "hotel 2345678" is not read as "tel 2345678".
const LOCAL_NUMBER_AFTER_LABEL =
  /(电话|联系方式|手机|座机|固话|传真|(?<![A-Za-z])(?:tel|phone|fax))([.:：]?\s*)([2-9]\d{6,7})(?!\d)/gi;
const ALNUM = /[0-9A-Za-z]/;

function enclosingToken(text: string, start: number, end: number): string {
  let a = start;
  let b = end;
  while (a > 0 && ALNUM.test(text[a - 1]!)) a--;
  while (b < text.length && ALNUM.test(text[b]!)) b++;
  return text.slice(a, b);
}

// A digit run counts as an ID number when its province prefix exists and either its birth date
// is a real date or (18 digits) its check character holds. The prefix rule spares timestamps
// (20…) and most all-digit USCCs (9…); the date rule spares the rest.
function looksLikeIdNumber(candidate: string): boolean {
  if (!PROVINCE_PREFIXES.has(candidate.slice(0, 2))) return false;
  if (candidate.length === 15) return parseYmd(`19${candidate.slice(6, 12)}`) !== null;
  const id = candidate.toUpperCase();
  const date = parseYmd(id.slice(6, 14));
  if (date && date.year >= EARLIEST_BIRTH_YEAR) return true;
  return computeCitizenIdCheckChar(id.slice(0, 17)) === id[17];
}

/**
 * Removes personal data from free text before it is published: citizen ID numbers (18 digits,
 * trailing X, and legacy 15 digits), mainland mobile numbers and landline numbers (with an
 * area code, or a bare 7–8 digit number right after a label such as 电话/传真/Tel).
 * USCCs are left alone (18 characters with letters, or digit runs that are not plausible ID
 * numbers), as are dates and timestamps. Bank-card numbers and names are not detected: names
 * need {@link maskPersonName} on known fields.
 * @example redactText('法人赵六，身份证350322198811093310，电话13800000000') // '法人赵六，身份证[已删除]，电话[已删除]'
 * @example redactText('电话13800000000', { mode: 'mask' }) // '电话138****0000'
 * Never throws.
 */
export function redactText(text: string, options: RedactOptions = {}): string {
  const mask = options.mode === 'mask';
  return text
    .replace(ID_CANDIDATE, (match: string, offset: number, whole: string) => {
      const token = enclosingToken(whole, offset, offset + match.length);
      if (token !== match && token.length === 18 && USCC_PATTERN.test(token.toUpperCase())) return match;
      if (!looksLikeIdNumber(match)) return match;
      return mask ? maskIdNumber(match) : REDACTED;
    })
    .replace(MOBILE_IN_TEXT, (match: string) => (mask ? maskPhone(match) : REDACTED))
    .replace(LANDLINE_IN_TEXT, (match: string) => (mask ? maskPhone(match) : REDACTED))
    .replace(LOCAL_NUMBER_AFTER_LABEL, (_match: string, label: string, sep: string, num: string) => {
      return label + sep + (mask ? maskPhone(num) : REDACTED);
    });
}
