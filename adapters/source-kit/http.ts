import axios, { type AxiosInstance } from 'axios';
import { SourceError } from './source.errors.js';
import { parseRetryAfter } from './retry.js';

/** A raw HTTP answer: status, lower-cased headers and the body bytes, undecoded. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One HTTP request as the source clients issue it. */
export interface RawRequest {
  method: 'GET' | 'POST';
  /** Absolute URL, sent byte for byte (signed requests depend on it). */
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Bodies larger than this are refused (`MALFORMED_DOCUMENT`, transient). */
  maxBodyBytes?: number;
}

/**
 * Creates the axios instance used by every source client: no automatic JSON parsing, no throwing
 * on HTTP status, no proxies picked up from the environment, no redirects.
 */
export function createSourceHttp(): AxiosInstance {
  return axios.create({
    responseType: 'arraybuffer',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxRedirects: 0,
    proxy: false,
    decompress: true,
  });
}

/**
 * Sends one request and returns the raw response. Transport failures become `SourceError`s:
 * timeouts (`TIMEOUT`), resets and refused connections (`NETWORK`), all transient; an aborted
 * signal gives `ABORTED`. HTTP statuses are left to the caller (see `statusError`).
 */
export async function sendRaw(http: AxiosInstance, req: RawRequest): Promise<RawResponse> {
  try {
    const res = await http.request<ArrayBuffer>({
      method: req.method,
      url: req.url,
      headers: req.headers,
      data: req.body,
      timeout: req.timeoutMs,
      signal: req.signal,
      maxContentLength: req.maxBodyBytes ?? 64 * 1024 * 1024,
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers as Record<string, unknown>)) {
      if (typeof v === 'string') headers[k.toLowerCase()] = v;
      else if (Array.isArray(v)) headers[k.toLowerCase()] = v.join(', ');
      else if (typeof v === 'number') headers[k.toLowerCase()] = String(v);
    }
    return { status: res.status, headers, body: Buffer.from(res.data) };
  } catch (err) {
    throw transportError(err, req);
  }
}

function transportError(err: unknown, req: RawRequest): SourceError {
  if (req.signal?.aborted)
    return new SourceError('ABORTED', 'pull aborted', { transient: false, cause: err });
  const code = (err as { code?: unknown }).code;
  const where = `${req.method} ${redactUrl(req.url)}`;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED') {
    return new SourceError('TIMEOUT', `${where}: timed out after ${req.timeoutMs} ms`, {
      transient: true,
      cause: err,
    });
  }
  if (code === 'ERR_BAD_RESPONSE' && String((err as Error).message).includes('maxContentLength')) {
    return new SourceError('MALFORMED_DOCUMENT', `${where}: body larger than ${req.maxBodyBytes} bytes`, {
      transient: false,
      cause: err,
    });
  }
  return new SourceError('NETWORK', `${where}: ${typeof code === 'string' ? code : (err as Error).message}`, {
    transient: true,
    cause: err,
  });
}

/** Keeps the origin and path of a URL for messages; drops the query (may hold tokens). */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * Standard classification of non-success statuses: 429 → `RATE_LIMITED` (transient, with
 * `Retry-After`), 5xx → `HTTP_ERROR` (transient, `Retry-After` honoured when sent), other statuses →
 * `HTTP_ERROR` (permanent). Returns `null` for 2xx.
 */
export function statusError(res: RawResponse, label: string, nowMs: number): SourceError | null {
  if (res.status >= 200 && res.status < 300) return null;
  const retryAfterMs = parseRetryAfter(res.headers['retry-after'], nowMs) ?? undefined;
  if (res.status === 429) {
    return new SourceError('RATE_LIMITED', `${label}: rate limited (429)`, {
      transient: true,
      details: { status: 429, retryAfterMs },
    });
  }
  const snippet = res.body.subarray(0, 200).toString('utf8');
  return new SourceError('HTTP_ERROR', `${label}: HTTP ${res.status} ${snippet}`, {
    transient: res.status >= 500,
    details: { status: res.status, retryAfterMs },
  });
}
