import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';
import {
  AggregateSubject,
  registerAggregateSubject,
} from '../../src/modules/dashboard/aggregate-registry.js';

const LC = '350322510000';
const LN = '350322520000';
let tp: TestPlatform;
let db: pg.Client;
let admin: string;

/** A hand-made roster: [category, station, grade, key inspection, created, archived]. */
const ROSTER: [string, string, string | null, boolean, string, string | null][] = [
  ['HOTEL', LC, 'A', true, '2026-01-15T10:00:00+08:00', null],
  ['HOTEL', LC, 'B', false, '2026-02-10T10:00:00+08:00', null],
  ['ENTERTAINMENT', LC, 'A', true, '2026-02-20T10:00:00+08:00', null],
  ['HOTEL', LN, null, false, '2026-04-05T10:00:00+08:00', null],
  ['INTERNET_CAFE', LN, null, true, '2026-07-01T10:00:00+08:00', '2026-08-01T10:00:00+08:00'],
  ['HOTEL', LN, 'C', false, '2026-08-15T10:00:00+08:00', null],
];

async function insertTarget(i: number, r: (typeof ROSTER)[number]) {
  await db.query(
    `insert into target (id, region_code, category, name, jurisdiction_code, grade, key_inspection, source_system, source_id, created_at, archived_at)
     values (gen_random_uuid(), '350322', $1, $2, $3, $4, $5, 'TEST', $6, $7, $8)`,
    [r[0], `对象${i}`, r[1], r[2], r[3], `t-${i}-${Date.now()}`, r[4], r[5]],
  );
}

beforeAll(async () => {
  tp = await startTestPlatform({ demo: false });
  db = new pg.Client({ connectionString: tp.platform.databaseUrl });
  await db.connect();
  await db.query('delete from target_person');
  await db.query('delete from target');
  for (const [i, r] of ROSTER.entries()) await insertTarget(i, r);
  admin = await tp.token(Role.ADMIN);
});
afterAll(async () => {
  await db?.end();
  await tp?.stop();
});

interface Agg {
  aggregate: {
    asOf: string;
    measures: string[];
    rows: { keys: (string | null)[]; values: string[] }[];
    truncated: boolean;
  };
}
const AGG = `query Agg($subject: AggregateSubject!, $groupBy: [AggregateDimension!], $bucket: TimeBucket, $measures: [MeasureInput!],
  $having: [HavingInput!], $orderBy: [AggregateOrderInput!], $filters: [AggregateFilterInput!], $asOf: DateTimeISO) {
  aggregate(subject: $subject, groupBy: $groupBy, bucket: $bucket, measures: $measures, having: $having, orderBy: $orderBy, filters: $filters, asOf: $asOf) {
    asOf measures truncated rows { keys values }
  }
}`;
const agg = (vars: Record<string, unknown>, token = admin) => tp.gql<Agg>(AGG, vars, token);

describe('aggregates', () => {
  it('counts by department × month, as of a past time (archived later still counts)', async () => {
    const sep = await agg({
      subject: 'TARGETS',
      groupBy: ['DEPARTMENT', 'PERIOD'],
      bucket: 'MONTH',
      asOf: '2026-09-01T00:00:00+08:00',
    });
    expect(sep.errors).toBeUndefined();
    expect(sep.data!.aggregate.rows).toEqual([
      { keys: ['PCS-LC', '2026-01-01'], values: ['1'] },
      { keys: ['PCS-LC', '2026-02-01'], values: ['2'] },
      { keys: ['PCS-LN', '2026-04-01'], values: ['1'] },
      { keys: ['PCS-LN', '2026-08-01'], values: ['1'] },
    ]);
    const jul = await agg({
      subject: 'TARGETS',
      groupBy: ['DEPARTMENT', 'PERIOD'],
      bucket: 'MONTH',
      asOf: '2026-07-15T00:00:00+08:00',
    });
    expect(jul.data!.aggregate.rows.filter((r) => r.keys[0] === 'PCS-LN')).toEqual([
      { keys: ['PCS-LN', '2026-04-01'], values: ['1'] },
      { keys: ['PCS-LN', '2026-07-01'], values: ['1'] },
    ]);
  });

  it('computes rates as decimal strings, filters groups with having and orders by a measure', async () => {
    const r = await agg({
      subject: 'TARGETS',
      groupBy: ['CATEGORY'],
      measures: [
        { fn: 'COUNT' },
        { fn: 'RATE', of: 'KEY_INSPECTION' },
        { fn: 'COUNT_IF', of: 'KEY_INSPECTION' },
      ],
      having: [{ measure: 0, op: 'GTE', value: '1' }],
      orderBy: [{ measure: 0, descending: true }],
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.aggregate.measures).toEqual(['COUNT', 'RATE(KEY_INSPECTION)', 'COUNT_IF(KEY_INSPECTION)']);
    expect(r.data!.aggregate.rows).toEqual([
      { keys: ['HOTEL'], values: ['4', '0.2500', '1'] },
      { keys: ['ENTERTAINMENT'], values: ['1', '1.0000', '1'] },
    ]);
    const h = await agg({
      subject: 'TARGETS',
      groupBy: ['CATEGORY'],
      having: [{ measure: 0, op: 'GT', value: '1' }],
    });
    expect(h.data!.aggregate.rows).toEqual([{ keys: ['HOTEL'], values: ['4'] }]);
  });

  it('buckets by quarter and half-year in Asia/Shanghai', async () => {
    const hy = await agg({ subject: 'TARGETS', groupBy: ['PERIOD'], bucket: 'HALF_YEAR' });
    expect(hy.data!.aggregate.rows).toEqual([
      { keys: ['2026-01-01'], values: ['4'] },
      { keys: ['2026-07-01'], values: ['1'] },
    ]);
    const q = await agg({ subject: 'TARGETS', groupBy: ['PERIOD', 'GRADE'], bucket: 'QUARTER' });
    expect(q.data!.aggregate.rows).toEqual([
      { keys: ['2026-01-01', 'A'], values: ['2'] },
      { keys: ['2026-01-01', 'B'], values: ['1'] },
      { keys: ['2026-04-01', null], values: ['1'] },
      { keys: ['2026-07-01', 'C'], values: ['1'] },
    ]);
  });

  it('applies row scope: a police station aggregates its own jurisdiction only', async () => {
    const lc = await tp.token(Role.SUPERVISOR, 'PCS-LC');
    const r = await agg({ subject: 'TARGETS', groupBy: ['JURISDICTION'] }, lc);
    expect(r.errors).toBeUndefined();
    expect(r.data!.aggregate.rows).toEqual([{ keys: [LC], values: ['3'] }]);
    const filtered = await agg(
      { subject: 'TARGETS', filters: [{ dimension: 'JURISDICTION', values: [LN] }] },
      lc,
    );
    expect(filtered.data!.aggregate.rows).toEqual([{ keys: [], values: ['0'] }]);
    const jobs = await agg({ subject: 'JOB_RUNS', groupBy: ['STATUS'] }, lc);
    expect(jobs.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const analyst = await tp.token(Role.ANALYST, 'ZA');
    const audit = await agg({ subject: 'AUDIT_EVENTS', groupBy: ['ACTION'] }, analyst);
    expect(audit.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anon = await agg({ subject: 'TARGETS' }, '');
    expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('binds caller values and names bad arguments', async () => {
    const inj = await agg({
      subject: 'TARGETS',
      filters: [{ dimension: 'CATEGORY', values: ["HOTEL') or true; drop table target; --"] }],
    });
    expect(inj.data!.aggregate.rows).toEqual([{ keys: [], values: ['0'] }]);
    const bad = await agg({
      subject: 'TARGETS',
      groupBy: ['JOB', 'PERIOD'],
      measures: [{ fn: 'RATE', of: 'NOPE' }],
      having: [{ measure: 3, op: 'GT', value: '1; drop' }],
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const fields = (bad.errors![0]!.extensions!.fields as { field: string }[]).map((f) => f.field).sort();
    expect(fields).toEqual(['bucket', 'groupBy.0', 'having.0.measure', 'measures.0.of']);
  });

  it('gives every panel one snapshot through asOf, and refuses a future asOf', async () => {
    const first = await agg({ subject: 'TARGETS' });
    const asOf = first.data!.aggregate.asOf;
    await new Promise((r) => setTimeout(r, 10));
    await insertTarget(99, ['HOTEL', LC, 'A', false, new Date().toISOString(), null]);
    const same = await agg({ subject: 'TARGETS', asOf });
    expect(same.data!.aggregate.rows).toEqual(first.data!.aggregate.rows);
    const now = await agg({ subject: 'TARGETS' });
    expect(Number(now.data!.aggregate.rows[0]!.values[0])).toBe(
      Number(first.data!.aggregate.rows[0]!.values[0]) + 1,
    );
    const future = await agg({ subject: 'TARGETS', asOf: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.errors?.[0]?.extensions?.code).toBe('AS_OF_IN_FUTURE');
  });

  it('aggregates job runs and audit events, and subjects registered later once their table exists', async () => {
    const jobs = await agg({
      subject: 'JOB_RUNS',
      groupBy: ['STATUS'],
      measures: [{ fn: 'COUNT' }, { fn: 'RATE', of: 'FAILED' }],
    });
    expect(jobs.errors).toBeUndefined();
    const audit = await agg({
      subject: 'AUDIT_EVENTS',
      groupBy: ['ACTION'],
      filters: [{ dimension: 'ACTION', values: ['reference.seed'] }],
    });
    expect(audit.data!.aggregate.rows).toEqual([{ keys: ['reference.seed'], values: ['1'] }]);

    registerAggregateSubject({
      name: AggregateSubject.FINDINGS,
      table: 'agg_test_finding',
      from: 'agg_test_finding x',
      time: 'x.created_at',
      dimensions: { KIND: 'x.kind' },
      jurisdiction: 'x.jurisdiction_code',
    });
    const missing = await agg({ subject: 'FINDINGS', groupBy: ['KIND'] });
    expect(missing.errors?.[0]?.extensions?.code).toBe('SUBJECT_NOT_AVAILABLE');
    await db.query(
      `create table agg_test_finding (kind text, jurisdiction_code text, created_at timestamptz default now() - interval '1 minute')`,
    );
    await db.query(`grant select on agg_test_finding to shuangsui_app`);
    await db.query(
      `insert into agg_test_finding (kind, jurisdiction_code) values ('FIRE', $1), ('FIRE', $2), ('ID', $1)`,
      [LC, LN],
    );
    const found = await agg({ subject: 'FINDINGS', groupBy: ['KIND'] });
    expect(found.data!.aggregate.rows).toEqual([
      { keys: ['FIRE'], values: ['2'] },
      { keys: ['ID'], values: ['1'] },
    ]);
  });

  it('runs one SQL statement per aggregate, and a nested targets page without N+1', async () => {
    await agg({ subject: 'TARGETS', groupBy: ['CATEGORY'] });
    let before = tp.queries.length;
    await agg({ subject: 'TARGETS', groupBy: ['CATEGORY'] });
    expect(tp.queries.slice(before).filter((q) => /\btarget\b/.test(q))).toHaveLength(1);

    const page = (n: number) =>
      tp.gql(
        `{ targets(first: ${n}) { nodes { name persons { role person { name idMasked } } } } }`,
        {},
        admin,
      );
    before = tp.queries.length;
    expect((await page(2)).errors).toBeUndefined();
    const small = tp.queries.slice(before).filter((q) => /"target|"person/.test(q)).length;
    before = tp.queries.length;
    expect((await page(7)).errors).toBeUndefined();
    const large = tp.queries.slice(before).filter((q) => /"target|"person/.test(q)).length;
    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(2);
  });
});
