import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';

let tp: TestPlatform;
let db: pg.Client;
const ids: Record<string, string> = {};

async function target(key: string, category: string, grade: string | null, enteredOn: string, extra = '') {
  const id = randomUUID();
  ids[key] = id;
  await db.query(
    `insert into target (id, region_code, category, name, jurisdiction_code, grade, source_system, source_id, created_at ${extra ? ', hotel_blacklisted' : ''})
     values ($1, '350322', $2, $3, '350322510000', $4, 'TEST', $5, $6::date ${extra ? ', true' : ''})`,
    [id, category, `对象${key}`, grade, key, enteredOn],
  );
}

async function visit(key: string, on: string) {
  // No region_code: the trigger takes the target's, as the inspections module relies on.
  await db.query(`insert into target_visit (target_id, visited_on, inspection_id) values ($1, $2, $3)`, [
    ids[key],
    on,
    randomUUID(),
  ]);
}

beforeAll(async () => {
  tp = await startTestPlatform({ demo: false });
  db = new pg.Client({ connectionString: tp.platform.databaseUrl });
  await db.connect();
  await target('C1', 'ENTERTAINMENT', 'C', '2025-06-01');
  await visit('C1', '2026-01-31');
  await target('C2', 'ENTERTAINMENT', 'C', '2025-06-01');
  await visit('C2', '2026-01-10');
  await visit('C2', '2026-03-02');
  await target('U1', 'ENTERTAINMENT', null, '2026-01-10');
  await target('A1', 'ENTERTAINMENT', 'A', '2025-06-01');
  await visit('A1', '2025-12-15');
  await target('HB', 'HOTEL', null, '2025-06-01', 'blacklisted');
  await visit('HB', '2026-02-20');
  await target('P1', 'PAWN', null, '2025-06-01');
  await db.query(`update target set archived_at = now() where id = $1`, [ids.P1]);
});
afterAll(async () => {
  await db?.end();
  await tp?.stop();
});

const DUE = `query($f: CoverageFilterInput, $asOf: String) { coverageDue(filter: $f, asOf: $asOf, first: 50) {
  totalCount items { targetId name ruleCode lastVisitedOn dueOn overdue daysOverdue } } }`;

type Row = {
  name: string;
  ruleCode: string;
  lastVisitedOn: string | null;
  dueOn: string;
  overdue: boolean;
  daysOverdue: number;
};

describe('coverage calendar', () => {
  it('loads the default rules and the holiday calendar in a fresh database without the demo', async () => {
    const admin = await tp.token(Role.ADMIN);
    const r = await tp.gql<{
      samplingRules: { code: string }[];
      calendarDays: { day: string; kind: string }[];
    }>(`{ samplingRules(onDate: "2026-03-03") { code } calendarDays(year: 2026) { day kind } }`, {}, admin);
    expect(r.errors).toBeUndefined();
    expect(r.data!.samplingRules.map((x) => x.code)).toEqual(
      expect.arrayContaining(['ENT-GRADE-C', 'BASE-HOTEL']),
    );
    expect(r.data!.calendarDays).toContainEqual({ day: '2026-10-01', kind: 'HOLIDAY' });
  });

  it('computes due dates and days overdue across a month boundary, by the rule in force', async () => {
    const admin = await tp.token(Role.ADMIN);
    const r = await tp.gql<{ coverageDue: { totalCount: number; items: Row[] } }>(
      DUE,
      { asOf: '2026-03-03', f: { dueBy: '2026-03-31' } },
      admin,
    );
    expect(r.errors).toBeUndefined();
    const byName = Object.fromEntries(r.data!.coverageDue.items.map((x) => [x.name, x]));
    // Monthly C venue last seen 2026-01-31: due 2026-02-28 (month end clamps), 3 days overdue on 03-03.
    expect(byName['对象C1']).toMatchObject({
      ruleCode: 'ENT-GRADE-C',
      lastVisitedOn: '2026-01-31',
      dueOn: '2026-02-28',
      overdue: true,
      daysOverdue: 3,
    });
    // Ungraded counts as C; never visited: due a month after entering the roster.
    expect(byName['对象U1']).toMatchObject({ ruleCode: 'ENT-GRADE-C', dueOn: '2026-02-10', daysOverdue: 21 });
    expect(byName['对象A1']).toMatchObject({
      ruleCode: 'ENT-GRADE-A',
      dueOn: '2026-03-15',
      overdue: false,
      daysOverdue: 0,
    });
    expect(byName['对象HB']).toMatchObject({ ruleCode: 'HOTEL-BLACKLISTED', dueOn: '2026-03-20' });
    expect(byName['对象C2']).toBeUndefined(); // visited 03-02, due 04-02
    expect(byName['对象P1']).toBeUndefined(); // archived
    expect(r.data!.coverageDue.totalCount).toBe(4);
    expect(r.data!.coverageDue.items.map((x) => x.name)).toEqual(['对象U1', '对象C1', '对象A1', '对象HB']);

    const overdue = await tp.gql<{ coverageDue: { totalCount: number; items: Row[] } }>(
      DUE,
      { asOf: '2026-03-03', f: { overdueOnly: true, category: 'ENTERTAINMENT' } },
      admin,
    );
    expect(overdue.data!.coverageDue.items.map((x) => x.name)).toEqual(['对象U1', '对象C1']);
  });

  it('reports required versus done per rule and period', async () => {
    const admin = await tp.token(Role.ADMIN);
    const r = await tp.gql<{
      ruleCoverage: {
        ruleCode: string;
        periodLabel: string;
        roster: number;
        required: number;
        done: number;
      }[];
    }>(`{ ruleCoverage(asOf: "2026-03-03") { ruleCode periodLabel roster required done } }`, {}, admin);
    if (r.errors) console.error(tp.logs.filter((l) => l.includes('"level":50')).join('\n'));
    expect(r.errors).toBeUndefined();
    const by = Object.fromEntries(r.data!.ruleCoverage.map((x) => [x.ruleCode, x]));
    expect(by['ENT-GRADE-C']).toEqual({
      ruleCode: 'ENT-GRADE-C',
      periodLabel: '2026-M3',
      roster: 3,
      required: 3,
      done: 1,
    });
    expect(by['ENT-GRADE-A']).toMatchObject({ periodLabel: '2026-Q1', roster: 1, done: 0 });
    // Half-year 5% baseline over 4 venues: ⌈0.2⌉ = 1 required; C2 and C1 were seen in H1.
    expect(by['BASE-ENTERTAINMENT']).toMatchObject({
      periodLabel: '2026-H1',
      roster: 4,
      required: 1,
      done: 2,
    });
  });

  it('keeps rules versioned and audited when an administrator edits one', async () => {
    const admin = await tp.token(Role.ADMIN);
    const body = {
      code: 'ENT-GRADE-A',
      category: 'ENTERTAINMENT',
      condition: { grade: 'A' },
      mode: 'COVERAGE',
      intervalMonths: 2,
      priority: 20,
      description: '试行：A级每2个月',
      seedClause: '二(二)1',
    };
    const save = await tp.gql(
      `mutation($i: SamplingRuleInput!) { saveSamplingRule(input: $i) { code version effectiveFrom } }`,
      { i: { code: 'ENT-GRADE-A', kind: 'FREQUENCY', body, effectiveFrom: '2026-03-01', note: '试点加密' } },
      admin,
    );
    expect(save.errors).toBeUndefined();
    expect(save.data).toEqual({
      saveSamplingRule: { code: 'ENT-GRADE-A', version: 2, effectiveFrom: '2026-03-01' },
    });
    const r = await tp.gql<{ coverageDue: { items: Row[] } }>(
      DUE,
      { asOf: '2026-03-03', f: { dueBy: '2026-03-31' } },
      admin,
    );
    // Under the new version A1 (last seen 2025-12-15) was due 2026-02-15.
    expect(r.data!.coverageDue.items.find((x) => x.name === '对象A1')).toMatchObject({
      dueOn: '2026-02-15',
      daysOverdue: 16,
    });
    const bad = await tp.gql(
      `mutation($i: SamplingRuleInput!) { saveSamplingRule(input: $i) { code } }`,
      {
        i: {
          code: 'ENT-GRADE-A',
          kind: 'FREQUENCY',
          body: { ...body, intervalMonths: 0 },
          effectiveFrom: '2026-04-01',
          note: '错误数值测试',
        },
      },
      admin,
    );
    expect(bad.errors?.[0]?.message).toContain('intervalMonths');
    const audit = await db.query(
      `select count(*)::int as n from audit_event where action = 'samplingRule.save'`,
    );
    expect(audit.rows[0].n).toBe(1);
    const analyst = await tp.token(Role.ANALYST);
    const refused = await tp.gql(
      `mutation($i: SamplingRuleInput!) { saveSamplingRule(input: $i) { code } }`,
      {
        i: {
          code: 'ENT-GRADE-A',
          kind: 'FREQUENCY',
          body,
          effectiveFrom: '2026-05-01',
          note: '无权修改测试',
        },
      },
      analyst,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
