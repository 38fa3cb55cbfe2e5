import type { AxiosInstance } from 'axios';
import { withRetry, type RetryClock, type RetryPolicy } from '../source-kit/retry.js';
import { SourceError, isSourceError, throwIfAborted } from '../source-kit/source.errors.js';
import { formatShanghai, toEpochMs } from '../source-kit/time.js';
import type { QuarantinedRecord, SourceAdapter, SourceBatch, SourceLogger, SourceRecord } from '../types.js';
import { EntertainmentClient } from './client.js';
import { mapVenue } from './mapper.js';
import {
  entertainmentConfigSchema,
  validateVenue,
  validateVenuePage,
  venueCodeOf,
  venueModifiedAtOf,
  type EntertainmentConfig,
  type VenuePage,
} from './schema.js';

/** Injectable collaborators of the entertainment adapter. */
export interface EntertainmentAdapterDeps {
  logger?: SourceLogger;
  http?: AxiosInstance;
  clock?: RetryClock;
  random?: () => number;
  retry?: Partial<RetryPolicy>;
}

/**
 * Entertainment cursor: `after` = `modifiedAt` of the last delivered venue (as sent), `seen` = the
 * venue codes delivered at exactly that instant, `next` = the server's paging cursor to continue
 * a run that was cut short (dropped when the server answers `bad_cursor`).
 */
export interface EntertainmentCursor {
  after: string | null;
  seen: string[];
  next: string | null;
}

/** Parses a committed entertainment cursor; throws `CURSOR_INVALID`. */
export function parseEntertainmentCursor(cursor: string | null): EntertainmentCursor {
  if (cursor === null || cursor === '') return { after: null, seen: [], next: null };
  try {
    const c = JSON.parse(cursor) as Record<string, unknown>;
    if (
      c.v === 1 &&
      (c.after === null || (typeof c.after === 'string' && toEpochMs(c.after) !== null)) &&
      Array.isArray(c.seen) &&
      c.seen.every((s) => typeof s === 'string') &&
      (c.next === null || typeof c.next === 'string')
    ) {
      return { after: c.after, seen: c.seen as string[], next: c.next };
    }
  } catch {
    // fall through to the coded error
  }
  throw new SourceError('CURSOR_INVALID', 'entertainment cursor is not {"v":1,"after","seen","next"}', {
    transient: false,
  });
}

/** Serialises an entertainment cursor. */
export function formatEntertainmentCursor(c: EntertainmentCursor): string {
  return JSON.stringify({ v: 1, after: c.after, seen: c.seen, next: c.next });
}

/**
 * Creates the adapter for the entertainment system (娱乐场所治安管理信息系统).
 *
 * `modifiedAfter` is exclusive, so a restart asks from 1 ms before the last delivered
 * `modifiedAt` and skips the codes already delivered at that instant: venues sharing a
 * timestamp with the last one are neither lost nor repeated.
 */
export function createEntertainmentAdapter(
  config: EntertainmentConfig,
  deps: EntertainmentAdapterDeps = {},
): SourceAdapter<EntertainmentConfig> {
  const client = new EntertainmentClient(config, { http: deps.http, now: deps.clock?.now });
  const retryOpts = { policy: deps.retry, clock: deps.clock, random: deps.random, logger: deps.logger };

  async function fetchPage(
    q: { modifiedAfter: string | null; cursor: string | null; limit: number },
    signal?: AbortSignal,
    maxAttempts?: number,
  ): Promise<VenuePage> {
    return withRetry(
      async () => {
        const v = validateVenuePage(await client.fetchVenues(q, signal));
        if (!v.ok)
          throw new SourceError('MALFORMED_DOCUMENT', `entertainment venues: ${v.reason}`, {
            transient: true,
          });
        return v.value;
      },
      {
        ...retryOpts,
        policy: maxAttempts === undefined ? deps.retry : { ...deps.retry, maxAttempts },
        signal,
        label: 'entertainment venues',
      },
    );
  }

  async function* pull(
    cursor: string | null,
    opts: { signal?: AbortSignal } = {},
  ): AsyncGenerator<SourceBatch> {
    const state = parseEntertainmentCursor(cursor);
    const afterMs = state.after === null ? Number.NEGATIVE_INFINITY : (toEpochMs(state.after) as number);
    let wm = { at: state.after, ms: afterMs, seen: new Set(state.seen) };
    const queryAfter = (): string | null =>
      wm.at === null ? null : formatShanghai(wm.ms - 1, { millis: true });
    let modifiedAfter = queryAfter();
    let serverCursor = state.next;
    for (;;) {
      throwIfAborted(opts.signal);
      let page: VenuePage;
      try {
        page = await fetchPage({ modifiedAfter, cursor: serverCursor, limit: config.limit }, opts.signal);
      } catch (err) {
        if (isSourceError(err, 'BAD_CURSOR') && serverCursor !== null) {
          deps.logger?.warn(
            { source: 'entertainment' },
            'paging cursor rejected; restarting from the last committed modifiedAt',
          );
          serverCursor = null;
          modifiedAfter = queryAfter();
          continue;
        }
        throw err;
      }
      const records: SourceRecord[] = [];
      const quarantined: QuarantinedRecord[] = [];
      const inPage = new Set<string>();
      const next = { at: wm.at, ms: wm.ms, seen: new Set(wm.seen) };
      page.data.forEach((item, i) => {
        const code = venueCodeOf(item);
        const at = venueModifiedAtOf(item);
        const ms = at === null ? null : toEpochMs(at);
        if (code !== null && ms !== null) {
          if (ms < wm.ms || (ms === wm.ms && wm.seen.has(code)) || inPage.has(`${ms}|${code}`)) return;
          inPage.add(`${ms}|${code}`);
          if (ms > next.ms) {
            next.at = at;
            next.ms = ms;
            next.seen = new Set([code]);
          } else if (ms === next.ms) next.seen.add(code);
        }
        const v = validateVenue(item, `data[${i}]`);
        if (v.ok) records.push(mapVenue(v.value));
        else {
          quarantined.push({
            sourceId: code,
            reason: v.reason,
            raw: Buffer.from(JSON.stringify(item), 'utf8'),
          });
          deps.logger?.warn(
            { source: 'entertainment', sourceId: code, reason: v.reason },
            'venue quarantined',
          );
        }
      });
      wm = next;
      serverCursor = page.nextCursor;
      yield {
        records,
        quarantined,
        cursor: formatEntertainmentCursor({ after: wm.at, seen: [...wm.seen].sort(), next: serverCursor }),
        fetched: page.data.length,
      };
      if (serverCursor === null || page.data.length === 0) return;
    }
  }

  return {
    id: 'entertainment',
    configSchema: entertainmentConfigSchema,
    async check() {
      try {
        client.invalidateToken();
        await fetchPage({ modifiedAfter: null, cursor: null, limit: 1 }, undefined, 2);
        return { ok: true };
      } catch (err) {
        return { ok: false, reason: isSourceError(err) ? `${err.code}: ${err.message}` : String(err) };
      }
    },
    pull,
  };
}
