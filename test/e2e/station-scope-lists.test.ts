import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Role } from '../../src/graphql/auth.js';
import { toGlobalId } from '../../src/graphql/node.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

/**
 * Referrals, appeals and blacklist entries of a target belong to the target's police station: a
 * station's staff list only theirs; branch staff list the whole county.
 */
let tp: TestPlatform;
let db: pg.Client;
const ids = { referral: [] as string[], appeal: [] as string[], blacklist: [] as string[] };
let station: { code: string; jurisdiction: string };
let otherJurisdiction: string;

async function seedFor(targetId: string, n: number): Promise<void> {
  const insp = await db.query<{ id: string }>(
    `insert into inspection (id, region_code, source, target_id, target_name, category, department_code,
       jurisdiction_code, item_codes, implementation_codes, planned_on, inspected_on, team, team_police_nos, state,
       outcome, appeal_code)
     select gen_random_uuid(), region_code, 'AD_HOC', id, name, category, 'ZA', jurisdiction_code, '{}', '{}',
       date '2026-11-02', date '2026-11-03', '[]'::jsonb, '{}', 'CLOSED', 'VIOLATION_FOUND',
       upper(substr(md5(random()::text), 1, 16))
     from target where id = $1 returning id`,
    [targetId],
  );
  const inspectionId = insp.rows[0]!.id;
  const r = await db.query<{ id: string }>(
    `insert into referral (id, region_code, referral_no, inspection_id, target_id, department_code, to_partner,
       to_department, suspected_violation, facts, legal_basis, checklist, proposed_by, proposed_on, approval_due_on)
     values (gen_random_uuid(), '350322', 'R-TEST-' || $2, $1, (select target_id from inspection where id = $1), 'ZA',
       'COMMERCE', '仙游县市场监督管理局', '无照经营', '现场检查发现', '{}', '[]'::jsonb, 'p1', '2026-11-03', '2026-11-06')
     returning id`,
    [inspectionId, String(n)],
  );
  ids.referral.push(r.rows[0]!.id);
  const a = await db.query<{ id: string }>(
    `insert into appeal (id, region_code, inspection_id, department_code, ticket, text, filed_on, due_on)
     values (gen_random_uuid(), '350322', $1, 'ZA', 'T-TEST-' || $2, '对结果有异议', '2026-11-04', '2026-11-20') returning id`,
    [inspectionId, String(n)],
  );
  ids.appeal.push(a.rows[0]!.id);
  const b = await db.query<{ id: string }>(
    `insert into blacklist_entry (id, region_code, kind, target_id, department_code, jurisdiction_code, inspection_id,
       reasons, basis, proposed_by, proposed_on)
     select gen_random_uuid(), '350322', 'HOTEL', t.id, 'ZA', t.jurisdiction_code, $1, '多次违规', '依据', 'p1', '2026-11-04'
     from target t where t.id = (select target_id from inspection where id = $1) returning id`,
    [inspectionId],
  );
  ids.blacklist.push(b.rows[0]!.id);
}

beforeAll(async () => {
  tp = await startTestPlatform({ demoScale: 300 });
  db = new pg.Client({ connectionString: tp.platform.databaseUrl });
  await db.connect();
  const s = await db.query<{ code: string; j: string }>(
    `select d.code, d.jurisdiction_codes[1] as j from department d
     where d.kind = 'STATION' and exists (select 1 from target t where t.jurisdiction_code = d.jurisdiction_codes[1])
     order by d.code limit 1`,
  );
  station = { code: s.rows[0]!.code, jurisdiction: s.rows[0]!.j };
  const mine = await db.query<{ id: string }>(`select id from target where jurisdiction_code = $1 limit 1`, [
    station.jurisdiction,
  ]);
  const other = await db.query<{ id: string; j: string }>(
    `select id, jurisdiction_code as j from target where jurisdiction_code <> $1 limit 1`,
    [station.jurisdiction],
  );
  otherJurisdiction = other.rows[0]!.j;
  await seedFor(mine.rows[0]!.id, 1);
  await seedFor(other.rows[0]!.id, 2);
}, 120_000);

afterAll(async () => {
  await db?.end();
  await tp?.stop();
});

const LISTS = [
  ['referrals', 'Referral', 'referral'],
  ['appeals', 'Appeal', 'appeal'],
  ['blacklist', 'BlacklistEntry', 'blacklist'],
] as const;

describe('station scope of referral, appeal and blacklist lists', () => {
  for (const [field, type, key] of LISTS) {
    it(`${field}: a station lists only its own, a branch lists both`, async () => {
      const stationToken = await tp.token(Role.SUPERVISOR, station.code);
      const branchToken = await tp.token(Role.SUPERVISOR, 'ZA');
      const q = `{ ${field}(first: 100) { nodes { id } } }`;
      const seen = async (token: string) => {
        const r = await tp.gql<Record<string, { nodes: { id: string }[] }>>(q, {}, token);
        expect(r.errors).toBeUndefined();
        return r.data![field]!.nodes.map((n) => n.id);
      };
      const [mine, theirs] = ids[key].map((id) => toGlobalId(type, id));
      const atStation = await seen(stationToken);
      expect(atStation).toContain(mine);
      expect(atStation).not.toContain(theirs);
      const atBranch = await seen(branchToken);
      expect(atBranch).toEqual(expect.arrayContaining([mine, theirs]));
      expect(otherJurisdiction).not.toBe(station.jurisdiction);
    });
  }
});
