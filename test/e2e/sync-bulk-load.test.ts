import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceAdapter, SourceBatch } from '../../adapters/types.js';
import { SourceError } from '../../adapters/source-kit/source.errors.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { batchOf, cafeSite } from '../support/sync-writer-env.js';

/**
 * A sync run that bulk-loads the rosters (it has added as many rows as they held, at least 5,000)
 * turns autovacuum off for target, person and target_person until it ends (`sync_bulk_load`).
 */
let tp: TestPlatform;
let db: pg.Client;

beforeAll(async () => {
  tp = await startTestPlatform({ demo: false });
  db = new pg.Client({ connectionString: tp.platform.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await tp?.stop();
});

const ROSTER = ['target', 'person', 'target_person'];

/** Each roster table's autovacuum_enabled as its reloptions say (null: the server's setting). */
async function autovacuum(): Promise<Record<string, string | null>> {
  const r = await db.query<{ relname: string; v: string | null }>(
    `select relname, (select substr(o, 20) from unnest(reloptions) o where o like 'autovacuum_enabled=%') as v
       from pg_class where oid = any ($1::regclass[])`,
    [ROSTER],
  );
  return Object.fromEntries(r.rows.map((x) => [x.relname, x.v]));
}
const ALL = (v: string | null) => Object.fromEntries(ROSTER.map((t) => [t, v]));

async function until(what: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 25)))
    if (await what()) return true;
  return false;
}

/** Transactional updates of target's catalog row (ALTER TABLE); ANALYZE and VACUUM update it in place. */
async function targetCatalogVersion(): Promise<string> {
  return (
    await db.query<{ x: string }>(`select xmin::text as x from pg_class where oid = 'target'::regclass`)
  ).rows[0]!.x;
}

let nextSite = 1000;
/**
 * An internet-café source of `pages` pages of 1,000 new sites, then the end (or, with `fail`, a
 * permanent failure). At each page request it records the tables' autovacuum settings; with
 * `waitForBulk`, its last answer waits (up to 10 s) for the run's bulk-load mode to show first.
 */
function source(
  pages: number,
  seen: Record<string, string | null>[],
  opts: { fail?: boolean; waitForBulk?: boolean } = {},
): SourceAdapter<unknown> {
  return {
    id: 'internet-cafe',
    configSchema: (x: unknown) => x,
    check: async () => ({ ok: true }),
    async *pull(): AsyncIterable<SourceBatch> {
      for (let p = 0; ; p++) {
        seen.push(await autovacuum());
        if (p < pages) {
          yield batchOf(Array.from({ length: 1000 }, () => cafeSite(String(nextSite++))));
          continue;
        }
        if (opts.waitForBulk) {
          await until(async () => (await autovacuum()).target === 'false');
          seen.push(await autovacuum());
        }
        if (opts.fail) throw new SourceError('AUTH_FAILED', 'the source refused us', { transient: false });
        return;
      }
    },
  };
}

describe('sync bulk-load mode', () => {
  it('turns autovacuum off for the roster tables while a run fills them, and back on when it ends', async () => {
    expect(await autovacuum()).toEqual(ALL(null));
    const seen: Record<string, string | null>[] = [];
    tp.platform.services.sync.configure(source(8, seen, { waitForBulk: true }), null);
    const run = await tp.platform.services.sync.run('internet-cafe');
    expect(run.inserted).toBe(8000);
    expect(seen[0]).toEqual(ALL(null));
    expect(seen.at(-1)).toEqual(ALL('false'));
    expect(await autovacuum()).toEqual(ALL(null));
    expect((await db.query('select * from sync_bulk_load_run')).rowCount).toBe(0);

    // A run adding a few rows to what is there now leaves the tables as they are.
    const before = await targetCatalogVersion();
    const small: Record<string, string | null>[] = [];
    tp.platform.services.sync.configure(source(2, small), null);
    expect((await tp.platform.services.sync.run('internet-cafe')).inserted).toBe(2000);
    expect(small).toEqual([ALL(null), ALL(null), ALL(null)]);
    expect(await targetCatalogVersion()).toBe(before);
  });

  it('ends the mode when the run fails, and the next run ends one a killed run left behind', async () => {
    // The tables hold 10,000 rows now: 11 pages of 1,000 double them; then the source fails.
    const seen: Record<string, string | null>[] = [];
    tp.platform.services.sync.configure(source(11, seen, { fail: true, waitForBulk: true }), null);
    await expect(tp.platform.services.sync.run('internet-cafe')).rejects.toMatchObject({
      code: 'AUTH_FAILED',
    });
    expect(seen.at(-1)).toEqual(ALL('false'));
    expect(await autovacuum()).toEqual(ALL(null));

    // A run killed while bulk-loading: its row stays, and so does the mode...
    const killed = await db.query<{ id: string }>(
      `insert into sync_run (adapter, region_code) values ('internet-cafe', '350322') returning id::text as id`,
    );
    const other = await db.query<{ id: string }>(
      `insert into sync_run (adapter, region_code) values ('hotel', '350322') returning id::text as id`,
    );
    for (const r of [killed, other]) await db.query('select sync_bulk_load($1, true)', [r.rows[0]!.id]);
    expect(await autovacuum()).toEqual(ALL('false'));
    // ...one of two bulk-loading runs ending keeps it for the other...
    await db.query(`update sync_run set status = 'DONE' where id = $1`, [other.rows[0]!.id]);
    await db.query('select sync_bulk_load($1, false)', [other.rows[0]!.id]);
    expect(await autovacuum()).toEqual(ALL('false'));
    // ...and the killed run's adapter running again marks it FAILED and ends the mode.
    tp.platform.services.sync.configure(source(1, []), null);
    await tp.platform.services.sync.run('internet-cafe');
    expect(await autovacuum()).toEqual(ALL(null));
    const status = await db.query(`select status from sync_run where id = $1`, [killed.rows[0]!.id]);
    expect(status.rows[0]).toEqual({ status: 'FAILED' });
    expect((await db.query('select * from sync_bulk_load_run')).rowCount).toBe(0);
  });

  it('is not for the application to change directly', async () => {
    const app = new pg.Client({ connectionString: tp.platform.databaseUrl });
    await app.connect();
    try {
      await app.query('set role shuangsui_app');
      await expect(app.query('delete from sync_bulk_load_run')).rejects.toThrow(/permission denied/);
      await expect(app.query('alter table target set (autovacuum_enabled = false)')).rejects.toThrow(
        /must be owner/,
      );
      expect((await app.query('select sync_bulk_load(null, false) as off')).rows[0]).toEqual({ off: false });
    } finally {
      await app.end();
    }
  });
});
