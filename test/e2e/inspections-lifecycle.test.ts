import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { EntityManager } from '@mikro-orm/postgresql';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';
import { toGlobalId } from '../../src/graphql/node.js';
import { computeUsccCheckChar } from '../../src/modules/identity/identifiers.js';

let tp: TestPlatform;
let db: pg.Client;
let admin: string;
let sup: string;
let insp1: string;
let insp2: string;
let outsider: string;
let supOnTeam: string;
let inspectorIds: string[];
let hotelId: string;

const ID_NO = '350322198811093310';
const PHONE = '13800000000';
const USCC = `91350322731234567${computeUsccCheckChar('91350322731234567')}`;

const FIELDS = `id state source appealCode plannedOn keyPoints { code } measures { kind status dueOn followUpInspectionId } evidence { sm3 url }`;

async function ok<T = Record<string, unknown>>(
  q: string,
  v: Record<string, unknown>,
  token?: string,
): Promise<T> {
  const r = await tp.gql<T>(q, v, token);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data as T;
}
async function code(q: string, v: Record<string, unknown>, token?: string): Promise<string | undefined> {
  const r = await tp.gql(q, v, token);
  return r.errors?.[0]?.extensions?.code as string | undefined;
}

const CREATE = `mutation($input: AdHocInspectionInput!) { createAdHocInspection(input: $input) { ${FIELDS} } }`;
const START = `mutation($id: ID!) { startInspection(id: $id) { state } }`;
const RECORD = `mutation($id: ID!, $input: RecordResultInput!) { recordInspectionResult(id: $id, input: $input) { state } }`;
const SUBMIT = `mutation($id: ID!) { submitInspection(id: $id) { state submittedBy } }`;
const RETURN = `mutation($id: ID!, $reason: String!) { returnInspection(id: $id, reason: $reason) { state returnReason } }`;
const APPROVE = `mutation($id: ID!) { approveInspection(id: $id) { ${FIELDS} } }`;
const GET = `query($id: ID!) { inspection(id: $id) { ${FIELDS} } }`;
const PUBLIC_LIST = `query($f: PublishedResultFilter) { publishedResults(first: 50, filter: $f) { totalCount nodes { id title targetName body mode outcome } } }`;

type Insp = {
  id: string;
  state: string;
  appealCode: string;
  keyPoints: { code: string }[];
  measures: { kind: string; status: string; dueOn: string | null; followUpInspectionId: string | null }[];
};

async function newInspection(plannedOn: string, token = insp1): Promise<Insp> {
  const d = await ok<{ createAdHocInspection: Insp }>(
    CREATE,
    {
      input: {
        targetId: hotelId,
        inspectorIds: inspectorIds.slice(0, 2),
        itemCodes: ['ZA-HOTEL'],
        plannedOn,
        departmentCode: 'ZA',
      },
    },
    token,
  );
  return d.createAdHocInspection;
}

function result(i: Insp, over: Record<string, unknown> = {}) {
  return {
    inspectedOn: '2026-11-27',
    outcome: 'VIOLATION_FOUND',
    checklist: i.keyPoints.map((k) => ({ pointCode: k.code, answer: 'CONFORM' })),
    findings: [
      {
        code: 'F-01',
        severity: 'GENERAL',
        legalClause: '《旅馆业治安管理办法》第六条',
        text: `负责人张三（身份证${ID_NO}，电话${PHONE}）未按规定登记旅客身份，现场联系人李四在场`,
      },
    ],
    summary: '经营者张三当场表示整改，联系电话0594-7654321',
    penalty: 'WARNING',
    rectificationWorkingDays: 5,
    contactName: '李四',
    ...over,
  };
}

async function approved(plannedOn: string, over: Record<string, unknown> = {}): Promise<Insp> {
  const i = await newInspection(plannedOn);
  await ok(START, { id: i.id }, insp1);
  await ok(RECORD, { id: i.id, input: result(i, over) }, insp1);
  await ok(SUBMIT, { id: i.id }, insp1);
  return (await ok<{ approveInspection: Insp }>(APPROVE, { id: i.id }, sup)).approveInspection;
}

beforeAll(async () => {
  tp = await startTestPlatform({ demoScale: 60 });
  db = new pg.Client({ connectionString: tp.platform.databaseUrl });
  await db.connect();
  admin = await tp.token(Role.ADMIN);
  const ins = await db.query<{ id: string; police_no: string }>(
    `select id, police_no from inspector where status = 'ACTIVE' and archived_at is null
      and certificate_valid_from <= '2026-09-01' and certificate_valid_to >= '2026-12-31' order by police_no limit 3`,
  );
  expect(ins.rows.length).toBe(3);
  inspectorIds = ins.rows.map((r) => toGlobalId('Inspector', r.id));
  insp1 = await tp.token(Role.INSPECTOR, 'ZA', ins.rows[0]!.police_no);
  insp2 = await tp.token(Role.INSPECTOR, 'ZA', ins.rows[1]!.police_no);
  outsider = await tp.token(Role.INSPECTOR, 'ZA', ins.rows[2]!.police_no);
  supOnTeam = await tp.token(Role.SUPERVISOR, 'ZA', ins.rows[0]!.police_no);
  sup = await tp.token(Role.SUPERVISOR, 'ZA', 'sup-za-01');
  const t = await ok<{ createTarget: { id: string } }>(
    `mutation($u: String!) { createTarget(input: { category: HOTEL, name: "鲤城张三宾馆", jurisdictionCode: "350322510000", uscc: $u }) { id } }`,
    { u: USCC },
    admin,
  );
  hotelId = t.createTarget.id;
  await ok(
    `mutation($t: ID!, $p: PersonInput!) { linkPerson(targetId: $t, person: $p) { __typename } }`,
    {
      t: hotelId,
      p: { role: 'LEGAL_REP', name: '张三', idType: '111', idNumber: ID_NO, phone: PHONE },
    },
    admin,
  );
});
afterAll(async () => {
  await db?.end();
  await tp?.stop();
});

describe('inspection lifecycle and two-person review', () => {
  let insp: Insp;
  it('creates an ad-hoc inspection for a team of two with the item key points', async () => {
    insp = await newInspection('2026-11-27');
    expect(insp.state).toBe('ASSIGNED');
    expect(insp.keyPoints.length).toBeGreaterThan(0);
    expect(
      await code(
        CREATE,
        {
          input: {
            targetId: hotelId,
            inspectorIds: inspectorIds.slice(0, 1),
            itemCodes: ['ZA-HOTEL'],
            plannedOn: '2026-11-27',
            departmentCode: 'ZA',
          },
        },
        insp1,
      ),
    ).toBe('BAD_USER_INPUT');
  });

  it('lets only team members start, record and submit', async () => {
    expect(await code(START, { id: insp.id }, outsider)).toBe('INSPECTION_NOT_ON_TEAM');
    expect(await code(START, { id: insp.id }, sup)).toBe('INSPECTION_NOT_ON_TEAM');
    expect(await code(START, { id: insp.id })).toBe('UNAUTHENTICATED');
    expect(
      (await ok<{ startInspection: { state: string } }>(START, { id: insp.id }, insp1)).startInspection.state,
    ).toBe('IN_PROGRESS');
    expect(await code(START, { id: insp.id }, insp1)).toBe('INSPECTION_BAD_STATE');
    expect(await code(APPROVE, { id: insp.id }, sup)).toBe('INSPECTION_BAD_STATE');
    expect(await code(SUBMIT, { id: insp.id }, insp1)).toBe('INSPECTION_INCOMPLETE');
    await ok(RECORD, { id: insp.id, input: result(insp) }, insp2);
    expect(await code(RECORD, { id: insp.id, input: result(insp) }, outsider)).toBe('INSPECTION_NOT_ON_TEAM');
    expect(
      (await ok<{ submitInspection: { state: string } }>(SUBMIT, { id: insp.id }, insp1)).submitInspection
        .state,
    ).toBe('SUBMITTED');
  });

  it('refuses review by inspectors, by a supervisor on the team, and returns with a reason', async () => {
    expect(await code(APPROVE, { id: insp.id }, insp2)).toBe('FORBIDDEN');
    expect(await code(APPROVE, { id: insp.id }, supOnTeam)).toBe('INSPECTION_SELF_REVIEW');
    expect(await code(APPROVE, { id: insp.id }, await tp.token(Role.SUPERVISOR, 'WA', 'sup-wa'))).toBe(
      'FORBIDDEN',
    );
    expect(await code(RETURN, { id: insp.id, reason: '' }, sup)).toBe('BAD_USER_INPUT');
    const r = await ok<{ returnInspection: { state: string; returnReason: string } }>(
      RETURN,
      { id: insp.id, reason: '检查要点记录不全' },
      sup,
    );
    expect(r.returnInspection).toEqual({ state: 'RETURNED', returnReason: '检查要点记录不全' });
    await ok(SUBMIT, { id: insp.id }, insp2);
  });

  it('approves: rectification deadline in working days, follow-up inspection, target visit, pending publication', async () => {
    const a = (await ok<{ approveInspection: Insp }>(APPROVE, { id: insp.id }, sup)).approveInspection;
    expect(a.state).toBe('APPROVED');
    const rect = a.measures.find((m) => m.kind === 'RECTIFICATION')!;
    expect(rect).toMatchObject({ status: 'OPEN', dueOn: '2026-12-04' });
    const fu = await db.query(`select source, planned_on::text as p, state from inspection where id = $1`, [
      rect.followUpInspectionId,
    ]);
    expect(fu.rows[0]).toEqual({ source: 'FOLLOW_UP', p: '2026-12-04', state: 'ASSIGNED' });
    const rawId = Buffer.from(insp.id, 'base64url').toString().split(':')[1];
    const visit = await db.query(
      `select visited_on::text as d, team_police_nos from target_visit where inspection_id = $1`,
      [rawId],
    );
    expect(visit.rows[0].d).toBe('2026-11-27');
    expect(visit.rows[0].team_police_nos).toHaveLength(2);
    const audit = await db.query(`select action from audit_event where entity_id = $1 order by id`, [rawId]);
    expect(audit.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'inspection.create',
        'inspection.start',
        'inspection.submit',
        'inspection.return',
        'inspection.approve',
      ]),
    );
    const ev = await db.query(
      `select count(*)::int as n from event_log where topic = 'inspectionChanged' and entity_id = $1`,
      [rawId],
    );
    expect(ev.rows[0].n).toBeGreaterThanOrEqual(5);
    // When the exchange hub is installed, the result left through its outbox in the same transaction.
    const hub = await db.query(`select to_regclass('exchange_message') is not null as present`);
    if (hub.rows[0].present) {
      const out = await db.query(
        `select count(*)::int as n from exchange_message where source_id = $1 and event_type = 'INSPECTION_RESULT'`,
        [rawId],
      );
      expect(out.rows[0].n).toBeGreaterThanOrEqual(1);
    }
  });

  it('publishes only after internal approval, redacted, and anonymous callers see only published rows', async () => {
    const before = await ok<{ publishedResults: { totalCount: number } }>(PUBLIC_LIST, {
      f: { search: '宾馆' },
    });
    expect(before.publishedResults.totalCount).toBe(0);
    const pending = await ok<{
      publications: { nodes: { id: string; status: string; dueOn: string; mode: string }[] };
    }>(`{ publications(first: 10, statuses: [PENDING]) { nodes { id status dueOn mode } } }`, {}, sup);
    const p = pending.publications.nodes[0]!;
    expect(p.mode).toBe('FULL');
    expect(p.dueOn > '2026-12-20').toBe(true);
    expect(await code(`mutation($id: ID!) { publishResult(id: $id) { status } }`, { id: p.id }, insp1)).toBe(
      'FORBIDDEN',
    );
    await ok(`mutation($id: ID!) { publishResult(id: $id) { status } }`, { id: p.id }, sup);
    const after = await ok<{
      publishedResults: { totalCount: number; nodes: { title: string; targetName: string; body: string }[] };
    }>(PUBLIC_LIST, { f: { categories: ['HOTEL'] } });
    expect(after.publishedResults.totalCount).toBe(1);
    const text = JSON.stringify(after.publishedResults.nodes);
    for (const secret of [ID_NO, PHONE, '7654321', '张三', '李四']) expect(text).not.toContain(secret);
    expect(text).toContain('未按规定登记旅客身份');
    expect(text).not.toContain('警告');
    expect(await code(`{ publications(first: 5) { totalCount } }`, {})).toBe('UNAUTHENTICATED');
    expect(await code(`query($id: ID!) { inspection(id: $id) { state } }`, { id: insp.id })).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('runs appeals end to end with the appeal code; an upheld appeal withdraws the publication', async () => {
    const staff = await ok<{ inspection: Insp }>(GET, { id: insp.id }, sup);
    const appealCode = staff.inspection.appealCode;
    expect(
      await code(
        `mutation { fileAppeal(appealCode: "ZZZZZZZZZZZZ", text: "结果有误，请复核") { status } }`,
        {},
      ),
    ).toBe('APPEAL_CODE_UNKNOWN');
    const filed = await ok<{ fileAppeal: { id: string; status: string; dueOn: string; ticket: string } }>(
      `mutation($c: String!) { fileAppeal(appealCode: $c, text: "我店已于当日完成整改，公示内容与事实不符", contact: "前台") { id status dueOn ticket } }`,
      { c: appealCode },
    );
    expect(filed.fileAppeal.status).toBe('FILED');
    const status = `query($c: String!) { appealStatus(appealCode: $c) { status decision remedy } }`;
    expect(
      (await ok<{ appealStatus: { status: string }[] }>(status, { c: appealCode })).appealStatus[0]!.status,
    ).toBe('FILED');
    const decide = `mutation($id: ID!) { decideAppeal(id: $id, upheld: true, decision: "经复核，申诉成立", remedy: WITHDRAW) { status } }`;
    expect(await code(decide, { id: filed.fileAppeal.id }, insp1)).toBe('FORBIDDEN');
    await ok(decide, { id: filed.fileAppeal.id }, sup);
    expect(
      (
        await ok<{ appealStatus: { status: string; decision: string; remedy: string }[] }>(status, {
          c: appealCode,
        })
      ).appealStatus[0],
    ).toEqual({ status: 'UPHELD', decision: '经复核，申诉成立', remedy: 'WITHDRAW' });
    const pub = await ok<{ publishedResults: { totalCount: number } }>(PUBLIC_LIST, {
      f: { categories: ['HOTEL'] },
    });
    expect(pub.publishedResults.totalCount).toBe(0);
  });
});

describe('clocks across holidays', () => {
  it('turns an overdue rectification (deadline across 中秋) into a suspension proposal and lists it', async () => {
    const a = await approved('2026-09-24', { inspectedOn: '2026-09-24', rectificationWorkingDays: 3 });
    expect(a.measures.find((m) => m.kind === 'RECTIFICATION')!.dueOn).toBe('2026-09-30');
    const em = tp.platform.orm.em.fork() as EntityManager;
    const run = await tp.platform.services.inspections.runClocks(em);
    expect(run.proposals).toBeGreaterThanOrEqual(1);
    expect(
      (await tp.platform.services.inspections.runClocks(tp.platform.orm.em.fork() as EntityManager))
        .proposals,
    ).toBe(0);
    const after = (await ok<{ inspection: Insp }>(GET, { id: a.id }, sup)).inspection;
    expect(after.measures.map((m) => [m.kind, m.status])).toEqual(
      expect.arrayContaining([
        ['RECTIFICATION', 'OVERDUE'],
        ['SUSPENSION_PROPOSAL', 'OPEN'],
      ]),
    );
    const dl = await ok<{ deadlines: { kind: string; status: string; dueOn: string }[] }>(
      `{ deadlines(departmentCode: "ZA", soonDays: 10) { kind status dueOn } }`,
      {},
      sup,
    );
    expect(dl.deadlines).toEqual(
      expect.arrayContaining([{ kind: 'RECTIFICATION', status: 'OVERDUE', dueOn: '2026-09-30' }]),
    );
  });

  it('flags a suspected crime', async () => {
    const a = await approved('2026-11-26', {
      inspectedOn: '2026-11-26',
      rectificationWorkingDays: null,
      suspectedCrime: '涉嫌伪造身份证件',
    });
    expect(a.measures.map((m) => m.kind)).toContain('CRIMINAL_CASE');
  });
});

describe('hotel blacklist with prior notice and objection period', () => {
  const PROPOSE = `mutation($t: ID!) { proposeBlacklist(targetId: $t, departmentCode: "ZA", reasons: "多次未登记旅客身份", basis: "《旅馆业治安管理办法》") { id status } }`;
  const NOTICE = `mutation($id: ID!, $d: String!) { serveBlacklistNotice(id: $id, servedOn: $d) { status objectionDueOn } }`;
  const DECIDE = `mutation($id: ID!) { decideBlacklist(id: $id, add: true) { status validFrom validTo } }`;
  const flag = async () =>
    (
      await db.query(`select hotel_blacklisted from target where id = $1`, [
        Buffer.from(hotelId, 'base64url').toString().split(':')[1],
      ])
    ).rows[0].hotel_blacklisted;

  it('cannot take effect before notice nor while the objection period runs', async () => {
    const b = (await ok<{ proposeBlacklist: { id: string } }>(PROPOSE, { t: hotelId }, sup)).proposeBlacklist;
    expect(await code(DECIDE, { id: b.id }, sup)).toBe('BLACKLIST_BAD_STATE');
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const n = await ok<{ serveBlacklistNotice: { objectionDueOn: string } }>(
      NOTICE,
      { id: b.id, d: today },
      sup,
    );
    expect(n.serveBlacklistNotice.objectionDueOn > today).toBe(true);
    expect(await code(DECIDE, { id: b.id }, sup)).toBe('BLACKLIST_OBJECTION_PERIOD_OPEN');
    expect(await flag()).toBe(false);
  });

  it('takes effect after the period (10 working days), sets the hotel flag, and is removed on repair', async () => {
    const b = (await ok<{ proposeBlacklist: { id: string } }>(PROPOSE, { t: hotelId }, sup)).proposeBlacklist;
    const n = await ok<{ serveBlacklistNotice: { objectionDueOn: string } }>(
      NOTICE,
      { id: b.id, d: '2026-11-02' },
      sup,
    );
    expect(n.serveBlacklistNotice.objectionDueOn).toBe('2026-11-16');
    expect(await code(DECIDE, { id: b.id }, insp1)).toBe('FORBIDDEN');
    const d = await ok<{ decideBlacklist: { status: string; validTo: string } }>(DECIDE, { id: b.id }, sup);
    expect(d.decideBlacklist.status).toBe('EFFECTIVE');
    expect(await flag()).toBe(true);
    await ok(
      `mutation($id: ID!) { removeBlacklistEntry(id: $id, reason: "REPAIR", note: "已完成信用修复") { status } }`,
      { id: b.id },
      sup,
    );
    expect(await flag()).toBe(false);
  });
});
