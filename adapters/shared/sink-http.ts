import axios, { type AxiosError } from 'axios';
import { BUREAU_SENDER } from './envelope.js';
import type { Sm2Keyring } from './sm2.js';
import type { EncodedMessage, SignedMessage, SinkClientConfig, SinkResponse } from './sink-types.js';

/** Header names of exchange-envelope.md. */
export const EXCHANGE_HEADERS = {
  signature: 'x-exchange-signature',
  keyId: 'x-exchange-key-id',
  sender: 'x-exchange-sender',
} as const;

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Signs encoded bytes with the keyring's current key and attaches the header values.
 *
 * @throws ExchangeError('SM2_NO_SIGNING_KEY') when no key is valid at `at`.
 */
export function signMessage(
  message: EncodedMessage,
  keyring: Sm2Keyring,
  senderCode: string = BUREAU_SENDER.code,
  at: Date = new Date(),
): SignedMessage {
  const { keyId, signature } = keyring.sign(message.body, at);
  return { ...message, keyId, signature, senderCode };
}

/** What came back from one POST, before partner-specific classification. */
export type HttpAttempt =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly raw: string;
      readonly durationMs: number;
    }
  | { readonly kind: 'network-error'; readonly reason: string; readonly durationMs: number };

/**
 * Parses `Retry-After`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns whole seconds ≥ 0, or undefined.
 */
export function parseRetryAfter(value: string | undefined, now: Date = new Date()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number.parseInt(v, 10);
  const at = Date.parse(v);
  if (Number.isNaN(at) || !/[A-Za-z]/.test(v)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** POSTs signed bytes once. Never throws: network failures and timeouts come back as `network-error`. */
export async function postSigned(
  config: SinkClientConfig,
  path: string,
  message: SignedMessage,
): Promise<HttpAttempt> {
  const timeout = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await axios.post<ArrayBuffer>(
      `${config.baseUrl.replace(/\/$/, '')}${path}`,
      Buffer.from(message.body),
      {
        headers: {
          'Content-Type': message.contentType,
          'X-Exchange-Signature': message.signature,
          'X-Exchange-Key-Id': message.keyId,
          'X-Exchange-Sender': message.senderCode,
        },
        timeout,
        // axios' own timeout does not cover a connect that never completes; the signal does.
        signal: AbortSignal.timeout(timeout + 1_000),
        responseType: 'arraybuffer',
        transformResponse: (d: unknown) => d,
        validateStatus: () => true,
        maxRedirects: 0,
        // Only configured partners are ever called: an environment proxy must not reroute signed messages.
        proxy: false,
      },
    );
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (typeof v === 'string') headers[k.toLowerCase()] = v;
      else if (typeof v === 'number') headers[k.toLowerCase()] = String(v);
    }
    return {
      kind: 'response',
      status: res.status,
      headers,
      raw: Buffer.from(res.data).toString('utf8'),
      durationMs: elapsed(),
    };
  } catch (err) {
    const e = err as AxiosError;
    const timedOut = e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || e.code === 'ERR_CANCELED';
    return {
      kind: 'network-error',
      reason: timedOut ? `timeout after ${timeout} ms` : `${e.code ?? 'ERROR'}: ${e.message}`,
      durationMs: elapsed(),
    };
  }
}

/**
 * The generic rules of exchange-envelope.md for answers the partner-specific parser does not claim:
 * no answer, 408, 429 and 5xx are transient (with `Retry-After`); every other non-2xx is permanent.
 */
export function classifyGeneric(attempt: HttpAttempt, now: Date = new Date()): SinkResponse {
  if (attempt.kind === 'network-error') {
    return {
      outcome: 'TRANSIENT',
      reason: attempt.reason,
      httpStatus: null,
      raw: '',
      durationMs: attempt.durationMs,
    };
  }
  const base = { httpStatus: attempt.status, raw: attempt.raw, durationMs: attempt.durationMs };
  const retryAfterSeconds = parseRetryAfter(attempt.headers['retry-after'], now);
  if (attempt.status === 408 || attempt.status === 429 || attempt.status >= 500) {
    return {
      ...base,
      outcome: 'TRANSIENT',
      reason: `HTTP ${attempt.status}`,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    };
  }
  return { ...base, outcome: 'REJECTED', reason: `HTTP ${attempt.status}: ${attempt.raw.slice(0, 500)}` };
}

/** Parses a JSON answer body without trusting it; `undefined` when it is not JSON. */
export function parseJsonLoose(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** Reads a string property of an unknown value. */
export function stringProp(v: unknown, key: string): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const p = (v as Record<string, unknown>)[key];
  return typeof p === 'string' && p !== '' ? p : undefined;
}
