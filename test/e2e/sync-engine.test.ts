import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { createHotelAdapter } from '../../adapters/hotel/adapter.js';
import { hotelConfigSchema } from '../../adapters/hotel/schema.js';
import {
  generatedHotelId,
  startHotelSimulator,
  type HotelSimulator,
} from '../../adapters/hotel/simulator.js';
import {
  generatedVenueCode,
  startEntertainmentSimulator,
  type EntertainmentSimulator,
} from '../../adapters/entertainment/simulator.js';
import {
  generatedSiteCode,
  startInternetCafeSimulator,
  type InternetCafeSimulator,
} from '../../adapters/internet-cafe/simulator.js';
import type { SourceAdapter } from '../../adapters/types.js';
import { SyncWriter } from '../../src/modules/sync/sync-writer.js';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';

const N = 40;
let tp: TestPlatform;
let replica: TestPlatform;
let hotel: HotelSimulator;
let ent: EntertainmentSimulator;
let cafe: InternetCafeSimulator;
let db: pg.Client;
let admin: string;

const RUN = `mutation($a: String!) { runSync(adapter: $a) { id adapter status fetched inserted updated unchanged
  deleted quarantined staffJoined staffLeft warnings errorCode error cursorBefore cursorAfter } }`;

interface Run {
  id: string;
  status: string;
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  quarantined: number;
  staffJoined: number;
  staffLeft: number;
  errorCode: string | null;
}

async function runSync(adapter: string, on: TestPlatform = tp): Promise<Run> {
  const r = await on.gql<{ runSync: Run }>(RUN, { a: adapter }, admin);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.runSync;
}

/** Business content of one source's targets (no ids or timestamps), and when they were last written. */
async function snapshot(system: string): Promise<{ count: number; sum: string; lastWrite: string | null }> {
  const r = await db.query(
    `select count(*)::int as count,
            md5(coalesce(string_agg(concat_ws('|', source_id, name, status, grade, hotel_blacklisted, abnormal_listed,
              complaints90d, jurisdiction_code, uscc_normalised, archived_at is null, violations::text, attributes::text,
              sync_hash), ',' order by source_id), '')) as sum,
            max(updated_at)::text as "lastWrite"
       from target where source_system = $1`,
    [system],
  );
  return r.rows[0];
}

beforeAll(async () => {
  hotel = await startHotelSimulator({ apiKey: 'k-hotel', generate: { count: N, seed: 'e2e' } });
  ent = await startEntertainmentSimulator({
    clientId: 'gaj',
    clientSecret: 's-ent',
    generate: { count: N, seed: 'e2e' },
    rateLimitPerSecond: 10_000,
  });
  cafe = await startInternetCafeSimulator({
    appId: 'gaj',
    secret: 's-cafe',
    generate: { count: N, seed: 'e2e' },
  });
  const env = {
    SIMULATORS: 'false',
    SYNC_HOTEL_URL: hotel.url,
    SYNC_HOTEL_API_KEY: 'k-hotel',
    SYNC_HOTEL_PAGE_SIZE: '10',
    SYNC_SCHEDULE_HOTEL: 'off',
    SYNC_ENTERTAINMENT_URL: ent.url,
    SYNC_ENTERTAINMENT_CLIENT_ID: 'gaj',
    SYNC_ENTERTAINMENT_CLIENT_SECRET: 's-ent',
    SYNC_ENTERTAINMENT_PAGE_SIZE: '10',
    SYNC_SCHEDULE_ENTERTAINMENT: 'off',
    SYNC_CAFE_URL: cafe.url,
    SYNC_CAFE_APP_ID: 'gaj',
    SYNC_CAFE_SECRET: 's-cafe',
    SYNC_CAFE_PAGE_SIZE: '10',
    SYNC_SCHEDULE_CAFE: 'off',
  };
  tp = await startTestPlatform({ demoScale: 60, env });
  replica = await startTestPlatform({ sameDatabaseAs: tp, demo: false, env });
  admin = await tp.token(Role.ADMIN);
  db = new pg.Client({ connectionString: tp.platform.databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await replica?.stop();
  await tp?.stop();
  await Promise.all([hotel?.close(), ent?.close(), cafe?.close()]);
});

describe('sync engine over the real simulators and PostgreSQL', () => {
  it('first sync lands every hotel, with the cursor, and records the run', async () => {
    const run = await runSync('hotel');
    expect(run.status).toBe('DONE');
    // The hotel cursor re-reads its boundary instant, so a few records arrive twice (and count unchanged).
    expect(run.fetched).toBeGreaterThanOrEqual(N);
    expect(run.inserted + run.updated).toBe(N);
    expect(run.quarantined).toBe(0);
    const snap = await snapshot('HOTEL_SYS');
    const ids = (await db.query(`select source_id from target where source_system = 'HOTEL_SYS'`)).rows.map(
      (r) => r.source_id as string,
    );
    for (let i = 0; i < N; i++) expect(ids).toContain(generatedHotelId(i));
    expect(snap.count).toBeGreaterThanOrEqual(N);
    const cur = await db.query(`select cursor from sync_cursor where adapter = 'hotel'`);
    expect(cur.rows[0].cursor).toBeTruthy();
    const audit = await db.query(
      `select count(*)::int as n from audit_event where action = 'sync.batch' and entity_id = $1`,
      [run.id],
    );
    expect(audit.rows[0].n).toBeGreaterThan(0);
    expect(audit.rows[0].n).toBeLessThanOrEqual(Math.ceil(N / 10) + 1);
  });

  it('an idempotent re-run writes nothing: same rows, same checksum, updated_at untouched', async () => {
    const before = await snapshot('HOTEL_SYS');
    const run = await runSync('hotel');
    expect(run.status).toBe('DONE');
    expect(run.inserted + run.updated + run.deleted).toBe(0);
    // Replaying everything from no cursor also writes nothing: every content hash matches.
    await db.query(`update sync_cursor set cursor = null where adapter = 'hotel'`);
    const replay = await runSync('hotel');
    expect(replay.unchanged).toBe(N);
    expect(replay.inserted + replay.updated).toBe(0);
    expect(await snapshot('HOTEL_SYS')).toEqual(before);
  });

  it('incremental: only the changes arrive; blacklisting raises a targetChanged event', async () => {
    const id = hotel.update(generatedHotelId(5), {
      blacklisted: !hotel.get(generatedHotelId(5))!.blacklisted,
    }).id;
    hotel.update(generatedHotelId(6), { rooms: 77 });
    const run = await runSync('hotel');
    expect(run.updated).toBe(2);
    expect(run.inserted).toBe(0);
    const t = await db.query(
      `select id, hotel_blacklisted from target where source_system = 'HOTEL_SYS' and source_id = $1`,
      [id],
    );
    const ev = await db.query(
      `select payload from event_log where topic = 'targetChanged' and entity_id = $1 order by id desc limit 1`,
      [t.rows[0].id],
    );
    expect(ev.rows[0].payload.change).toBe(t.rows[0].hotel_blacklisted ? 'BLACKLISTED' : 'BLACKLIST_CLEARED');
    const finished = await db.query(
      `select payload from event_log where topic = 'syncRunFinished' and entity_id = $1`,
      [run.id],
    );
    expect(finished.rows[0].payload.status).toBe('DONE');
  });

  it('a malformed record is quarantined (encrypted, shown masked) while the rest of its page lands', async () => {
    for (let i = 10; i < 22; i++) hotel.update(generatedHotelId(i), { rooms: 100 + i });
    hotel.setFaults({ malformedEvery: 4 });
    const run = await runSync('hotel');
    hotel.clearFaults();
    expect(run.status).toBe('DONE');
    expect(run.quarantined).toBeGreaterThan(0);
    expect(run.updated).toBe(12 - run.quarantined);
    const raw = await db.query(`select raw_enc, reason from sync_quarantine where adapter = 'hotel'`);
    for (const r of raw.rows) {
      expect(r.reason).toMatch(/Hotel\[\d+\]\.(Rooms|@status)/);
      expect(r.raw_enc).not.toMatch(/<Hotel|\d{17}[\dX]/);
    }
    const q = await tp.gql<{
      quarantinedRecords: { totalCount: number; nodes: { reason: string; rawMasked: string }[] };
    }>(
      `{ quarantinedRecords(first: 10, adapter: "hotel") { totalCount nodes { reason rawMasked sourceId } } }`,
      {},
      admin,
    );
    expect(q.errors).toBeUndefined();
    expect(q.data!.quarantinedRecords.nodes.length).toBeGreaterThan(0);
    for (const n of q.data!.quarantinedRecords.nodes) {
      expect(n.rawMasked).toContain('Hotel');
      expect(n.rawMasked).not.toMatch(/(?<!\d)\d{17}[\dX](?!\d)/);
    }
  });

  it('a permanent auth failure is recorded on the run with its code', async () => {
    const bad = createHotelAdapter(
      hotelConfigSchema({ baseUrl: hotel.url, apiKey: 'wrong' }),
    ) as SourceAdapter<unknown>;
    tp.platform.services.sync.configure(bad, null);
    try {
      const run = await runSync('hotel');
      expect(run.status).toBe('FAILED');
      expect(run.errorCode).toBe('AUTH_FAILED');
      const runs = await tp.gql<{ syncRuns: { nodes: { status: string; errorCode: string }[] } }>(
        `{ syncRuns(first: 1, adapter: "hotel") { nodes { status errorCode } } }`,
        {},
        await tp.token(Role.ANALYST),
      );
      expect(runs.data!.syncRuns.nodes[0]).toEqual({ status: 'FAILED', errorCode: 'AUTH_FAILED' });
    } finally {
      tp.platform.services.sync.configure(
        createHotelAdapter(
          hotelConfigSchema({ baseUrl: hotel.url, apiKey: 'k-hotel', pageSize: 10 }),
        ) as SourceAdapter<unknown>,
        null,
      );
    }
  });

  it('entertainment: grades feed the rules (ungraded = null), a grade change raises an event', async () => {
    const run = await runSync('entertainment');
    expect(run.status).toBe('DONE');
    // Every 10th generated venue names no police station: a new target cannot be placed, so it waits in quarantine.
    expect(run.quarantined).toBe(N / 10);
    expect(run.inserted + run.updated).toBe(N - N / 10);
    const q = await db.query(`select reason from sync_quarantine where adapter = 'entertainment'`);
    for (const r of q.rows) expect(r.reason).toMatch(/^jurisdictionCode: missing/);
    for (let i = 0; i < N; i++) {
      const v = ent.get(generatedVenueCode(i))!;
      if (v.securityGrade !== null || !v.jurisdiction) continue;
      const t = await db.query(
        `select grade from target where source_system = 'ENT_SYS' and source_id = $1`,
        [v.venueCode],
      );
      expect(t.rows[0].grade).toBeNull();
    }
    const code = generatedVenueCode(3);
    const before = ent.get(code)!;
    const next = before.securityGrade === 'A' ? 'B' : 'A';
    ent.update(code, { securityGrade: next });
    const inc = await runSync('entertainment');
    expect(inc.updated).toBe(1);
    const t = await db.query(
      `select id, grade from target where source_system = 'ENT_SYS' and source_id = $1`,
      [code],
    );
    expect(t.rows[0].grade).toBe(next);
    const ev = await db.query(`select payload from event_log where entity_id = $1 order by id desc limit 1`, [
      t.rows[0].id,
    ]);
    expect(ev.rows[0].payload.change).toBe('GRADE_CHANGED');
  });

  it('internet café: sites and staff links land; a staff delete ends the link; SEQ_EXPIRED resyncs', async () => {
    const run = await runSync('internet-cafe');
    expect(run.status).toBe('DONE');
    expect(run.inserted + run.updated).toBe(N);
    expect(run.staffJoined).toBe(N * 2);
    const site = generatedSiteCode(4);
    const staff = cafe.getStaff(site);
    expect(staff.length).toBe(2);
    cafe.deleteStaff(site, staff[0]!.idNumber);
    const inc = await runSync('internet-cafe');
    expect(inc.staffLeft).toBe(1);
    const links = await db.query(
      `select count(*) filter (where tp.until is null)::int as open, count(*) filter (where tp.until is not null)::int as closed
         from target_person tp join target t on t.id = tp.target_id
        where t.source_system = 'CAFE_SYS' and t.source_id = $1 and tp.role <> 'LEGAL_REP'`,
      [site],
    );
    expect(links.rows[0]).toEqual({ open: 1, closed: 1 });
    // The feed expires; the snapshot no longer holds a deleted site: the resync archives it.
    cafe.deleteSite(generatedSiteCode(7));
    cafe.setFaults({ seqExpired: true });
    const resync = await runSync('internet-cafe');
    cafe.clearFaults();
    expect(resync.status).toBe('DONE');
    const gone = await db.query(
      `select archived_at from target where source_system = 'CAFE_SYS' and source_id = $1`,
      [generatedSiteCode(7)],
    );
    expect(gone.rows[0].archived_at).not.toBeNull();
    const again = await runSync('internet-cafe');
    expect(again.inserted + again.updated + again.deleted + again.staffJoined + again.staffLeft).toBe(0);
  });

  it('two replicas never run the same adapter at once', async () => {
    hotel.setFaults({ latencyMs: 150 });
    await db.query(`update sync_cursor set cursor = null where adapter = 'hotel'`);
    try {
      const results = await Promise.all([
        tp.gql<{ runSync: Run }>(RUN, { a: 'hotel' }, admin),
        replica.gql<{ runSync: Run }>(RUN, { a: 'hotel' }, admin),
      ]);
      const ok = results.filter((r) => r.data?.runSync);
      const refused = results.filter((r) => r.errors?.[0]?.extensions?.code === 'JOB_ALREADY_RUNNING');
      expect(ok).toHaveLength(1);
      expect(refused).toHaveLength(1);
    } finally {
      hotel.clearFaults();
    }
  });

  it("asks the source for its next page as soon as a page arrives, before preparing that page's persons", async () => {
    const inner = createHotelAdapter(
      hotelConfigSchema({ baseUrl: hotel.url, apiKey: 'k-hotel', pageSize: 10 }),
    ) as SourceAdapter<unknown>;
    // A page's persons are looked up (and the new ones protected) by `lookAhead`, once per page.
    const lookAhead = vi.spyOn(SyncWriter.prototype, 'lookAhead');
    const atRequest: number[] = [];
    const probe: SourceAdapter<unknown> = {
      ...inner,
      async *pull(cursor, opts) {
        const pages = inner.pull(cursor, opts)[Symbol.asyncIterator]();
        for (;;) {
          // Runs when the engine asks for the next page.
          atRequest.push(lookAhead.mock.calls.length);
          const step = await pages.next();
          if (step.done) return;
          yield step.value;
        }
      },
    };
    await db.query(`update sync_cursor set cursor = null where adapter = 'hotel'`);
    tp.platform.services.sync.configure(probe, null);
    try {
      const run = await runSync('hotel');
      expect(run.status).toBe('DONE');
      expect(run.fetched).toBeGreaterThanOrEqual(N);
      // Pages of ten, and the answer that ends the pull.
      const pages = atRequest.length - 1;
      expect(pages).toBeGreaterThanOrEqual(N / 10);
      // Page k+1 was asked for before page k was prepared: each request came while the engine
      // had looked ahead at one page fewer than it had received.
      expect(atRequest).toEqual(atRequest.map((_, k) => Math.max(0, k - 1)));
      expect(lookAhead).toHaveBeenCalledTimes(pages);
    } finally {
      lookAhead.mockRestore();
      tp.platform.services.sync.configure(inner, null);
    }
  });

  it('refuses an unknown adapter with a coded error naming the choices', async () => {
    const r = await tp.gql(RUN, { a: 'ftp' }, admin);
    expect(r.errors?.[0]?.extensions?.code).toBe('SYNC_ADAPTER_UNKNOWN');
    expect(r.errors?.[0]?.message).toMatch(/hotel, entertainment, internet-cafe/);
  });
});
