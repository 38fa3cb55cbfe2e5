import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';

let tp: TestPlatform;
let db: pg.Client;
let analyst: string;

const Q = `query($p: String!, $d: String) { scorecards(period: $p, departmentCode: $d) {
  departmentCode departmentKind asOf coverageAsOf period { kind start end }
  coverage { met total percent } inspectionsPlanned inspectionsOverdue rectificationsOverdue
  inspectionTimeliness { met total pending percent } reviewTimeliness { met total pending percent }
  publicationTimeliness { met total pending percent } referralApproval { met total pending percent }
  referralTransfer { met total pending percent } belowThreshold reasons } }`;

type Card = {
  departmentCode: string;
  departmentKind: string;
  asOf: string;
  coverageAsOf: string;
  period: { kind: string; start: string; end: string };
  coverage: { met: number; total: number; percent: string | null };
  inspectionsPlanned: number;
  inspectionsOverdue: number;
  rectificationsOverdue: number;
  inspectionTimeliness: Rate;
  reviewTimeliness: Rate;
  publicationTimeliness: Rate;
  referralApproval: Rate;
  referralTransfer: Rate;
  belowThreshold: boolean;
  reasons: string[];
};
type Rate = { met: number; total: number; pending: number; percent: string | null };

async function cards(period: string, dept: string | undefined, token: string) {
  return tp.gql<{ scorecards: Card[] }>(Q, { p: period, d: dept }, token);
}

let seq = 0;
/** A hand-made XF inspection; times are Shanghai wall-clock. */
async function inspection(o: {
  planned: string;
  state: string;
  submitted?: string;
  approvedOn?: string;
}): Promise<string> {
  seq++;
  const r = await db.query<{ id: string }>(
    `insert into inspection (id, region_code, source, target_id, target_name, category, department_code, jurisdiction_code,
       item_codes, implementation_codes, planned_on, team, team_police_nos, state, submitted_at, approved_on, appeal_code)
     select gen_random_uuid(), '350322', 'AD_HOC', t.id, t.name, t.category, 'XF', t.jurisdiction_code, '{XF-1}', '{X}', $1,
       '[]', '{}', $2, ($3::timestamp at time zone 'Asia/Shanghai'), $4, $5
     from target t order by t.id limit 1 returning id`,
    [o.planned, o.state, o.submitted ?? null, o.approvedOn ?? null, `SCORE${String(seq).padStart(7, '0')}`],
  );
  return r.rows[0]!.id;
}

beforeAll(async () => {
  // Today is fixed at 2026-11-28 for the late/pending split.
  tp = await startTestPlatform({ demoScale: 60 });
  db = new pg.Client({ connectionString: tp.platform.databaseUrl });
  await db.connect();
  analyst = await tp.token(Role.ANALYST, 'XN', 'analyst-xn');
  // Review (5 working days): October 2026 has the 国庆 holiday 10-01…10-07 and the make-up Saturday 10-10.
  const a = await inspection({
    planned: '2026-10-09',
    state: 'APPROVED',
    submitted: '2026-10-09 10:00',
    approvedOn: '2026-10-15',
  });
  // Late only because the make-up Saturday counts: due 10-15, approved 10-16.
  const b = await inspection({
    planned: '2026-10-09',
    state: 'APPROVED',
    submitted: '2026-10-09 11:00',
    approvedOn: '2026-10-16',
  });
  // Submitted at 00:30 Shanghai on 10-01 (still 09-30 in UTC): due 10-13 after the holiday.
  const c = await inspection({
    planned: '2026-10-01',
    state: 'APPROVED',
    submitted: '2026-10-01 00:30',
    approvedOn: '2026-10-13',
  });
  // Still waiting for review, due 10-27: late.
  await inspection({ planned: '2026-10-19', state: 'SUBMITTED', submitted: '2026-10-20 09:00' });
  // Never carried out: overdue.
  await inspection({ planned: '2026-10-15', state: 'ASSIGNED' });
  const pub = (insp: string, due: string, published: string | null, status: string) =>
    db.query(
      `insert into publication (id, region_code, inspection_id, target_id, category, department_code, jurisdiction_code, mode,
         status, title, target_name, item_names, inspected_on, outcome, body, due_on, published_on)
       select gen_random_uuid(), '350322', i.id, i.target_id, i.category, 'XF', i.jurisdiction_code, 'PORTAL', $4, 't', i.target_name,
         '{}', i.planned_on, 'NO_VIOLATION', 'b', $2, $3 from inspection i where i.id = $1`,
      [insp, due, published, status],
    );
  await pub(a, '2026-11-12', '2026-11-10', 'PUBLISHED');
  await pub(b, '2026-11-13', '2026-11-20', 'PUBLISHED');
  await pub(c, '2026-11-10', null, 'PENDING');
  await db.query(
    `insert into inspection_measure (id, region_code, inspection_id, target_id, department_code, kind, status, ordered_on, working_days, due_on, note)
     select gen_random_uuid(), '350322', i.id, i.target_id, 'XF', 'RECTIFICATION', 'OVERDUE', '2026-10-13', 5, '2026-10-20', 'n'
       from inspection i where i.id = $1`,
    [c],
  );
  const ref = (
    no: string,
    dueOn: string,
    decided: string | null,
    status: string,
    transferDue: string | null,
    transferred: string | null,
  ) =>
    db.query(
      `insert into referral (id, region_code, referral_no, target_id, department_code, to_partner, to_department, suspected_violation,
         facts, legal_basis, checklist, status, proposed_by, proposed_on, approval_due_on, decided_on, transfer_due_at, transferred_at)
       select gen_random_uuid(), '350322', $1, t.id, 'XF', 'COMMERCE', '市场监管局', 'v', 'f', '{}', '[]', $2, 'u', '2026-10-09', $3, $4, $5, $6
         from target t order by t.id limit 1`,
      [no, status, dueOn, decided, transferDue, transferred],
    );
  await ref(
    'SC-1',
    '2026-10-13',
    '2026-10-13',
    'TRANSFERRED',
    '2026-10-14T02:00:00Z',
    '2026-10-13T09:00:00Z',
  );
  await ref('SC-2', '2026-10-13', '2026-10-15', 'APPROVED', '2026-10-16T02:00:00Z', null);
});
afterAll(async () => {
  await db?.end();
  await tp?.stop();
});

describe('scorecards (督促)', () => {
  it('counts review, publication, referral timeliness and overdue work in working days', async () => {
    const r = await cards('2026-10', 'XF', analyst);
    expect(r.errors).toBeUndefined();
    const [xf] = r.data!.scorecards;
    expect(xf).toMatchObject({
      departmentCode: 'XF',
      period: { kind: 'MONTH', start: '2026-10-01', end: '2026-10-31' },
      coverageAsOf: '2026-10-31',
      inspectionsPlanned: 5,
      inspectionsOverdue: 1,
      rectificationsOverdue: 1,
      inspectionTimeliness: { met: 4, total: 5, pending: 0, percent: '80.0' },
      reviewTimeliness: { met: 2, total: 4, pending: 0, percent: '50.0' },
      publicationTimeliness: { met: 1, total: 3, pending: 0, percent: '33.3' },
      referralApproval: { met: 1, total: 2, pending: 0, percent: '50.0' },
      referralTransfer: { met: 1, total: 2, pending: 0, percent: '50.0' },
      belowThreshold: true,
    });
    expect(xf!.reasons).toEqual(
      expect.arrayContaining([
        'INSPECTIONS',
        'REVIEW',
        'PUBLICATION',
        'REFERRAL_APPROVAL',
        'REFERRAL_TRANSFER',
      ]),
    );
    expect(xf!.coverage.met).toBeLessThanOrEqual(xf!.coverage.total);
  });

  it('aggregates a quarter and leaves departments without due items unflagged on those rates', async () => {
    const r = await cards('2026-Q4', undefined, analyst);
    expect(r.errors).toBeUndefined();
    const all = r.data!.scorecards;
    expect(all.find((c) => c.departmentCode === 'XF')!.reviewTimeliness.total).toBe(4);
    const wa = all.find((c) => c.departmentCode === 'WA')!;
    expect(wa.reviewTimeliness).toMatchObject({ total: 0, percent: null });
    expect(wa.reasons).not.toContain('REVIEW');
    // Offices that supervise nothing have no scorecard.
    expect(all.map((c) => c.departmentCode)).not.toContain('XN');
    expect(all.some((c) => c.departmentKind === 'STATION')).toBe(true);
  });

  it('scopes police stations to themselves and refuses other roles and bad periods', async () => {
    const st = await db.query<{ code: string }>(
      `select code from department where kind = 'STATION' order by code limit 1`,
    );
    const station = await tp.token(Role.SUPERVISOR, st.rows[0]!.code, 'sup-station');
    const own = await cards('2026-H2', undefined, station);
    expect(own.errors).toBeUndefined();
    expect(own.data!.scorecards.map((c) => c.departmentCode)).toEqual([st.rows[0]!.code]);
    expect((await cards('2026-H2', 'XF', station)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const inspector = await tp.token(Role.INSPECTOR, 'XF', '990001');
    expect((await cards('2026-10', 'XF', inspector)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await cards('2026-13', 'XF', analyst)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await cards('2019-Q1', 'XF', analyst)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
