import { createHmac, randomBytes } from 'node:crypto';
import type { AxiosInstance } from 'axios';
import { decodeUtf8 } from '../source-kit/encoding.js';
import { createSourceHttp, sendRaw, statusError } from '../source-kit/http.js';
import { SourceError } from '../source-kit/source.errors.js';
import type { InternetCafeConfig } from './schema.js';

/** The four signature headers of a request. */
export interface SignedHeaders {
  'X-App-Id': string;
  'X-Timestamp': string;
  'X-Nonce': string;
  'X-Signature': string;
}

/**
 * Signs a request exactly as the contract says:
 * `hex(HMAC-SHA256(secret, appId + "\n" + timestamp + "\n" + nonce + "\n" + METHOD + "\n" + pathWithQuery))`.
 */
export function signRequest(
  p: { appId: string; secret: string; method: string; pathWithQuery: string },
  timestampSec: number,
  nonce: string,
): SignedHeaders {
  const ts = String(timestampSec);
  const payload = `${p.appId}\n${ts}\n${nonce}\n${p.method.toUpperCase()}\n${p.pathWithQuery}`;
  return {
    'X-App-Id': p.appId,
    'X-Timestamp': ts,
    'X-Nonce': nonce,
    'X-Signature': createHmac('sha256', p.secret).update(payload, 'utf8').digest('hex'),
  };
}

/**
 * HTTP I/O with the internet-café system. Every call (and every retry) is signed with a fresh
 * nonce, since a repeated nonce is rejected as a replay. Throws `SourceError`s: `AUTH_FAILED`
 * (403), `SEQ_EXPIRED` (410, `details.oldestSeq`), 5xx transient, `MALFORMED_DOCUMENT` (transient).
 */
export class InternetCafeClient {
  private readonly http: AxiosInstance;
  private readonly now: () => number;
  private readonly basePath: string;

  constructor(
    private readonly config: InternetCafeConfig,
    opts: { http?: AxiosInstance; now?: () => number } = {},
  ) {
    this.http = opts.http ?? createSourceHttp();
    this.now = opts.now ?? Date.now;
    this.basePath = new URL(config.baseUrl).pathname.replace(/\/+$/, '');
  }

  /** `GET /wb/feed/v1/changes?afterSeq=&max=`; returns the parsed JSON (still `unknown`). */
  changes(afterSeq: number, max: number, signal?: AbortSignal): Promise<unknown> {
    return this.get(`/wb/feed/v1/changes?afterSeq=${afterSeq}&max=${max}`, signal);
  }

  /** `GET /wb/feed/v1/snapshot?page=&size=`. */
  snapshot(page: number, size: number, signal?: AbortSignal): Promise<unknown> {
    return this.get(`/wb/feed/v1/snapshot?page=${page}&size=${size}`, signal);
  }

  private async get(pathAndQuery: string, signal?: AbortSignal): Promise<unknown> {
    const pathWithQuery = `${this.basePath}${pathAndQuery}`;
    const headers = signRequest(
      { appId: this.config.appId, secret: this.config.secret, method: 'GET', pathWithQuery },
      Math.floor(this.now() / 1000),
      randomBytes(16).toString('hex'),
    );
    const res = await sendRaw(this.http, {
      method: 'GET',
      url: `${new URL(this.config.baseUrl).origin}${pathWithQuery}`,
      headers: { ...headers, Accept: 'application/json' },
      timeoutMs: this.config.timeoutMs,
      signal,
    });
    const label = `internet-cafe GET ${pathAndQuery.split('?')[0]}`;
    let body: unknown;
    try {
      body = JSON.parse(decodeUtf8(res.body)) as unknown;
    } catch (err) {
      if (res.status >= 200 && res.status < 300) {
        throw new SourceError('MALFORMED_DOCUMENT', `${label}: body is not JSON (truncated?)`, {
          transient: true,
          cause: err,
        });
      }
      body = null;
    }
    const b = (body ?? {}) as Record<string, unknown>;
    if (res.status === 403) {
      throw new SourceError(
        'AUTH_FAILED',
        `${label}: 403 ${typeof b.reason === 'string' ? b.reason : 'AUTH_FAILED'}`,
        {
          transient: false,
          details: { status: 403 },
        },
      );
    }
    if (res.status === 410 && b.code === 'SEQ_EXPIRED') {
      throw new SourceError('SEQ_EXPIRED', `${label}: sequence older than the retention window`, {
        transient: false,
        details: { status: 410, oldestSeq: typeof b.oldestSeq === 'number' ? b.oldestSeq : undefined },
      });
    }
    const err = statusError(res, label, this.now());
    if (err) throw err;
    return body;
  }
}
