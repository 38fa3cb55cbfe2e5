import { SourceError, isSourceError, throwIfAborted } from './source.errors.js';
import type { SourceLogger } from '../types.js';

/** Time source and sleeper, injectable so tests run on a fake clock. */
export interface RetryClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Real clock: `Date.now` and an abortable `setTimeout`. */
export const systemClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new SourceError('ABORTED', 'pull aborted', { transient: false, cause: signal.reason }));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new SourceError('ABORTED', 'pull aborted', { transient: false, cause: signal?.reason }));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Retry policy. Defaults: 6 attempts, 500 ms base, 30 s cap, 5 min budget. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total time budget across attempts and waits; no new attempt starts past it. */
  budgetMs: number;
}

/** Default retry policy for source pulls. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  budgetMs: 300_000,
};

/** Options of `withRetry`. */
export interface RetryOptions {
  policy?: Partial<RetryPolicy>;
  clock?: RetryClock;
  /** Uniform random in [0, 1); injectable for deterministic jitter in tests. */
  random?: () => number;
  signal?: AbortSignal;
  logger?: SourceLogger;
  /** Label for log lines, e.g. `hotel GET page 3`. */
  label?: string;
}

/**
 * Full-jitter exponential backoff delay for the given 1-based attempt that just failed:
 * uniform in [0, min(maxDelay, base · 2^(attempt-1))).
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Parses a `Retry-After` header (delta seconds or HTTP date) into milliseconds from `nowMs`.
 * Returns `null` when absent or unreadable; never negative.
 */
export function parseRetryAfter(header: unknown, nowMs: number): number | null {
  if (typeof header !== 'string' || header.trim() === '') return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/**
 * Runs `fn`, retrying transient `SourceError`s with exponential backoff and full jitter, honouring
 * the server's `Retry-After` (`details.retryAfterMs`) when it is longer than the jittered delay.
 * Permanent errors are rethrown at once; when attempts or the time budget run out the last error
 * is wrapped in `RETRY_EXHAUSTED` (permanent, the original as `cause`).
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const policy = { ...defaultRetryPolicy, ...opts.policy };
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const started = clock.now();
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(opts.signal);
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isSourceError(err) || !err.transient) throw err;
      const jittered = backoffDelay(attempt, policy, random);
      const delay = Math.max(jittered, err.details.retryAfterMs ?? 0);
      const elapsed = clock.now() - started;
      if (attempt >= policy.maxAttempts || elapsed + delay > policy.budgetMs) {
        throw new SourceError(
          'RETRY_EXHAUSTED',
          `${opts.label ?? 'request'}: gave up after ${attempt} attempt(s) in ${elapsed} ms: ${err.message}`,
          { transient: false, cause: err, details: { lastCode: err.code, attempts: attempt } },
        );
      }
      opts.logger?.warn(
        { label: opts.label, attempt, delayMs: delay, code: err.code, status: err.details.status },
        'transient source error, retrying',
      );
      await clock.sleep(delay, opts.signal);
    }
  }
}
