import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let tp: TestPlatform;

beforeAll(async () => {
  tp = await startTestPlatform({ demoScale: 60, env: { SIMULATORS: 'true' } });
});
afterAll(async () => {
  await tp?.stop();
});

describe('demo wiring', () => {
  it('with SIMULATORS on, the three sources are simulated, scheduled and synced once in the background', async () => {
    const jobs = tp.platform.services.scheduler.list().map((j) => j.name);
    expect(jobs).toEqual(expect.arrayContaining(['sync:hotel', 'sync:entertainment', 'sync:internet-cafe']));
    const db = new pg.Client({ connectionString: tp.platform.databaseUrl });
    await db.connect();
    try {
      let done: string[] = [];
      for (let i = 0; i < 200 && done.length < 3; i++) {
        const r = await db.query(`select distinct adapter from sync_run where status = 'DONE'`);
        done = r.rows.map((x) => x.adapter as string).sort();
        if (done.length < 3) await new Promise((res) => setTimeout(res, 100));
      }
      expect(done).toEqual(['entertainment', 'hotel', 'internet-cafe']);
      // The simulators carry the demo targets' source ids: the first sync updates them rather than duplicating.
      const dup = await db.query(
        `select count(*)::int as n from target where source_system in ('HOTEL_SYS', 'ENT_SYS', 'CAFE_SYS') and sync_hash is null`,
      );
      expect(dup.rows[0].n).toBeLessThanOrEqual(6);
    } finally {
      await db.end();
    }
  });
});
