import type { AxiosInstance } from 'axios';
import { withRetry, type RetryClock, type RetryPolicy } from '../source-kit/retry.js';
import { SourceError, isSourceError, throwIfAborted } from '../source-kit/source.errors.js';
import type { QuarantinedRecord, SourceAdapter, SourceBatch, SourceLogger, SourceRecord } from '../types.js';
import { InternetCafeClient } from './client.js';
import { mapChange } from './mapper.js';
import {
  changeKeyOf,
  internetCafeConfigSchema,
  seqOf,
  validateChange,
  validateFeedPage,
  type FeedPage,
  type InternetCafeConfig,
} from './schema.js';

/** Injectable collaborators of the internet-café adapter. */
export interface InternetCafeAdapterDeps {
  logger?: SourceLogger;
  http?: AxiosInstance;
  clock?: RetryClock;
  random?: () => number;
  retry?: Partial<RetryPolicy>;
}

/**
 * Internet-café cursor. In normal operation it is the last applied sequence number as a decimal
 * string (`"104233"`). During a full resync it is `{"v":1,"snapshotSeq":N,"page":k}`: the next
 * snapshot page to apply, and the sequence to continue the feed from afterwards.
 */
export type InternetCafeCursor =
  { mode: 'feed'; seq: number } | { mode: 'snapshot'; snapshotSeq: number | null; page: number };

/** Parses a committed internet-café cursor; throws `CURSOR_INVALID`. */
export function parseInternetCafeCursor(cursor: string | null): InternetCafeCursor {
  if (cursor === null || cursor === '') return { mode: 'feed', seq: 0 };
  if (/^\d{1,15}$/.test(cursor)) return { mode: 'feed', seq: Number(cursor) };
  try {
    const c = JSON.parse(cursor) as Record<string, unknown>;
    if (
      c.v === 1 &&
      Number.isSafeInteger(c.snapshotSeq) &&
      Number.isSafeInteger(c.page) &&
      (c.page as number) >= 1
    ) {
      return { mode: 'snapshot', snapshotSeq: c.snapshotSeq as number, page: c.page as number };
    }
  } catch {
    // fall through to the coded error
  }
  throw new SourceError(
    'CURSOR_INVALID',
    'internet-cafe cursor is neither a sequence number nor a snapshot position',
    {
      transient: false,
    },
  );
}

/**
 * Creates the adapter for the internet-café system (上网服务营业场所 实名登记/监管系统).
 * Follows the change feed from the last applied `seq`; on 410 `SEQ_EXPIRED` it replays the full
 * snapshot (batches flagged `resync`) and continues the feed from `snapshotSeq`.
 */
export function createInternetCafeAdapter(
  config: InternetCafeConfig,
  deps: InternetCafeAdapterDeps = {},
): SourceAdapter<InternetCafeConfig> {
  const client = new InternetCafeClient(config, { http: deps.http, now: deps.clock?.now });
  const retryOpts = { policy: deps.retry, clock: deps.clock, random: deps.random, logger: deps.logger };

  const fetchPage = (
    kind: 'changes' | 'snapshot',
    a: number,
    b: number,
    signal?: AbortSignal,
    maxAttempts?: number,
  ): Promise<FeedPage> =>
    withRetry(
      async () => {
        const body =
          kind === 'changes' ? await client.changes(a, b, signal) : await client.snapshot(a, b, signal);
        const v = validateFeedPage(body, kind);
        if (!v.ok)
          throw new SourceError('MALFORMED_DOCUMENT', `internet-cafe ${kind}: ${v.reason}`, {
            transient: true,
          });
        return v.value;
      },
      {
        ...retryOpts,
        policy: maxAttempts === undefined ? deps.retry : { ...deps.retry, maxAttempts },
        signal,
        label: `internet-cafe ${kind}`,
      },
    );

  /** Validates and maps items; feed items at or below `appliedSeq` (or repeated) are skipped. */
  function mapItems(items: unknown[], feed: boolean, appliedSeq: number) {
    const records: SourceRecord[] = [];
    const quarantined: QuarantinedRecord[] = [];
    let maxSeq = appliedSeq;
    const ordered = feed
      ? items
          .map((item, i) => ({ item, i, seq: seqOf(item) }))
          .sort((x, y) => (x.seq ?? Number.MAX_SAFE_INTEGER) - (y.seq ?? Number.MAX_SAFE_INTEGER))
      : items.map((item, i) => ({ item, i, seq: seqOf(item) }));
    const done = new Set<number>();
    for (const { item, i, seq } of ordered) {
      if (feed && seq !== null) {
        if (seq <= appliedSeq || done.has(seq)) continue;
        done.add(seq);
        if (seq > maxSeq) maxSeq = seq;
      }
      const path = `${feed ? 'changes' : 'snapshot'}[${i}]`;
      const v = validateChange(item, path, feed);
      if (v.ok && !feed && v.value.op !== 'UPSERT') {
        quarantined.push({
          sourceId: changeKeyOf(item),
          reason: `${path}.op: expected UPSERT in a snapshot`,
          raw: Buffer.from(JSON.stringify(item)),
        });
      } else if (v.ok) records.push(mapChange(v.value));
      else {
        quarantined.push({
          sourceId: changeKeyOf(item),
          reason: v.reason,
          raw: Buffer.from(JSON.stringify(item), 'utf8'),
        });
        deps.logger?.warn(
          { source: 'internet-cafe', sourceId: changeKeyOf(item), reason: v.reason },
          'change quarantined',
        );
      }
    }
    return { records, quarantined, maxSeq };
  }

  async function* pull(
    cursor: string | null,
    opts: { signal?: AbortSignal } = {},
  ): AsyncGenerator<SourceBatch> {
    let state = parseInternetCafeCursor(cursor);
    for (;;) {
      throwIfAborted(opts.signal);
      if (state.mode === 'feed') {
        let page: FeedPage;
        try {
          page = await fetchPage('changes', state.seq, config.max, opts.signal);
        } catch (err) {
          if (!isSourceError(err, 'SEQ_EXPIRED')) throw err;
          deps.logger?.warn(
            { source: 'internet-cafe', afterSeq: state.seq, oldestSeq: err.details.oldestSeq },
            'feed position expired; running a full resync from the snapshot',
          );
          state = { mode: 'snapshot', snapshotSeq: null, page: 1 };
          continue;
        }
        const { records, quarantined, maxSeq } = mapItems(page.changes, true, state.seq);
        const seq = Math.max(maxSeq, page.lastSeq ?? 0, state.seq);
        const progressed = seq > state.seq;
        state = { mode: 'feed', seq };
        if (page.changes.length > 0 || progressed) {
          yield { records, quarantined, cursor: String(seq), fetched: page.changes.length };
        }
        if (!page.hasMore || page.changes.length === 0 || !progressed) return;
      } else {
        const page = await fetchPage('snapshot', state.page, config.snapshotPageSize, opts.signal);
        // Pages may report a later snapshotSeq if the feed moved meanwhile; continuing from the
        // earliest one replays those changes, which is idempotent.
        const snapshotSeq = Math.min(
          state.snapshotSeq ?? Number.MAX_SAFE_INTEGER,
          page.snapshotSeq as number,
        );
        const { records, quarantined } = mapItems(page.changes, false, 0);
        const last = !page.hasMore || page.changes.length === 0;
        const first = state.page === 1;
        yield {
          records,
          quarantined,
          cursor: last ? String(snapshotSeq) : JSON.stringify({ v: 1, snapshotSeq, page: state.page + 1 }),
          fetched: page.changes.length,
          resync: { first, last },
        };
        state = last
          ? { mode: 'feed', seq: snapshotSeq }
          : { mode: 'snapshot', snapshotSeq, page: state.page + 1 };
      }
    }
  }

  return {
    id: 'internet-cafe',
    configSchema: internetCafeConfigSchema,
    async check() {
      try {
        await fetchPage('changes', 0, 1, undefined, 2);
        return { ok: true };
      } catch (err) {
        if (isSourceError(err, 'SEQ_EXPIRED')) return { ok: true };
        return { ok: false, reason: isSourceError(err) ? `${err.code}: ${err.message}` : String(err) };
      }
    },
    pull,
  };
}
