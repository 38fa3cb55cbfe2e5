import type { AxiosInstance } from 'axios';
import { withRetry, type RetryClock, type RetryPolicy } from '../source-kit/retry.js';
import { SourceError, isSourceError, throwIfAborted } from '../source-kit/source.errors.js';
import { toEpochMs } from '../source-kit/time.js';
import type { QuarantinedRecord, SourceAdapter, SourceBatch, SourceLogger, SourceRecord } from '../types.js';
import { HotelClient } from './client.js';
import { processHotelPage, type ProcessedPage } from './page.js';
import { hotelConfigSchema, type HotelConfig } from './schema.js';

/** Injectable collaborators of the hotel adapter (tests pass fakes; production passes a logger). */
export interface HotelAdapterDeps {
  logger?: SourceLogger;
  http?: AxiosInstance;
  clock?: RetryClock;
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  /**
   * Decodes, parses, validates and maps a response body; default `processHotelPage` inline. The
   * sync engine passes a `HotelPageWorker` so this runs in a worker thread.
   */
  processPage?: (body: Buffer) => ProcessedPage | Promise<ProcessedPage>;
}

/**
 * Hotel cursor: re-read from `updatedSince` (inclusive), skipping the ids already delivered at
 * exactly that timestamp. Serialised as JSON: `{"v":1,"updatedSince":"…+08:00","seen":["…"]}`.
 */
export interface HotelCursor {
  updatedSince: string | null;
  seen: string[];
}

/** Parses a committed hotel cursor; throws `CURSOR_INVALID` when it is not one. */
export function parseHotelCursor(cursor: string | null): HotelCursor {
  if (cursor === null || cursor === '') return { updatedSince: null, seen: [] };
  try {
    const c = JSON.parse(cursor) as { v?: unknown; updatedSince?: unknown; seen?: unknown };
    if (
      c.v === 1 &&
      (c.updatedSince === null ||
        (typeof c.updatedSince === 'string' && toEpochMs(c.updatedSince) !== null)) &&
      Array.isArray(c.seen) &&
      c.seen.every((s) => typeof s === 'string')
    ) {
      return { updatedSince: c.updatedSince, seen: c.seen as string[] };
    }
  } catch {
    // fall through to the coded error
  }
  throw new SourceError('CURSOR_INVALID', 'hotel cursor is not {"v":1,"updatedSince","seen"}', {
    transient: false,
  });
}

/** Serialises a hotel cursor. */
export function formatHotelCursor(c: HotelCursor): string {
  return JSON.stringify({ v: 1, updatedSince: c.updatedSince, seen: c.seen });
}

function bodyCodeError(page: { code: string }): SourceError | null {
  if (page.code === '0') return null;
  const what = `hotel system answered code ${page.code || '(none)'}`;
  switch (page.code) {
    case '1001':
      return new SourceError('AUTH_FAILED', `${what}: bad API key`, { transient: false });
    case '2001':
      return new SourceError('BAD_REQUEST', `${what}: parameter error`, { transient: false });
    case '5000':
      return new SourceError('SOURCE_BUSY', `${what}: busy, retry later`, { transient: true });
    default:
      return new SourceError('HTTP_ERROR', `${what}`, { transient: false });
  }
}

/**
 * Creates the adapter for the hotel system (旅馆业治安管理信息系统).
 *
 * Paging: the contract's page numbers shift when records change mid-run, so each request asks
 * for page 1 from the last seen `updatedAt` (inclusive) and skips ids already delivered at that
 * instant; pages advance only while a whole page shares that instant.
 */
export function createHotelAdapter(
  config: HotelConfig,
  deps: HotelAdapterDeps = {},
): SourceAdapter<HotelConfig> {
  const client = new HotelClient(config, { http: deps.http, now: deps.clock?.now });
  const processPage = deps.processPage ?? processHotelPage;
  const retryOpts = { policy: deps.retry, clock: deps.clock, random: deps.random, logger: deps.logger };

  async function fetchParsed(
    query: { updatedSince: string | null; page: number; pageSize: number },
    signal?: AbortSignal,
    maxAttempts?: number,
  ): Promise<ProcessedPage> {
    return withRetry(
      async () => {
        const page = await processPage(await client.fetchBody(query, signal));
        const codeErr = bodyCodeError(page);
        if (codeErr) throw codeErr;
        return page;
      },
      {
        ...retryOpts,
        policy: maxAttempts === undefined ? deps.retry : { ...deps.retry, maxAttempts },
        signal,
        label: `hotel page ${query.page}`,
      },
    );
  }

  async function* pull(
    cursor: string | null,
    opts: { signal?: AbortSignal } = {},
  ): AsyncGenerator<SourceBatch> {
    const state = parseHotelCursor(cursor);
    let sinceMs =
      state.updatedSince === null ? Number.NEGATIVE_INFINITY : (toEpochMs(state.updatedSince) as number);
    let seen = new Set(state.seen);
    let pageNo = 1;
    for (;;) {
      throwIfAborted(opts.signal);
      const page = await fetchParsed(
        { updatedSince: state.updatedSince, page: pageNo, pageSize: config.pageSize },
        opts.signal,
      );
      if (page.hotels.length === 0) return;
      const records: SourceRecord[] = [];
      const quarantined: QuarantinedRecord[] = [];
      const inPage = new Set<string>();
      let maxMs = Number.NEGATIVE_INFINITY;
      let maxAt: string | null = null;
      for (const { id, at, result } of page.hotels) {
        const atMs = at === null ? null : toEpochMs(at);
        if (id !== null && atMs !== null) {
          if (atMs < sinceMs || (atMs === sinceMs && seen.has(id)) || inPage.has(`${atMs}|${id}`)) continue;
          inPage.add(`${atMs}|${id}`);
          if (atMs > maxMs) {
            maxMs = atMs;
            maxAt = at;
          }
        }
        if (result.ok) records.push(result.record);
        else {
          quarantined.push({ sourceId: id, reason: result.reason, raw: result.raw });
          deps.logger?.warn(
            { source: 'hotel', sourceId: id, reason: result.reason },
            'hotel record quarantined',
          );
        }
      }
      if (maxAt !== null && maxMs > sinceMs) {
        const newSeen = new Set<string>();
        for (const key of inPage) {
          const sep = key.indexOf('|');
          if (Number(key.slice(0, sep)) === maxMs) newSeen.add(key.slice(sep + 1));
        }
        state.updatedSince = maxAt;
        sinceMs = maxMs;
        seen = newSeen;
        pageNo = 1;
      } else {
        for (const key of inPage) seen.add(key.slice(key.indexOf('|') + 1));
        pageNo++;
      }
      yield {
        records,
        quarantined,
        cursor: formatHotelCursor({ updatedSince: state.updatedSince, seen: [...seen].sort() }),
        fetched: page.hotels.length,
      };
      if (page.hotels.length < config.pageSize) return;
    }
  }

  return {
    id: 'hotel',
    configSchema: hotelConfigSchema,
    async check() {
      try {
        await fetchParsed({ updatedSince: null, page: 1, pageSize: 1 }, undefined, 2);
        return { ok: true };
      } catch (err) {
        return { ok: false, reason: isSourceError(err) ? `${err.code}: ${err.message}` : String(err) };
      }
    },
    pull,
  };
}
