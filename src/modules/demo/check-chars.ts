/**
 * Check characters for the identifiers the demo county generates. Self-contained on purpose:
 * the generator must not depend on the identity module, and the tests use these functions as
 * an independent oracle for it.
 *
 * - 统一社会信用代码 (USCC), GB 32100-2015: 18 characters; position 18 is a check over 1–17.
 * - 组织机构代码, GB 11714-1997: the 9 characters at USCC positions 9–17; position 9 is a check over 1–8.
 * - 公民身份号码, GB 11643-1999: 18 characters; position 18 is an ISO 7064 MOD 11-2 check.
 */

/** USCC alphabet (GB 32100-2015): digits and 21 letters, without I, O, S, V, Z. Index = value. */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_MAP = '10X98765432';

/**
 * The USCC check character (position 18) for the first 17 characters.
 * Example: `usccCheckChar('91350322MA31C7Q2X')`. Throws `RangeError` on a wrong length or a
 * character outside {@link USCC_ALPHABET}.
 */
export function usccCheckChar(first17: string): string {
  if (first17.length !== 17) throw new RangeError(`USCC body must be 17 characters, got ${first17.length}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(first17.charAt(i));
    if (v < 0)
      throw new RangeError(`character '${first17.charAt(i)}' at ${i + 1} is not in the USCC alphabet`);
    sum += v * USCC_WEIGHTS[i]!;
  }
  const c = 31 - (sum % 31);
  return USCC_ALPHABET.charAt(c === 31 ? 0 : c);
}

/**
 * The GB 11714 organisation-code check character (position 9) for the first 8 characters.
 * Letters count A=10 … Z=35. Result is a digit or `X`. Throws `RangeError` on bad input.
 */
export function orgCodeCheckChar(first8: string): string {
  if (first8.length !== 8)
    throw new RangeError(`organisation code body must be 8 characters, got ${first8.length}`);
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const v = Number.parseInt(first8.charAt(i), 36);
    if (Number.isNaN(v))
      throw new RangeError(`character '${first8.charAt(i)}' at ${i + 1} is not alphanumeric`);
    sum += v * ORG_WEIGHTS[i]!;
  }
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/**
 * True when `code` is a well-formed USCC whose position-18 check holds and whose embedded
 * organisation code (positions 9–17) passes GB 11714. Expects a normalised value (upper case,
 * no spaces); see {@link normaliseUscc}.
 */
export function isValidUscc(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return false;
  if (usccCheckChar(code.slice(0, 17)) !== code.charAt(17)) return false;
  return orgCodeCheckChar(code.slice(8, 16)) === code.charAt(16);
}

/** Upper-cases and strips all whitespace: the normalisation the platform applies before checking. */
export function normaliseUscc(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase();
}

/**
 * The GB 11643 check character for the first 17 digits of a citizen ID number.
 * Throws `RangeError` unless `first17` is 17 ASCII digits.
 */
export function citizenIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('citizen ID body must be 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i]!;
  return ID_CHECK_MAP.charAt(sum % 11);
}

/** True when `id` is 17 digits plus a matching check character (digit or upper-case `X`). */
export function isValidCitizenId(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  return citizenIdCheckChar(id.slice(0, 17)) === id.charAt(17);
}
