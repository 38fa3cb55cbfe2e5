import type { AxiosInstance } from 'axios';
import { decodeGb18030 } from '../source-kit/encoding.js';
import { createSourceHttp, sendRaw, statusError } from '../source-kit/http.js';
import type { HotelConfig } from './schema.js';

/** One fetched page: decoded text plus the original bytes (for quarantine). */
export interface HotelRawPage {
  text: string;
  bytes: Buffer;
}

/** Query of one page request. */
export interface HotelPageQuery {
  updatedSince: string | null;
  page: number;
  pageSize: number;
}

/**
 * HTTP I/O with the hotel system: `GET {base}/lgxx/v1/hotels` with `X-Api-Key`, GB18030 bodies.
 * Throws `SourceError` for transport failures and non-2xx statuses (5xx transient); body codes
 * are interpreted by the adapter.
 */
export class HotelClient {
  private readonly http: AxiosInstance;

  constructor(
    private readonly config: HotelConfig,
    opts: { http?: AxiosInstance; now?: () => number } = {},
  ) {
    this.http = opts.http ?? createSourceHttp();
    this.now = opts.now ?? Date.now;
  }

  private readonly now: () => number;

  /** Fetches one page and decodes it from GB18030 (BOM dropped). */
  async fetchPage(query: HotelPageQuery, signal?: AbortSignal): Promise<HotelRawPage> {
    const bytes = await this.fetchBody(query, signal);
    return { text: decodeGb18030(bytes), bytes };
  }

  /** Fetches one page's body, undecoded. */
  async fetchBody(query: HotelPageQuery, signal?: AbortSignal): Promise<Buffer> {
    const params = new URLSearchParams();
    if (query.updatedSince !== null) params.set('updatedSince', query.updatedSince);
    params.set('page', String(query.page));
    params.set('pageSize', String(query.pageSize));
    const url = `${this.config.baseUrl}/lgxx/v1/hotels?${params.toString()}`;
    const res = await sendRaw(this.http, {
      method: 'GET',
      url,
      headers: { 'X-Api-Key': this.config.apiKey, Accept: 'application/xml' },
      timeoutMs: this.config.timeoutMs,
      signal,
    });
    const err = statusError(res, `hotel GET page ${query.page}`, this.now());
    if (err) throw err;
    return res.body;
  }
}
