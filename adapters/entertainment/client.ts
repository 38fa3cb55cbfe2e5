import type { AxiosInstance } from 'axios';
import { decodeUtf8 } from '../source-kit/encoding.js';
import { createSourceHttp, sendRaw, statusError, type RawResponse } from '../source-kit/http.js';
import { SourceError } from '../source-kit/source.errors.js';
import { validateTokenResponse, type EntertainmentConfig } from './schema.js';

/** Query of one venues request. */
export interface VenueQuery {
  modifiedAfter: string | null;
  cursor: string | null;
  limit: number;
}

function jsonOf(res: RawResponse, label: string): unknown {
  try {
    return JSON.parse(decodeUtf8(res.body)) as unknown;
  } catch (err) {
    throw new SourceError('MALFORMED_DOCUMENT', `${label}: body is not JSON (truncated?)`, {
      transient: true,
      cause: err,
    });
  }
}

function oauthError(res: RawResponse): string | null {
  try {
    const e = (JSON.parse(decodeUtf8(res.body)) as { error?: unknown }).error;
    return typeof e === 'string' ? e : null;
  } catch {
    return null;
  }
}

/**
 * HTTP I/O with the entertainment system: OAuth2 client credentials (token cached until shortly
 * before `expires_in`; on 401 `invalid_token` a new token is fetched and the call repeated once),
 * and `GET /api/v2/venues`. Throws `SourceError`s: `AUTH_FAILED` (bad client or a second 401),
 * `BAD_CURSOR` (400 bad_cursor), `RATE_LIMITED`/5xx (transient), `MALFORMED_DOCUMENT` (transient).
 */
export class EntertainmentClient {
  private readonly http: AxiosInstance;
  private readonly now: () => number;
  private token: { value: string; refreshAt: number } | null = null;

  constructor(
    private readonly config: EntertainmentConfig,
    opts: { http?: AxiosInstance; now?: () => number } = {},
  ) {
    this.http = opts.http ?? createSourceHttp();
    this.now = opts.now ?? Date.now;
  }

  /** Drops the cached token (next call fetches a new one). */
  invalidateToken(): void {
    this.token = null;
  }

  /** Returns a valid access token, fetching one when none is cached or it is about to expire. */
  async accessToken(signal?: AbortSignal): Promise<string> {
    if (this.token && this.now() < this.token.refreshAt) return this.token.value;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.config.clientId,
      client_secret: this.config.clientSecret,
    }).toString();
    const res = await sendRaw(this.http, {
      method: 'POST',
      url: `${this.config.baseUrl}/oauth/token`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body,
      timeoutMs: this.config.timeoutMs,
      signal,
    });
    if (res.status === 400 || res.status === 401) {
      throw new SourceError(
        'AUTH_FAILED',
        `entertainment token: ${oauthError(res) ?? `HTTP ${res.status}`} (check clientId/clientSecret)`,
        {
          transient: false,
          details: { status: res.status },
        },
      );
    }
    const err = statusError(res, 'entertainment token', this.now());
    if (err) throw err;
    const v = validateTokenResponse(jsonOf(res, 'entertainment token'));
    if (!v.ok)
      throw new SourceError('MALFORMED_DOCUMENT', `entertainment token: ${v.reason}`, { transient: true });
    // Refresh a little early so a token never expires in flight.
    const skewMs = Math.min(30_000, v.value.expiresIn * 100);
    this.token = { value: v.value.accessToken, refreshAt: this.now() + v.value.expiresIn * 1000 - skewMs };
    return this.token.value;
  }

  /** Fetches one page of venues; returns the parsed JSON body (still `unknown`). */
  async fetchVenues(q: VenueQuery, signal?: AbortSignal): Promise<unknown> {
    const params = new URLSearchParams();
    if (q.modifiedAfter !== null) params.set('modifiedAfter', q.modifiedAfter);
    if (q.cursor !== null) params.set('cursor', q.cursor);
    params.set('limit', String(q.limit));
    const url = `${this.config.baseUrl}/api/v2/venues?${params.toString()}`;
    const get = async (): Promise<RawResponse> =>
      sendRaw(this.http, {
        method: 'GET',
        url,
        headers: { Authorization: `Bearer ${await this.accessToken(signal)}`, Accept: 'application/json' },
        timeoutMs: this.config.timeoutMs,
        signal,
      });
    let res = await get();
    if (res.status === 401 && oauthError(res) === 'invalid_token') {
      this.invalidateToken();
      res = await get();
      if (res.status === 401) {
        this.invalidateToken();
        throw new SourceError(
          'AUTH_FAILED',
          'entertainment venues: 401 invalid_token even with a fresh token',
          {
            transient: false,
            details: { status: 401 },
          },
        );
      }
    }
    if (res.status === 400 && oauthError(res) === 'bad_cursor') {
      throw new SourceError('BAD_CURSOR', 'entertainment venues: server rejected the paging cursor', {
        transient: false,
        details: { status: 400 },
      });
    }
    const err = statusError(res, 'entertainment venues', this.now());
    if (err) throw err;
    return jsonOf(res, 'entertainment venues');
  }
}
