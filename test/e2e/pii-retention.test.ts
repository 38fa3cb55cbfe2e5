import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { EntityManager } from '@mikro-orm/postgresql';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let tp: TestPlatform;
let db: pg.Client;
beforeAll(async () => {
  tp = await startTestPlatform({ demoScale: 40 });
  db = new pg.Client({ connectionString: tp.platform.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await tp?.stop();
});

describe('retention of personal data', () => {
  it('anonymises only persons whose every link ended before the retention period (fake clock)', async () => {
    const people = await db.query(
      `select person_id from target_person group by person_id order by person_id limit 3`,
    );
    const [gone, recent, active] = people.rows.map((r) => r.person_id as string);
    await db.query(`update target_person set until = '2019-12-31' where person_id = $1`, [gone]);
    await db.query(`update target_person set until = '2025-06-30' where person_id = $1`, [recent]);
    await db.query(`update target_person set until = null where person_id = $1`, [active]);
    const svc = tp.platform.services.retention;
    const em = tp.platform.orm.em.fork() as EntityManager;
    // Five years (the default) after 2026-11-27 cuts at 2021-11-28: only `gone` is past it.
    const r1 = await svc.anonymiseExpired(em, new Date('2026-11-27T00:00:00Z'));
    expect(r1.anonymised).toBe(1);
    const rows = await db.query(
      `select id, name, id_enc, id_index, phone_enc from person where id = any($1)`,
      [[gone, recent, active]],
    );
    const byId = new Map(rows.rows.map((r) => [r.id as string, r]));
    expect(byId.get(gone)).toMatchObject({
      name: '（已匿名）',
      id_enc: null,
      id_index: null,
      phone_enc: null,
    });
    expect(byId.get(recent)!.id_enc).not.toBeNull();
    expect(byId.get(active)!.id_enc).not.toBeNull();
    // Later the clock passes `recent` too; `gone` is not counted twice.
    const r2 = await svc.anonymiseExpired(em, new Date('2030-07-01T00:00:00Z'));
    expect(r2.anonymised).toBe(1);
    const audit = await db.query(`select count(*)::int as n from audit_event where action = 'pii.anonymise'`);
    expect(audit.rows[0].n).toBe(2);
  });
});
