import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import WebSocket from 'ws';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';

let tp: TestPlatform;
let db: pg.Client;
const run = promisify(execFile);
const POLICE = ['100001', '100002', '100003', '100004', '100005', '100006'];

beforeAll(async () => {
  tp = await startTestPlatform({ demo: false });
  db = new pg.Client({ connectionString: tp.platform.databaseUrl });
  await db.connect();
  const stations = ['350322510000', '350322520000'];
  await db.query(
    `insert into department (id, code, name, kind, org_code, region_code, jurisdiction_codes, categories) values
     ($1, 'ZA', '治安大队', 'BRANCH', '350322010000', '350322', $2, '{PAWN,SECURITY_SERVICE}'),
     ($3, 'XF', '消防大队', 'BRANCH', '350322020000', '350322', $2, '{FIRE_SAFETY_KEY}')
     on conflict (code) do update set jurisdiction_codes = excluded.jurisdiction_codes, categories = excluded.categories`,
    [randomUUID(), stations, randomUUID()],
  );
  for (const [k, no] of POLICE.entries()) {
    await db.query(
      `insert into inspector (id, police_no, name, department_code, region_code, certificate_no, certificate_valid_from,
         certificate_valid_to, status, qualified_categories) values ($1, $2, $3, $4, '350322', 'C-1', '2025-01-01', '2028-12-31', 'ACTIVE', $5)`,
      [randomUUID(), no, `警员${k}`, k < 5 ? 'ZA' : 'XF', '{PAWN,SECURITY_SERVICE,FIRE_SAFETY_KEY}'],
    );
  }
  // 30 pawns entered long ago: 10 never visited (coverage-due), 20 seen recently; 40 security companies (QUOTA).
  for (let i = 0; i < 70; i++) {
    const category = i < 30 ? 'PAWN' : 'SECURITY_SERVICE';
    const id = randomUUID();
    await db.query(
      `insert into target (id, region_code, category, name, jurisdiction_code, source_system, source_id, created_at)
       values ($1, '350322', $2, $3, $4, 'TEST', $5, '2025-01-01')`,
      [id, category, `单位${i}`, stations[i % 2], `S${i}`],
    );
    if (i >= 10 && i < 30) {
      await db.query(
        `insert into target_visit (target_id, visited_on, inspection_id, team_police_nos) values ($1, '2026-11-15', $2, $3)`,
        [id, randomUUID(), ['100001', '100002']],
      );
    }
  }
});
afterAll(async () => {
  await db?.end();
  await tp?.stop();
});

const PLAN = `mutation($i: SamplingPlanInput!) { createSamplingPlan(input: $i) { id periodLabel strata { stratum size mustInclude quota } } }`;
const COMMIT = `mutation($p: ID!, $r: String) { commitDraw(planId: $p, reason: $r) { id status attempt commitment targetPoolHash inspectorPoolHash paramsHash seed } }`;
const DRAW = `mutation($d: ID!, $e: String) { runDraw(drawId: $d, entropy: $e) { id status } }`;
const LOCK = `mutation($d: ID!) { lockDraw(drawId: $d) { id status seed } }`;

async function plan(token: string, over: Record<string, unknown> = {}): Promise<string> {
  const r = await tp.gql<{ createSamplingPlan: { id: string } }>(
    PLAN,
    {
      i: {
        departmentCodes: ['ZA'],
        periodMonths: 1,
        plannedDate: '2026-12-07',
        teamSize: 2,
        workloadCap: 20,
        ...over,
      },
    },
    token,
  );
  expect(r.errors).toBeUndefined();
  return r.data!.createSamplingPlan.id;
}

describe('verifiable draw', () => {
  let lockedDrawId = '';

  it('plans strata: coverage-due units are must-include, quota strata get ⌈p% prorated⌉ with a minimum', async () => {
    const sup = await tp.token(Role.SUPERVISOR, 'ZA', 'sup-a');
    const r = await tp.gql<{
      createSamplingPlan: {
        periodLabel: string;
        strata: { stratum: string; size: number; mustInclude: number; quota: number }[];
      };
    }>(PLAN, { i: { departmentCodes: ['ZA'], periodMonths: 1, plannedDate: '2026-12-07' } }, sup);
    expect(r.errors).toBeUndefined();
    const s = r.data!.createSamplingPlan;
    expect(s.periodLabel).toBe('2026-M12');
    const pawn = s.strata.filter((x) => x.stratum.startsWith('PAWN|'));
    expect(pawn.reduce((n, x) => n + x.mustInclude, 0)).toBe(10);
    expect(pawn.reduce((n, x) => n + x.size, 0)).toBe(30);
    const sec = s.strata.filter((x) => x.stratum.startsWith('SECURITY_SERVICE|'));
    expect(sec).toEqual([
      { stratum: 'SECURITY_SERVICE|U|350322510000', size: 20, mustInclude: 0, quota: 1 },
      { stratum: 'SECURITY_SERVICE|U|350322520000', size: 20, mustInclude: 0, quota: 1 },
    ]);
  });

  it('commits before drawing, draws once per commitment, locks, and verifies MATCH; inspectors get only their own events', async () => {
    const sup = await tp.token(Role.SUPERVISOR, 'ZA', 'sup-a');
    const planId = await plan(sup);
    const c = await tp.gql<{
      commitDraw: { id: string; status: string; commitment: string; seed: string | null };
    }>(COMMIT, { p: planId }, sup);
    expect(c.errors).toBeUndefined();
    expect(c.data!.commitDraw).toMatchObject({ status: 'COMMITTED', seed: null });
    expect(c.data!.commitDraw.commitment).toMatch(/^[0-9a-f]{64}$/);
    const drawId = c.data!.commitDraw.id;
    const anonymous = await tp.gql(`query($d: ID!) { publishedDrawRecord(id: $d) }`, { d: drawId });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('DRAW_NOT_LOCKED');

    const d = await tp.gql<{ runDraw: { status: string } }>(
      DRAW,
      { d: drawId, e: '2026-12-01 体彩 03 17 22' },
      sup,
    );
    expect(d.errors).toBeUndefined();
    expect(d.data!.runDraw.status).toBe('DRAWN');
    const again = await tp.gql(DRAW, { d: drawId, e: 'another number' }, sup);
    expect(again.errors?.[0]?.extensions?.code).toBe('DRAW_STATE');

    const inspector = await tp.token(Role.INSPECTOR, 'ZA', '100003');
    const ws = createClient({
      url: tp.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${inspector}` },
      retryAttempts: 0,
    });
    const got: { entityId: string; payload: { team: string[] } }[] = [];
    ws.subscribe<{ inspectionAssigned: { entityId: string; payload: { team: string[] } } }>(
      { query: 'subscription { inspectionAssigned { entityId payload } }' },
      {
        next: (v) => got.push(v.data!.inspectionAssigned),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await new Promise((r) => setTimeout(r, 300));
    const l = await tp.gql<{ lockDraw: { status: string; seed: string } }>(LOCK, { d: drawId }, sup);
    expect(l.errors, JSON.stringify(l.errors)).toBeUndefined();
    expect(l.data!.lockDraw.status).toBe('LOCKED');
    expect(l.data!.lockDraw.seed).toMatch(/^[0-9a-f]{64}$/);
    await new Promise((r) => setTimeout(r, 800));
    await ws.dispose();

    const mine = await db.query(`select count(*)::int as n from draw_assignment where $1 = any(police_nos)`, [
      '100003',
    ]);
    const all = await db.query(
      `select count(*)::int as n, count(distinct target_id)::int as t from draw_assignment`,
    );
    expect(all.rows[0].t).toBe(12); // 10 due pawns + 1 per security stratum
    // The lock opened one DRAW inspection per assignment, with the drawn team and target.
    const opened = await db.query(
      `select a.id, a.police_nos, i.team_police_nos, i.source::text as source, i.state::text as state,
         i.target_id = a.target_id as same_target, i.planned_on::text = a.planned_date::text as same_day,
         cardinality(i.item_codes) as items
       from draw_assignment a left join inspection i on i.assignment_id = a.id`,
    );
    expect(opened.rows).toHaveLength(all.rows[0].n);
    for (const row of opened.rows) {
      expect(row.source).toBe('DRAW');
      expect(row.state).toBe('ASSIGNED');
      expect([...row.team_police_nos].sort()).toEqual([...row.police_nos].sort());
      expect(row.same_target && row.same_day).toBe(true);
      expect(row.items).toBeGreaterThan(0);
    }
    expect(got.length).toBe(mine.rows[0].n);
    expect(got.every((e) => e.payload.team.includes('100003'))).toBe(true);
    const listed = await tp.gql<{ drawAssignments: { nodes: { policeNos: string[] }[] } }>(
      `{ drawAssignments(first: 100) { nodes { policeNos } } }`,
      {},
      inspector,
    );
    expect(listed.data!.drawAssignments.nodes.length).toBe(mine.rows[0].n);
    expect(listed.data!.drawAssignments.nodes.every((a) => a.policeNos.includes('100003'))).toBe(true);

    const v = await tp.gql<{ verifyDraw: { match: boolean; firstDifference: string | null } }>(
      `query($d: ID!) { verifyDraw(id: $d) { match firstDifference } }`,
      { d: drawId },
      sup,
    );
    expect(v.data!.verifyDraw).toEqual({ match: true, firstDifference: null });
    lockedDrawId = drawId;

    const noRedraw = await tp.gql(COMMIT, { p: planId, r: '想重新抽一次' }, sup);
    expect(noRedraw.errors?.[0]?.extensions?.code).toBe('PLAN_STATE');
  });

  it('publishes the locked record anonymously, and the offline verifier prints MATCH', async () => {
    const r = await tp.gql<{ publishedDrawRecord: Record<string, unknown> }>(
      `query($d: ID!) { publishedDrawRecord(id: $d) }`,
      { d: lockedDrawId },
    );
    expect(r.errors).toBeUndefined();
    const record = r.data!.publishedDrawRecord;
    expect(JSON.stringify(record)).not.toContain('警员');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'draw-record-'));
    const file = path.join(dir, 'record.json');
    writeFileSync(file, JSON.stringify(record));
    try {
      const out = await run(
        'npm',
        ['run', '--silent', 'verify-draw', '--', file, `--commitment=${record.commitment as string}`],
        {
          cwd: process.cwd(),
        },
      );
      expect(out.stdout).toContain('MATCH');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a second attempt without a reason, records it with one, and names the first difference of a tampered result', async () => {
    const sup = await tp.token(Role.SUPERVISOR, 'ZA', 'sup-a');
    const planId = await plan(sup);
    const first = await tp.gql<{ commitDraw: { id: string } }>(COMMIT, { p: planId }, sup);
    await tp.gql(DRAW, { d: first.data!.commitDraw.id }, sup);
    const refused = await tp.gql(COMMIT, { p: planId }, sup);
    expect(refused.errors?.[0]?.extensions?.code).toBe('DRAW_REDRAW_NEEDS_REASON');
    const second = await tp.gql<{ commitDraw: { id: string; attempt: number } }>(
      COMMIT,
      { p: planId, r: '抽取时停电，记录不完整' },
      sup,
    );
    expect(second.errors).toBeUndefined();
    expect(second.data!.commitDraw.attempt).toBe(2);
    const attempts = await db.query(
      `select attempt, status, reason from sampling_draw where plan_id = (select plan_id from sampling_draw where reason = $1) order by attempt`,
      ['抽取时停电，记录不完整'],
    );
    expect(attempts.rows.map((x) => [x.attempt, x.status])).toEqual([
      [1, 'SUPERSEDED'],
      [2, 'COMMITTED'],
    ]);
    expect(attempts.rows[1].reason).toBe('抽取时停电，记录不完整');
    await tp.gql(DRAW, { d: second.data!.commitDraw.id }, sup);
    await db.query(
      `update sampling_draw set result = jsonb_set(result, '{assignment,teams,0,inspectorIds,0}', '"forged"') where attempt = 2 and status = 'DRAWN'`,
    );
    const v = await tp.gql<{ verifyDraw: { match: boolean; firstDifference: string } }>(
      `query($d: ID!) { verifyDraw(id: $d) { match firstDifference } }`,
      { d: second.data!.commitDraw.id },
      sup,
    );
    expect(v.data!.verifyDraw.match).toBe(false);
    expect(v.data!.verifyDraw.firstDifference).toContain('result.assignment.teams[0].inspectorIds[0]');
    expect(v.data!.verifyDraw.firstDifference).toContain('"forged"');
  });

  it('fails an infeasible assignment with DRAW_INFEASIBLE naming target and constraint, keeping the attempt', async () => {
    const sup = await tp.token(Role.SUPERVISOR, 'ZA', 'sup-a');
    const planId = await plan(sup, { workloadCap: 1 });
    const c = await tp.gql<{ commitDraw: { id: string } }>(COMMIT, { p: planId }, sup);
    const d = await tp.gql(DRAW, { d: c.data!.commitDraw.id }, sup);
    const err = d.errors?.[0];
    expect(err?.extensions?.code).toBe('DRAW_INFEASIBLE');
    expect(err?.extensions?.constraint).toBe('WORKLOAD');
    expect(err?.extensions?.targetId).toMatch(/^[0-9a-f-]{36}$/);
    const row = await db.query(`select status, failure from sampling_draw where failure is not null`);
    expect(row.rows).toHaveLength(1);
    expect(row.rows[0].status).toBe('FAILED');
    const teams = await db.query(
      `select count(*)::int as n from draw_assignment where cardinality(police_nos) < 2`,
    );
    expect(teams.rows[0].n).toBe(0);
    const tooSmall = await tp.gql(
      PLAN,
      { i: { departmentCodes: ['ZA'], periodMonths: 1, plannedDate: '2026-12-07', teamSize: 1 } },
      sup,
    );
    expect(tooSmall.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('changes a locked team only with a reason code and a second person holding SUPERVISOR', async () => {
    const supA = await tp.token(Role.SUPERVISOR, 'ZA', 'sup-a');
    const supB = await tp.token(Role.SUPERVISOR, 'ZA', 'sup-b');
    const admin = await tp.token(Role.ADMIN);
    const a = await db.query(
      `select id, police_nos from draw_assignment where draw_id = (select id from sampling_draw where status = 'LOCKED') limit 1`,
    );
    const gid = Buffer.from(`DrawAssignment:${a.rows[0].id}`).toString('base64');
    const ids = await tp.gql<{ drawAssignments: { nodes: { id: string }[] } }>(
      `{ drawAssignments(first: 100) { nodes { id } } }`,
      {},
      admin,
    );
    const assignmentId = ids.data!.drawAssignments.nodes.map((n) => n.id).find((x) => x === gid) ?? gid;
    const remove = a.rows[0].police_nos[0] as string;
    const add = POLICE.slice(0, 5).find((p) => !a.rows[0].police_nos.includes(p))!;
    const REQ = `mutation($i: AssignmentChangeInput!) { requestAssignmentChange(input: $i) { id status } }`;
    const noReason = await tp.gql(
      REQ,
      { i: { assignmentId, removePoliceNo: remove, addPoliceNo: add, reasonCode: 'WHIM', note: '' } },
      supA,
    );
    expect(noReason.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const req = await tp.gql<{ requestAssignmentChange: { id: string; status: string } }>(
      REQ,
      {
        i: {
          assignmentId,
          removePoliceNo: remove,
          addPoliceNo: add,
          reasonCode: 'ILLNESS',
          note: '原检查人员住院',
        },
      },
      supA,
    );
    expect(req.errors).toBeUndefined();
    const DECIDE = `mutation($id: ID!) { decideAssignmentChange(id: $id, approve: true) { status approvedBy } }`;
    const self = await tp.gql(DECIDE, { id: req.data!.requestAssignmentChange.id }, supA);
    expect(self.errors?.[0]?.extensions?.code).toBe('CHANGE_SECOND_PERSON');
    const byAdmin = await tp.gql(DECIDE, { id: req.data!.requestAssignmentChange.id }, admin);
    expect(byAdmin.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const ok = await tp.gql<{ decideAssignmentChange: { status: string; approvedBy: string } }>(
      DECIDE,
      { id: req.data!.requestAssignmentChange.id },
      supB,
    );
    expect(ok.data!.decideAssignmentChange).toEqual({ status: 'APPLIED', approvedBy: 'sup-b' });
    const after = await db.query(`select police_nos, manually_changed from draw_assignment where id = $1`, [
      a.rows[0].id,
    ]);
    expect(after.rows[0].police_nos[0]).toBe(add);
    expect(after.rows[0].manually_changed).toBe(true);
    const audit = await db.query(
      `select count(*)::int as n from audit_event where action = 'assignmentChange.apply'`,
    );
    expect(audit.rows[0].n).toBe(1);
  });

  it('records a recusal request with a deadline of 2 working days (调休 counted)', async () => {
    const sup = await tp.token(Role.SUPERVISOR, 'ZA', 'sup-a');
    const a = await db.query(`select id, police_nos from draw_assignment limit 1`);
    const r = await tp.gql<{ fileRecusalRequest: { decideBy: string; status: string } }>(
      `mutation($i: RecusalRequestInput!) { fileRecusalRequest(input: $i) { decideBy status overdue } }`,
      {
        i: {
          assignmentId: Buffer.from(`DrawAssignment:${a.rows[0].id}`).toString('base64'),
          policeNo: a.rows[0].police_nos[1],
          requestedByParty: '某典当行负责人',
          reason: '检查人员系其亲属',
          receivedOn: '2026-09-30',
        },
      },
      sup,
    );
    expect(r.errors).toBeUndefined();
    // 2026-09-30 (Wed) + 2 working days skips the National Day holiday (10-01…10-07) and lands after it.
    expect(r.data!.fileRecusalRequest.decideBy > '2026-10-07').toBe(true);
  });
});

describe('plan preparation job', () => {
  it('creates one plan per department and slot even when two replicas tick together', async () => {
    const b = await startTestPlatform({ sameDatabaseAs: tp, demo: false });
    try {
      // The start-up catch-up already ran the latest past slot; tick a later one on both replicas.
      const slot = new Date('2026-12-25T02:00:00+08:00');
      const [x, y] = await Promise.all([
        tp.platform.services.scheduler.tick('sampling:prepare-plans', slot),
        b.platform.services.scheduler.tick('sampling:prepare-plans', slot),
      ]);
      expect([x, y].filter((o) => o !== null)).toHaveLength(1);
      await tp.platform.services.scheduler.trigger('sampling:prepare-plans');
      const plans = await db.query(
        `select lead_department_code, period_label, count(*)::int as n from sampling_plan where job_slot is not null group by 1, 2 order by 1, 2`,
      );
      // Whatever period the start-up catch-up prepared, every (department, period) has exactly one plan.
      expect(plans.rows.every((r) => r.n === 1)).toBe(true);
      expect(plans.rows).toContainEqual({ lead_department_code: 'ZA', period_label: '2027-M1', n: 1 });
    } finally {
      await b.stop();
    }
  });
});
