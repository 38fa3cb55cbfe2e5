import { randomBytes } from 'node:crypto';

/**
 * Pure delivery rules of exchange-envelope.md: identifiers, backoff, dead-letter limits, maintenance windows.
 * Kept free of I/O so they are tested with a fake clock.
 */

/** A UUID v7 (RFC 9562): time-ordered, so the outbox's primary key index stays append-mostly. */
export function uuidv7(now: number = Date.now()): string {
  const b = randomBytes(16);
  let t = BigInt(now);
  for (let i = 5; i >= 0; i--) {
    b[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Retry limits; defaults from exchange-envelope.md. */
export interface RetryPolicy {
  readonly firstDelaySeconds: number;
  readonly factor: number;
  readonly capSeconds: number;
  readonly maxAttempts: number;
  readonly maxAgeHours: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  firstDelaySeconds: 30,
  factor: 2,
  capSeconds: 3600,
  maxAttempts: 12,
  maxAgeHours: 48,
};

/**
 * Delay before the next attempt after `attempts` failed ones: 30 s × 2^(n-1) capped at 1 h, with "equal jitter"
 * (half fixed, half random) so replicas do not retry in lock-step; a partner's `Retry-After` is a floor.
 *
 * @example backoffSeconds(1, undefined, () => 0.5) // 22.5 (15 fixed + 7.5 jitter)
 */
export function backoffSeconds(
  attempts: number,
  retryAfterSeconds: number | undefined,
  random: () => number = Math.random,
  policy: RetryPolicy = DEFAULT_RETRY,
): number {
  const exp = Math.min(
    policy.capSeconds,
    policy.firstDelaySeconds * policy.factor ** Math.max(0, attempts - 1),
  );
  const jittered = exp / 2 + (exp / 2) * random();
  return Math.max(jittered, retryAfterSeconds ?? 0);
}

/**
 * What to do after a transient failure: retry at `retryAt`, or dead-letter because the attempt limit or the age limit
 * (counted from the message's creation) would be passed.
 */
export function afterTransient(
  input: { attempts: number; createdAt: Date; now: Date; retryAfterSeconds?: number },
  random: () => number = Math.random,
  policy: RetryPolicy = DEFAULT_RETRY,
): { kind: 'retry'; retryAt: Date } | { kind: 'dead'; reason: string } {
  if (input.attempts >= policy.maxAttempts) {
    return { kind: 'dead', reason: `gave up after ${input.attempts} attempts` };
  }
  const retryAt = new Date(
    input.now.getTime() + backoffSeconds(input.attempts, input.retryAfterSeconds, random, policy) * 1000,
  );
  if (retryAt.getTime() - input.createdAt.getTime() > policy.maxAgeHours * 3600_000) {
    return { kind: 'dead', reason: `undelivered after ${policy.maxAgeHours} hours` };
  }
  return { kind: 'retry', retryAt };
}

/** A daily maintenance window in Asia/Shanghai local time, `HH:MM`; `to` before `from` spans midnight. */
export interface MaintenanceWindow {
  readonly from: string;
  readonly to: string;
}

function minutesOf(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return -1;
  return Number(m[1]) * 60 + Number(m[2]);
}

/** True when `now` falls inside one of the windows (Asia/Shanghai). Malformed windows never match. */
export function inMaintenance(windows: readonly MaintenanceWindow[], now: Date): boolean {
  const local = Math.floor((((now.getTime() / 60000 + 8 * 60) % 1440) + 1440) % 1440);
  return windows.some((w) => {
    const a = minutesOf(w.from);
    const b = minutesOf(w.to);
    if (a < 0 || b < 0 || a === b) return false;
    return a < b ? local >= a && local < b : local >= a || local < b;
  });
}

/** ISO 8601 with the +08:00 offset, as the envelopes carry it. */
export function shanghaiIso(at: Date): string {
  const local = new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19);
  return `${local}+08:00`;
}
