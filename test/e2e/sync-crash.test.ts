import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startHotelSimulator, type HotelSimulator } from '../../adapters/hotel/simulator.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

const N = 300;
let sim: HotelSimulator;
let crashed: TestPlatform;
let clean: TestPlatform;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sync-crash-'));

const env = (url: string): Record<string, string> => ({
  SIMULATORS: 'false',
  SYNC_HOTEL_URL: url,
  SYNC_HOTEL_API_KEY: 'k',
  SYNC_HOTEL_PAGE_SIZE: '10',
  SYNC_SCHEDULE_HOTEL: 'off',
});

/** Business content of the synced hotels, their open person links and the committed cursor (no ids or times). */
async function state(url: string): Promise<Record<string, unknown>> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const t =
      await db.query(`select count(*)::int as n, md5(string_agg(concat_ws('|', source_id, name, status, hotel_blacklisted,
        jurisdiction_code, uscc_normalised, uscc_valid, attributes::text, sync_hash, archived_at is null), ',' order by source_id)) as sum
      from target where source_system = 'HOTEL_SYS'`);
    const l =
      await db.query(`select count(*)::int as n, md5(string_agg(t.source_id || '|' || p.id_index || '|' || tp.role, ','
        order by t.source_id, p.id_index, tp.role)) as sum
      from target_person tp join target t on t.id = tp.target_id join person p on p.id = tp.person_id
      where t.source_system = 'HOTEL_SYS' and tp.until is null`);
    const p = await db.query(`select count(*)::int as n from person`);
    const c = await db.query(`select cursor from sync_cursor where adapter = 'hotel'`);
    return { targets: t.rows[0], links: l.rows[0], persons: p.rows[0].n, cursor: c.rows[0]?.cursor ?? null };
  } finally {
    await db.end();
  }
}

beforeAll(async () => {
  sim = await startHotelSimulator({ apiKey: 'k', generate: { count: N, seed: 'crash' } });
  crashed = await startTestPlatform({ demoScale: 40, env: env(sim.url) });
  clean = await startTestPlatform({
    demoScale: 40,
    env: { ...env(sim.url), PII_KEYRING: crashed.piiKeyring, PII_INDEX_KEY: crashed.piiIndexKey },
  });
});
afterAll(async () => {
  await clean?.stop();
  await crashed?.stop();
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('crash-restart equivalence', () => {
  it('a sync killed with SIGKILL mid-run and restarted ends in the same state as an uninterrupted run', async () => {
    sim.setFaults({ latencyMs: 60 });
    const child = spawn('npx', ['tsx', 'scripts/sync.ts', 'hotel'], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        DATABASE_URL: crashed.platform.databaseUrl,
        DATA_DIR: dataDir,
        JWT_SECRET: crashed.jwtSecretHex,
        PII_KEYRING: crashed.piiKeyring,
        PII_INDEX_KEY: crashed.piiIndexKey,
        DEMO: 'false',
        LOG_LEVEL: 'error',
        ...env(sim.url),
      },
      stdio: 'ignore',
      detached: true,
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const db = new pg.Client({ connectionString: crashed.platform.databaseUrl });
    await db.connect();
    try {
      // Kill once a few batches are committed, well before the end.
      for (let i = 0; i < 600; i++) {
        const r = await db.query(
          `select batches from sync_run where adapter = 'hotel' order by id desc limit 1`,
        );
        if ((r.rows[0]?.batches ?? 0) >= 3) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      process.kill(-(child.pid as number), 'SIGKILL');
      await exited;
      const mid = await db.query(
        `select batches, status from sync_run where adapter = 'hotel' order by id desc limit 1`,
      );
      expect(mid.rows[0].status).toBe('RUNNING');
      expect(mid.rows[0].batches).toBeLessThan(N / 10);
    } finally {
      await db.end();
    }
    sim.clearFaults();
    const resumed = await crashed.platform.services.sync.run('hotel');
    expect(resumed.batches).toBeGreaterThan(0);
    await clean.platform.services.sync.run('hotel');
    const a = await state(crashed.platform.databaseUrl);
    const b = await state(clean.platform.databaseUrl);
    expect((a.targets as { n: number }).n).toBeGreaterThanOrEqual(N);
    expect(a).toEqual(b);
    const db2 = new pg.Client({ connectionString: crashed.platform.databaseUrl });
    await db2.connect();
    const killed = await db2.query(
      `select status, error_code from sync_run where adapter = 'hotel' order by id limit 1`,
    );
    await db2.end();
    expect(killed.rows[0]).toEqual({ status: 'FAILED', error_code: 'INTERRUPTED' });
  }, 120_000);
});
