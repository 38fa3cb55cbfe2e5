import { ExchangeError } from './errors.js';
import type { PenaltyCategory } from './message-types.js';

/**
 * 罚款金额(万元) as an exact decimal string from an integer amount in fen (1 万元 = 1,000,000 fen).
 *
 * @example fenToWan(50_000_000) // '50'; fenToWan(1_234_500) // '1.2345'
 * @throws ExchangeError('MESSAGE_INVALID') for negative or non-integer amounts.
 */
export function fenToWan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) {
    throw new ExchangeError('MESSAGE_INVALID', 'fineAmountFen must be a non-negative integer');
  }
  const whole = Math.floor(fen / 1_000_000);
  const frac = String(fen % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/**
 * Refuses warning-only penalties, which are never published (commerce-exchange.md, DESIGN.md).
 *
 * @throws ExchangeError('MESSAGE_INVALID')
 */
export function assertPublishablePenalty(categories: readonly PenaltyCategory[]): void {
  if (categories.length === 0 || categories.every((c) => c === '警告')) {
    throw new ExchangeError('MESSAGE_INVALID', 'warning-only penalties (警告) are not sent as publicity');
  }
}
