import { afterEach, describe, expect, it } from 'vitest';
import { createEntertainmentAdapter } from './entertainment/adapter.js';
import { entertainmentConfigSchema } from './entertainment/schema.js';
import { generatedVenueCode, startEntertainmentSimulator } from './entertainment/simulator.js';
import { createHotelAdapter } from './hotel/adapter.js';
import { hotelConfigSchema } from './hotel/schema.js';
import { generatedHotelId, startHotelSimulator } from './hotel/simulator.js';
import { createInternetCafeAdapter } from './internet-cafe/adapter.js';
import { internetCafeConfigSchema } from './internet-cafe/schema.js';
import { generatedSiteCode, startInternetCafeSimulator } from './internet-cafe/simulator.js';
import type { RetryPolicy } from './source-kit/retry.js';
import { SourceError, type SourceErrorCode } from './source-kit/source.errors.js';
import type { QuarantinedRecord, SourceAdapter, SourceBatch, SourceRecord, SourceSystemId } from './types.js';

/** Fast retries: the simulators' faults are short bursts. */
const retry: Partial<RetryPolicy> = { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 20, budgetMs: 20_000 };
const COUNT = 25;

interface Fault {
  name: string;
  apply(): void;
}

interface Ctx {
  adapter: SourceAdapter<unknown>;
  badCredentials: SourceAdapter<unknown>;
  /** Target ids a full pull must deliver. */
  targetIds: string[];
  /** Other records (staff) a full pull must deliver, by count. */
  extraRecords: number;
  /** Changes generated record i; returns its target id. */
  update(index: number): string;
  futureCursor: string;
  transientFaults: Fault[];
  permanentFaults: (Fault & { code: SourceErrorCode })[];
  malformed(): void;
  malformedField: RegExp;
  close(): Promise<void>;
}

interface Harness {
  id: SourceSystemId;
  setup(): Promise<Ctx>;
}

const ids = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));

const harnesses: Harness[] = [
  {
    id: 'hotel',
    async setup() {
      const sim = await startHotelSimulator({ apiKey: 'good-key', generate: { count: COUNT, seed: 7 } });
      const make = (apiKey: string): SourceAdapter<unknown> =>
        createHotelAdapter(hotelConfigSchema({ baseUrl: sim.url, apiKey, pageSize: 10, timeoutMs: 2000 }), {
          retry,
        }) as SourceAdapter<unknown>;
      return {
        adapter: make('good-key'),
        badCredentials: make('wrong-key'),
        targetIds: ids(COUNT, generatedHotelId),
        extraRecords: 0,
        update: (i) => sim.update(generatedHotelId(i), { rooms: 99 }).id,
        futureCursor: JSON.stringify({ v: 1, updatedSince: '2099-01-01T00:00:00+08:00', seen: [] }),
        transientFaults: [
          { name: 'latency', apply: () => sim.setFaults({ latencyMs: 30 }) },
          { name: '503 burst', apply: () => sim.setFaults({ http5xx: 3 }) },
          { name: 'body code 5000', apply: () => sim.setFaults({ busy: 2 }) },
          { name: 'truncated page', apply: () => sim.setFaults({ truncate: 2 }) },
          { name: 'connection reset mid-page', apply: () => sim.setFaults({ reset: 2 }) },
          { name: 'duplicates', apply: () => sim.setFaults({ duplicates: true }) },
          { name: 'out of order', apply: () => sim.setFaults({ outOfOrder: true }) },
        ],
        permanentFaults: [
          { name: 'DOCTYPE', code: 'XML_DOCTYPE_REFUSED', apply: () => sim.setFaults({ doctype: 1 }) },
        ],
        malformed: () => sim.setFaults({ malformedEvery: 4 }),
        malformedField: /Hotel\[\d+\]\.(Rooms|@status)/,
        close: () => sim.close(),
      };
    },
  },
  {
    id: 'entertainment',
    async setup() {
      const sim = await startEntertainmentSimulator({
        clientId: 'gaj',
        clientSecret: 'secret',
        generate: { count: COUNT, seed: 7 },
        rateLimitPerSecond: 10_000,
      });
      const make = (clientSecret: string): SourceAdapter<unknown> =>
        createEntertainmentAdapter(
          entertainmentConfigSchema({
            baseUrl: sim.url,
            clientId: 'gaj',
            clientSecret,
            limit: 10,
            timeoutMs: 2000,
          }),
          { retry },
        ) as SourceAdapter<unknown>;
      return {
        adapter: make('secret'),
        badCredentials: make('wrong'),
        targetIds: ids(COUNT, generatedVenueCode),
        extraRecords: 0,
        update: (i) => sim.update(generatedVenueCode(i), { complaints90d: 9 }).venueCode,
        futureCursor: JSON.stringify({ v: 1, after: '2099-01-01T00:00:00.000+08:00', seen: [], next: null }),
        transientFaults: [
          { name: 'latency', apply: () => sim.setFaults({ latencyMs: 30 }) },
          { name: '503 burst', apply: () => sim.setFaults({ http5xx: 3 }) },
          { name: '429 with Retry-After', apply: () => sim.setFaults({ rateLimit: 1, retryAfterSec: 1 }) },
          { name: 'token expiry', apply: () => sim.setFaults({ tokenExpiry: 1 }) },
          { name: 'all tokens expired', apply: () => sim.expireTokens() },
          { name: 'bad_cursor', apply: () => sim.setFaults({ badCursor: 1 }) },
          { name: 'truncated body', apply: () => sim.setFaults({ truncate: 2 }) },
          { name: 'duplicates', apply: () => sim.setFaults({ duplicates: true }) },
          { name: 'out of order', apply: () => sim.setFaults({ outOfOrder: true }) },
        ],
        permanentFaults: [],
        malformed: () => sim.setFaults({ malformedEvery: 4 }),
        malformedField: /data\[\d+\]\.(approvedCapacity|openedOn)/,
        close: () => sim.close(),
      };
    },
  },
  {
    id: 'internet-cafe',
    async setup() {
      const sim = await startInternetCafeSimulator({
        appId: 'gaj',
        secret: 's3cret',
        generate: { count: COUNT, seed: 7 },
      });
      const make = (secret: string): SourceAdapter<unknown> =>
        createInternetCafeAdapter(
          internetCafeConfigSchema({
            baseUrl: sim.url,
            appId: 'gaj',
            secret,
            max: 10,
            snapshotPageSize: 10,
            timeoutMs: 2000,
          }),
          { retry },
        ) as SourceAdapter<unknown>;
      return {
        adapter: make('s3cret'),
        badCredentials: make('wrong'),
        targetIds: ids(COUNT, generatedSiteCode),
        extraRecords: COUNT * 2,
        update: (i) => sim.update(generatedSiteCode(i), { terminals: 99 }).siteCode,
        futureCursor: '999999999999',
        transientFaults: [
          { name: 'latency', apply: () => sim.setFaults({ latencyMs: 30 }) },
          { name: '503 burst', apply: () => sim.setFaults({ http5xx: 3 }) },
          { name: 'truncated body', apply: () => sim.setFaults({ truncate: 2 }) },
          { name: 'SEQ_EXPIRED (full resync)', apply: () => sim.setFaults({ seqExpired: true }) },
          { name: 'duplicates', apply: () => sim.setFaults({ duplicates: true }) },
          { name: 'out of order', apply: () => sim.setFaults({ outOfOrder: true }) },
        ],
        permanentFaults: [],
        malformed: () => sim.setFaults({ malformedEvery: 4 }),
        malformedField: /(changes|snapshot)\[\d+\]\.data\.(terminals|since)/,
        close: () => sim.close(),
      };
    },
  },
];

interface Drained {
  batches: SourceBatch[];
  records: SourceRecord[];
  quarantined: QuarantinedRecord[];
  cursor: string | null;
}

async function drain(adapter: SourceAdapter<unknown>, cursor: string | null): Promise<Drained> {
  const out: Drained = { batches: [], records: [], quarantined: [], cursor };
  for await (const b of adapter.pull(cursor, {})) {
    out.batches.push(b);
    out.records.push(...b.records);
    out.quarantined.push(...b.quarantined);
    out.cursor = b.cursor;
  }
  return out;
}

const targetIdsOf = (records: SourceRecord[]): string[] =>
  records.flatMap((r) => (r.kind === 'TARGET' ? [r.sourceId] : [])).sort();

describe.each(harnesses)('source contract: $id', (harness) => {
  let ctx: Ctx | undefined;
  const open = async (): Promise<Ctx> => {
    ctx = await harness.setup();
    return ctx;
  };
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('check() is ok with good credentials and names the problem with bad ones', async () => {
    const c = await open();
    expect(await c.adapter.check()).toEqual({ ok: true });
    const bad = await c.badCredentials.check();
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/AUTH_FAILED/);
  });

  it('pull with bad credentials fails with the coded, permanent error', async () => {
    const c = await open();
    const err = await drain(c.badCredentials, null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).code).toBe('AUTH_FAILED');
    expect((err as SourceError).transient).toBe(false);
  });

  it('a first full pull returns every record, once, in bounded batches', async () => {
    const c = await open();
    const d = await drain(c.adapter, null);
    expect(targetIdsOf(d.records)).toEqual([...c.targetIds].sort());
    expect(d.records.filter((r) => r.kind !== 'TARGET')).toHaveLength(c.extraRecords);
    expect(d.quarantined).toEqual([]);
    expect(d.batches.length).toBeGreaterThan(1);
    for (const b of d.batches) expect(b.fetched).toBeLessThanOrEqual(12);
  });

  it('re-running from the committed cursor returns nothing new; after updates only the changes', async () => {
    const c = await open();
    const full = await drain(c.adapter, null);
    const again = await drain(c.adapter, full.cursor);
    expect(again.records).toEqual([]);
    const changed = [c.update(3), c.update(17), c.update(0)].sort();
    const inc = await drain(c.adapter, again.cursor);
    expect(targetIdsOf(inc.records)).toEqual(changed);
    expect(inc.records).toHaveLength(3);
    const idem = await drain(c.adapter, inc.cursor);
    expect(idem.records).toEqual([]);
    // Replaying the same incremental window from its starting cursor gives the same changes.
    const replay = await drain(c.adapter, again.cursor);
    expect(targetIdsOf(replay.records)).toEqual(changed);
  });

  it('a bookmark in the future returns nothing', async () => {
    const c = await open();
    const d = await drain(c.adapter, c.futureCursor);
    expect(d.records).toEqual([]);
  });

  it('a malformed record is quarantined with reason and raw bytes; the rest of its page arrives', async () => {
    const c = await open();
    c.malformed();
    const d = await drain(c.adapter, null);
    expect(d.quarantined.length).toBeGreaterThan(0);
    for (const q of d.quarantined) {
      expect(q.reason).toMatch(c.malformedField);
      expect(q.raw.length).toBeGreaterThan(0);
      expect(q.sourceId).not.toBeNull();
    }
    const delivered = new Set([
      ...targetIdsOf(d.records),
      ...d.quarantined.map((q) => (q.sourceId as string).split('/')[0] as string),
    ]);
    for (const id of c.targetIds) expect(delivered.has(id)).toBe(true);
    const pagesWithBoth = d.batches.filter((b) => b.records.length > 0 && b.quarantined.length > 0);
    expect(pagesWithBoth.length).toBeGreaterThan(0);
  });

  it('survives each transient fault the simulator injects', async () => {
    const c0 = await open();
    const faults = c0.transientFaults.map((f) => f.name);
    await c0.close();
    ctx = undefined;
    for (const name of faults) {
      const c = await open();
      // Start mid-stream too, so cursor-bearing requests meet the fault.
      const first = c.adapter.pull(null, {})[Symbol.asyncIterator]();
      const b1 = await first.next();
      expect(b1.done).toBe(false);
      await first.return?.(undefined);
      (c.transientFaults.find((f) => f.name === name) as Fault).apply();
      const full = await drain(c.adapter, null);
      const got = targetIdsOf(full.records);
      expect(new Set(got), name).toEqual(new Set(c.targetIds));
      expect(got, `${name}: no duplicates`).toHaveLength(c.targetIds.length);
      await c.close();
      ctx = undefined;
    }
  });

  it('fails with the coded error on each permanent fault', async () => {
    const c0 = await open();
    for (const f of c0.permanentFaults) {
      f.apply();
      const err = await drain(c0.adapter, null).catch((e: unknown) => e);
      expect(err, f.name).toBeInstanceOf(SourceError);
      expect((err as SourceError).code).toBe(f.code);
      expect((err as SourceError).transient).toBe(false);
    }
  });

  it('aborting a pull rejects with ABORTED', async () => {
    const c = await open();
    const ac = new AbortController();
    ac.abort();
    const err = await (async () => {
      for await (const _ of c.adapter.pull(null, { signal: ac.signal })) void _;
    })().catch((e: unknown) => e);
    expect((err as SourceError).code).toBe('ABORTED');
  });
});
