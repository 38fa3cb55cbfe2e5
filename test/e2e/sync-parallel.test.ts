import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  startInternetCafeSimulator,
  type InternetCafeSimulator,
} from '../../adapters/internet-cafe/simulator.js';
import { SyncWriter } from '../../src/modules/sync/sync-writer.js';
import { Role, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { batchOf, cafeSite, cafeStaff, startSyncWriterPlatform } from '../support/sync-writer-env.js';

/**
 * Two transactions write a run's batches at once (SYNC_WRITERS=2): records that share no row with
 * the batch in flight first, the others once it has committed. The outcome must equal one writer's,
 * commits must stay in cursor order, and a batch that fails takes its successor back with it.
 */
const SITES = 40;
/** Café pages of 7 changes: a site's SITE, STAFF, STAFF (3 changes) often straddle two pages. */
const PAGE = 7;
let cafe: InternetCafeSimulator;
let serial: TestPlatform;
let parallel: TestPlatform;

const RUN = `mutation { runSync(adapter: "internet-cafe") { id status fetched inserted updated staffJoined
  quarantined errorCode error cursorAfter } }`;
interface Run {
  id: string;
  status: string;
  fetched: number;
  inserted: number;
  updated: number;
  staffJoined: number;
  quarantined: number;
  errorCode: string | null;
  error: string | null;
  cursorAfter: string | null;
}

async function runCafe(on: TestPlatform): Promise<Run> {
  const r = await on.gql<{ runSync: Run }>(RUN, {}, await on.token(Role.ADMIN));
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.runSync;
}

async function withDb<T>(on: TestPlatform, f: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: on.platform.databaseUrl });
  await db.connect();
  try {
    return await f(db);
  } finally {
    await db.end();
  }
}

/**
 * The café roster as content: sites, their links and linked persons (no ids, timestamps or keyed
 * hashes: each test platform has its own PII keys).
 */
async function cafeState(on: TestPlatform): Promise<{ sites: string[]; links: string[] }> {
  return withDb(on, async (db) => {
    const sites = await db.query<{ s: string }>(
      `select concat_ws('|', source_id, name, status, jurisdiction_code, sync_hash, archived_at is null) as s
         from target where source_system = 'CAFE_SYS' order by 1`,
    );
    const links = await db.query<{ s: string }>(
      `select concat_ws('|', t.source_id, p.name, p.id_masked, p.id_valid, tp.role, tp.since, tp.until) as s
         from target_person tp join target t on t.id = tp.target_id join person p on p.id = tp.person_id
        where t.source_system = 'CAFE_SYS' order by 1`,
    );
    return { sites: sites.rows.map((r) => r.s), links: links.rows.map((r) => r.s) };
  });
}

/** Makes the `nth` write of the café cursor (and only that one) fail with `sqlstate`. */
async function failCursorWrite(on: TestPlatform, nth: number, sqlstate: string): Promise<void> {
  await withDb(on, async (db) => {
    await db.query(`create sequence if not exists zz_cursor_writes`);
    await db.query(`grant usage on sequence zz_cursor_writes to public`);
    await db.query(`create or replace function zz_fail_cursor() returns trigger language plpgsql as $$
      begin
        if new.adapter = 'internet-cafe' and nextval('zz_cursor_writes') = ${nth} then
          raise exception 'injected failure' using errcode = '${sqlstate}';
        end if;
        return new;
      end $$`);
    await db.query(`drop trigger if exists zz_fail_cursor on sync_cursor`);
    await db.query(`create trigger zz_fail_cursor before insert on sync_cursor
      for each row execute function zz_fail_cursor()`);
  });
}

async function clearFault(on: TestPlatform): Promise<void> {
  await withDb(on, async (db) => {
    await db.query(`drop trigger if exists zz_fail_cursor on sync_cursor`);
    await db.query(`drop sequence if exists zz_cursor_writes`);
  });
}

const finishedLog = (on: TestPlatform, runId: string): { beside: number; batches: number } => {
  const line = on.logs.find((l) => l.includes('"sync run finished"') && l.includes(`"runId":"${runId}"`));
  expect(line, `no finished log of run ${runId}`).toBeTruthy();
  return JSON.parse(line!) as { beside: number; batches: number };
};

const env = (writers: number) => ({
  SIMULATORS: 'false',
  SYNC_CAFE_URL: cafe.url,
  SYNC_CAFE_APP_ID: 'gaj',
  SYNC_CAFE_SECRET: 's-cafe',
  SYNC_CAFE_PAGE_SIZE: String(PAGE),
  SYNC_SCHEDULE_CAFE: 'off',
  SYNC_SCHEDULE_HOTEL: 'off',
  SYNC_SCHEDULE_ENTERTAINMENT: 'off',
  SYNC_WRITERS: String(writers),
});

beforeAll(async () => {
  cafe = await startInternetCafeSimulator({
    appId: 'gaj',
    secret: 's-cafe',
    generate: { count: SITES, seed: 'parallel' },
  });
  serial = await startTestPlatform({ demo: false, env: env(1) });
  parallel = await startTestPlatform({ demo: false, env: env(2) });
});

afterAll(async () => {
  await parallel?.stop();
  await serial?.stop();
  await cafe?.close();
});

describe('sync batches written by two transactions at once', () => {
  it('end in the same state, with the same counts, as one writer', async () => {
    const one = await runCafe(serial);
    const two = await runCafe(parallel);
    expect(one.status).toBe('DONE');
    expect(two.status).toBe('DONE');
    expect(two.inserted).toBe(SITES);
    expect(two.staffJoined).toBe(2 * SITES);
    const { id: _a, ...countsOne } = one;
    const { id: _b, ...countsTwo } = two;
    expect(countsTwo).toEqual(countsOne);
    expect(await cafeState(parallel)).toEqual(await cafeState(serial));
    expect(finishedLog(serial, one.id).beside).toBe(0);
    const log = finishedLog(parallel, two.id);
    expect(log.batches).toBe(Math.ceil((3 * SITES) / PAGE));
    // Batches overlap whenever the next page is in before the last write ends: on a loaded machine
    // (the whole suite at once) some are written alone, so this asks for overlap, not for all of it.
    expect(log.beside).toBeGreaterThan(0);
    expect(log.beside).toBeLessThanOrEqual(log.batches - 1);
    // Every batch committed after the one before it: the audit chain holds them in cursor order.
    const order = await withDb(parallel, (db) =>
      db.query<{ details: { targetIds: string[] } }>(
        `select details from audit_event where action = 'sync.batch' and entity_id = $1 order by id`,
        [two.id],
      ),
    );
    expect(order.rows.length).toBe(log.batches);
  });

  it('a batch that fails for a reason a retry cures is written again, and so is its successor', async () => {
    const on = await startTestPlatform({ demo: false, env: env(2) });
    try {
      // The third batch's cursor write fails once, as a deadlock would (40P01).
      await failCursorWrite(on, 3, '40P01');
      const run = await runCafe(on);
      expect(run.status).toBe('DONE');
      expect(run.inserted).toBe(SITES);
      expect(on.logs.some((l) => l.includes('sync batch written again alone'))).toBe(true);
      await clearFault(on);
      expect(await cafeState(on)).toEqual(await cafeState(serial));
    } finally {
      await on.stop();
    }
  });

  it('a batch that fails for good ends the run after a prefix of batches; the next run completes it', async () => {
    const on = await startTestPlatform({ demo: false, env: env(2) });
    try {
      await failCursorWrite(on, 4, 'P0001');
      const failed = await runCafe(on);
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toMatch(/injected failure/);
      // Three batches committed, in order; the fourth failed and the fifth, written beside it, did not commit.
      const state = await withDb(on, async (db) => {
        const run = await db.query(`select batches, cursor_after from sync_run where id = $1`, [failed.id]);
        const cur = await db.query(`select cursor from sync_cursor where adapter = 'internet-cafe'`);
        return { run: run.rows[0], cursor: cur.rows[0]?.cursor as string };
      });
      expect(state.run.batches).toBe(3);
      expect(state.cursor).toBe(state.run.cursor_after);
      const changes = 3 * PAGE;
      const sites = Math.ceil(changes / 3);
      const landed = await cafeState(on);
      expect(landed.sites.length).toBe(sites);
      // Each site's legal representative, and one link per STAFF change.
      expect(landed.links.length).toBe(sites + (changes - sites));
      await clearFault(on);
      const resumed = await runCafe(on);
      expect(resumed.status).toBe('DONE');
      expect(await cafeState(on)).toEqual(await cafeState(serial));
    } finally {
      await on.stop();
    }
  });

  it('split: records sharing a target or a person with the batch in flight, and what they touch, wait for it', async () => {
    const { tp, pii, cipher } = await startSyncWriterPlatform();
    try {
      const writer = new SyncWriter({ pii, cipher });
      const prev = writer.prepare(
        batchOf([cafeSite('000001'), cafeStaff('000001', '350322199001011234', '甲', 'MANAGER')]),
      );
      const next = writer.prepare(
        batchOf([
          // Independent: a new site, its staff.
          cafeSite('000002'),
          cafeStaff('000002', '350322199002021234', '乙', 'CASHIER'),
          // Staff of the site in flight.
          cafeStaff('000001', '350322199003031234', '丙', 'SECURITY'),
          // A person in flight, at a new site: the site waits too, and so does that site's other staff.
          cafeSite('000003', {
            persons: [
              { role: 'LEGAL_REP', name: '甲', idType: '111', idNumber: '350322199001011234', phone: null },
            ],
          }),
          cafeStaff('000003', '350322199004041234', '丁', 'CASHIER'),
          // The new person of a waiting record, named again elsewhere: waits too.
          cafeStaff('000004', '350322199004041234', '丁', 'MANAGER'),
        ]),
      );
      const parts = writer.split(prev, next)!;
      expect(parts.now.upserts.map((r) => r.sourceId)).toEqual(['000002']);
      expect([...parts.now.staff.keys()].map((k) => k.split('|')[0])).toEqual(['000002']);
      expect(parts.after!.upserts.map((r) => r.sourceId)).toEqual(['000003']);
      expect([...parts.after!.staff.keys()].map((k) => k.split('|')[0]).sort()).toEqual([
        '000001',
        '000003',
        '000004',
      ]);
      // Nothing shared: nothing waits.
      const apart = writer.split(prev, writer.prepare(batchOf([cafeSite('000009')])))!;
      expect(apart.after).toBeNull();
      expect(apart.now.upserts.length).toBe(1);
      // A batch of a full resync is never split.
      const resync = writer.prepare({
        ...batchOf([cafeSite('000009')]),
        resync: { first: true, last: false },
      });
      expect(writer.split(prev, resync)).toBeNull();
    } finally {
      await tp.stop();
    }
  });
});
