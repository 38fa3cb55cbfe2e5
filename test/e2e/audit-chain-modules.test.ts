import { it, expect } from 'vitest';

// Every module appends to one audit chain; a module writing rows another way would break it.
import pg from 'pg';
import { startTestPlatform } from '../support/platform.js';
import { verifyAuditChain } from '../../src/modules/audit/audit.service.js';
it('keeps the audit chain intact while the demo simulators sync', async () => {
  const a = await startTestPlatform({ demoScale: 100, env: { SIMULATORS: 'true' } });
  const db = new pg.Client({ connectionString: a.platform.databaseUrl });
  await db.connect();
  for (let i = 0; i < 60; i++) {
    const r = await db.query(`select count(*)::int as n from sync_run where status <> 'RUNNING'`);
    if (r.rows[0].n >= 3) break;
    await new Promise((res) => setTimeout(res, 500));
  }
  const r = await verifyAuditChain(async (sql, params) => (await db.query(sql, params)).rows);
  const runs = await db.query(`select count(*)::int as n from sync_run where status = 'DONE'`);
  await db.end();
  await a.stop();
  expect(runs.rows[0].n).toBeGreaterThanOrEqual(3);
  expect(r.firstBroken).toBeNull();
  expect(r.ok).toBe(true);
});
