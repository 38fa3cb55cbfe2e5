import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';
import {
  aggregateSubject,
  AggregateDimension as D,
  AggregateSubject,
} from '../../src/modules/dashboard/aggregate-registry.js';
import { buildAggregateSql } from '../../src/modules/dashboard/aggregate.service.js';
import {
  AggregateFunction as F,
  ComparisonOp,
  TimeBucket,
  type AggregateArgs,
  type MeasureInput,
} from '../../src/modules/dashboard/aggregate.types.js';

const LC = '350322510000';
const LN = '350322520000';
/** A jurisdiction no station has: DEPARTMENT falls back to the code itself. */
const UNKNOWN = '350322999999';
const HOUR = 3_600_000;
const DEF = aggregateSubject(AggregateSubject.TARGETS)!;

let tp: TestPlatform;
let db: pg.Client;

/** A deterministic pseudo-random sequence (the roster must be the same in every run). */
function rng(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Hours the roster is created in: several hours of two days, other days and months (UTC). */
const BASE_HOURS = [
  '2026-01-31T15:00:00Z', // 23:00 Shanghai, the last hour of January
  '2026-01-31T16:00:00Z', // 00:00 Shanghai, 1 February
  '2026-03-29T15:00:00Z', // a Sunday 23:00 Shanghai (week boundary)
  '2026-03-29T16:00:00Z',
  '2026-03-29T17:00:00Z',
  '2026-06-30T15:00:00Z', // the half-year boundary
  '2026-06-30T16:00:00Z',
  '2026-09-30T16:00:00Z', // the quarter boundary
  '2026-10-01T02:00:00Z',
].map((s) => Date.parse(s));
/** Offsets inside an hour a row is created or archived at. */
const OFFSETS = [0, 1, 999, 1000, 59_000, 1_800_000, HOUR - 1000, HOUR - 1];

interface Row {
  category: string;
  jur: string;
  grade: string | null;
  status: string;
  source: string;
  key: boolean;
  black: boolean;
  abnormal: boolean;
  complaints: number;
  usccValid: boolean | null;
  created: Date;
  archived: Date | null;
}

function roster(n: number, seed: number): Row[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const created = new Date(pick(r, BASE_HOURS) + pick(r, OFFSETS));
    const archivedIn = r();
    const archived =
      archivedIn < 0.55
        ? null
        : archivedIn < 0.75
          ? new Date(Math.floor(created.getTime() / HOUR) * HOUR + pick(r, OFFSETS)) // within its hour
          : new Date(created.getTime() + Math.floor(r() * 4) * HOUR + pick(r, OFFSETS));
    return {
      category: pick(r, ['HOTEL', 'ENTERTAINMENT', 'INTERNET_CAFE']),
      jur: pick(r, [LC, LN, UNKNOWN]),
      grade: pick(r, ['A', 'B', 'C', null]),
      status: pick(r, ['OPERATING', 'OPERATING', 'SUSPENDED', 'CLOSED']),
      source: pick(r, ['TEST', 'OTHER']),
      key: r() < 0.3,
      black: r() < 0.2,
      abnormal: r() < 0.2,
      complaints: pick(r, [0, 0, 1, 2, 7]),
      usccValid: pick(r, [true, false, null]),
      created,
      archived: archived && archived.getTime() < created.getTime() ? created : archived,
    };
  });
}

let seq = 0;
/** Inserts rows in ONE statement (a multi-row insert fires the statement trigger once). */
async function insert(rows: Row[], client: pg.Client = db): Promise<void> {
  const cols = (f: (r: Row) => unknown) => rows.map(f);
  await client.query(
    `insert into target (id, region_code, category, name, jurisdiction_code, grade, status, source_system, source_id,
       key_inspection, hotel_blacklisted, abnormal_listed, complaints90d, uscc_valid, created_at, archived_at)
     select gen_random_uuid(), '350322', c::target_category, '对象' || s, j, g::grade, st::target_status, src, s,
       k, b, ab, cp, uv, ca, aa
     from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::bool[],
       $9::bool[], $10::int[], $11::bool[], $12::timestamptz[], $13::timestamptz[])
       as x(c, j, g, st, src, s, k, b, ab, cp, uv, ca, aa)`,
    [
      cols((r) => r.category),
      cols((r) => r.jur),
      cols((r) => r.grade),
      cols((r) => r.status),
      cols((r) => r.source),
      cols(() => `rollup-${seq++}`),
      cols((r) => r.key),
      cols((r) => r.black),
      cols((r) => r.abnormal),
      cols((r) => r.complaints),
      cols((r) => r.usccValid),
      cols((r) => r.created.toISOString()),
      cols((r) => r.archived?.toISOString() ?? null),
    ],
  );
}

const ROLLUP_KEYS = `region_code, category, grade, jurisdiction_code, status, source_system, created_hour, archived_hour`;
const ROLLUP_MEASURES = `n, key_inspection_n, hotel_blacklisted_n, abnormal_listed_n, operating_n, has_complaints_n, uscc_valid_n, complaints_sum`;
/** The rollup as it should be: a fresh group by over `target`. */
const FRESH = `select region_code, category, grade, jurisdiction_code, status, source_system,
    date_trunc('hour', created_at, 'UTC') as created_hour, date_trunc('hour', archived_at, 'UTC') as archived_hour,
    count(*)::bigint as n, count(*) filter (where key_inspection)::bigint as key_inspection_n,
    count(*) filter (where hotel_blacklisted)::bigint as hotel_blacklisted_n,
    count(*) filter (where abnormal_listed)::bigint as abnormal_listed_n,
    count(*) filter (where status = 'OPERATING')::bigint as operating_n,
    count(*) filter (where complaints90d > 0)::bigint as has_complaints_n,
    count(*) filter (where coalesce(uscc_valid, false))::bigint as uscc_valid_n,
    sum(complaints90d)::bigint as complaints_sum
  from target group by 1, 2, 3, 4, 5, 6, 7, 8`;

/**
 * Expects the rollup, summed over its shards, to equal a fresh group by; groups counted down to
 * zero must be all zero.
 */
async function expectRollupExact(): Promise<void> {
  const order = ` order by ${ROLLUP_KEYS}`;
  const sums = ROLLUP_MEASURES.split(', ')
    .map((m) => `sum(${m})::bigint as ${m}`)
    .join(', ');
  const grouped = `select ${ROLLUP_KEYS}, ${sums} from target_rollup group by ${ROLLUP_KEYS}`;
  const live = await db.query(`select * from (${grouped}) g where n <> 0${order}`);
  const fresh = await db.query(`select * from (${FRESH}) f${order}`);
  expect(live.rows).toEqual(fresh.rows);
  const zero = await db.query(
    `select count(*)::int as n from (${grouped}) g where n = 0 and (key_inspection_n, hotel_blacklisted_n,
       abnormal_listed_n, operating_n, has_complaints_n, uscc_valid_n, complaints_sum) <> (0, 0, 0, 0, 0, 0, 0)`,
  );
  expect(zero.rows[0].n).toBe(0);
}

async function run(sql: string, params: unknown[]) {
  let i = 0;
  const r = await db.query(
    sql.replace(/\?/g, () => `$${++i}`),
    params,
  );
  return r.rows;
}

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}
/** Rows the plan's scans of `target` returned (summed over loops). */
function targetRowsRead(n: PlanNode): number {
  const own = n['Relation Name'] === 'target' ? n['Actual Rows'] * n['Actual Loops'] : 0;
  return own + (n.Plans ?? []).reduce((sum, c) => sum + targetRowsRead(c), 0);
}

function args(p: Partial<AggregateArgs>): AggregateArgs {
  return {
    subject: AggregateSubject.TARGETS,
    groupBy: [],
    measures: [{ fn: F.COUNT }],
    filters: [],
    having: [],
    orderBy: [],
    first: 1000,
    ...p,
  } as AggregateArgs;
}

/** Runs a request through the rollup and through the base rows; both must give the same rows. */
async function expectSame(a: AggregateArgs, asOf: Date, jurisdictions: string[] | null = null) {
  const viaRollup = buildAggregateSql(DEF, a, asOf, jurisdictions);
  const viaBase = buildAggregateSql(DEF, a, asOf, jurisdictions, { rollup: false });
  expect(viaBase.sql).not.toContain('target_rollup');
  const [x, y] = [await run(viaRollup.sql, viaRollup.params), await run(viaBase.sql, viaBase.params)];
  const what = `${JSON.stringify(a)} asOf ${asOf.toISOString()}`;
  expect(x, what).toEqual(y);
  return { usedRollup: viaRollup.sql.includes('target_rollup'), rows: y.length };
}

const ALL_FLAGS = [
  'KEY_INSPECTION',
  'HOTEL_BLACKLISTED',
  'ABNORMAL_LISTED',
  'OPERATING',
  'HAS_COMPLAINTS',
  'USCC_VALID',
];
const MEASURE_SETS: MeasureInput[][] = [
  [{ fn: F.COUNT }, ...ALL_FLAGS.map((of) => ({ fn: F.COUNT_IF, of })), { fn: F.SUM, of: 'COMPLAINTS_90D' }],
  [...ALL_FLAGS.map((of) => ({ fn: F.RATE, of })), { fn: F.AVG, of: 'COMPLAINTS_90D' }, { fn: F.COUNT }],
];
const GROUPINGS: { groupBy: D[]; bucket?: TimeBucket }[] = [
  { groupBy: [] },
  ...[D.DEPARTMENT, D.CATEGORY, D.GRADE, D.JURISDICTION, D.STATUS, D.SOURCE].map((d) => ({ groupBy: [d] })),
  ...Object.values(TimeBucket).map((bucket) => ({ groupBy: [D.PERIOD], bucket })),
  { groupBy: [D.DEPARTMENT, D.PERIOD], bucket: TimeBucket.MONTH },
  { groupBy: [D.PERIOD, D.GRADE, D.CATEGORY], bucket: TimeBucket.DAY },
  { groupBy: [D.STATUS, D.SOURCE, D.JURISDICTION, D.PERIOD], bucket: TimeBucket.WEEK },
];

beforeAll(async () => {
  tp = await startTestPlatform({ demo: false });
  db = new pg.Client({ connectionString: tp.platform.databaseUrl });
  await db.connect();
  await db.query('delete from target_person');
  await db.query('delete from target');
});
afterAll(async () => {
  await db?.end();
  await tp?.stop();
});

describe('target rollup', () => {
  it('stays equal to a fresh group by over single-row and multi-row inserts, updates and deletes', async () => {
    await expectRollupExact();
    await insert(roster(300, 7));
    await expectRollupExact();
    for (const r of roster(5, 11)) await insert([r]);
    await expectRollupExact();
    // Multi-row updates of keys and flags; one that changes no rolled-up column writes nothing.
    await db.query(
      `update target set grade = 'B', key_inspection = not key_inspection where source_id like 'rollup-1%'`,
    );
    await db.query(
      `update target set status = 'CLOSED', complaints90d = complaints90d + 3 where source_id like 'rollup-2%'`,
    );
    await db.query(
      `update target set uscc_valid = null, hotel_blacklisted = true where source_id = 'rollup-42'`,
    );
    const before = await db.query(`select ${ROLLUP_MEASURES} from target_rollup order by ${ROLLUP_KEYS}`);
    await db.query(`update target set name = name || '·' where source_id like 'rollup-3%'`);
    expect(
      (await db.query(`select ${ROLLUP_MEASURES} from target_rollup order by ${ROLLUP_KEYS}`)).rows,
    ).toEqual(before.rows);
    await expectRollupExact();
    // Archival (and un-archival), a move to another hour, deletes.
    await db.query(
      `update target set archived_at = created_at + interval '90 minutes' where source_id like 'rollup-5%' and archived_at is null`,
    );
    await db.query(`update target set archived_at = null where source_id like 'rollup-6%'`);
    await db.query(
      `update target set created_at = created_at - interval '1 hour' where source_id like 'rollup-7%'`,
    );
    await db.query(`delete from target where source_id like 'rollup-8%'`);
    await db.query(`delete from target where source_id = 'rollup-90'`);
    await expectRollupExact();
    // An upsert (as the sync engine writes) that inserts some rows and updates others in one statement.
    await db.query(
      `insert into target as t (id, region_code, category, name, jurisdiction_code, source_system, source_id, grade, created_at)
       select gen_random_uuid(), '350322', 'HOTEL', 'u' || s, $1, 'TEST', s, 'C', '2026-03-29T16:30:00Z'
       from unnest(array['rollup-1', 'rollup-4', 'upsert-new-1', 'upsert-new-2']) s
       on conflict (source_system, source_id) do update set grade = excluded.grade, jurisdiction_code = excluded.jurisdiction_code`,
      [LN],
    );
    await expectRollupExact();
  });

  it('answers every covered request exactly as the base rows, for asOf and since on and around hour edges', async () => {
    const asOfs: Date[] = [];
    for (const h of [BASE_HOURS[0]!, BASE_HOURS[3]!, BASE_HOURS[5]! + HOUR, BASE_HOURS[8]!])
      for (const o of [-1000, -1, 0, 1, 1000, 1_800_000]) asOfs.push(new Date(h + o));
    asOfs.push(new Date('2025-01-01T00:00:00Z'), new Date());
    const sinces: (Date | null)[] = [
      null,
      new Date(BASE_HOURS[1]!),
      new Date(BASE_HOURS[1]! - 1000),
      new Date(BASE_HOURS[2]! + 1),
      new Date(BASE_HOURS[3]! + 1_800_000),
    ];
    let viaRollup = 0;
    let nonEmpty = 0;
    for (const asOf of asOfs)
      for (const since of sinces)
        for (const g of GROUPINGS)
          for (const measures of MEASURE_SETS) {
            const r = await expectSame(args({ ...g, measures, since }), asOf);
            if (r.usedRollup) viaRollup++;
            if (r.rows > 1) nonEmpty++;
          }
    // The covered requests read the rollup: all but those with no whole hour in [since, asOf).
    const withWholeHour = asOfs
      .flatMap((asOf) => sinces.map((since) => [asOf, since] as const))
      .filter(([asOf, since]) => !since || Math.ceil(+since / HOUR) < Math.floor(+asOf / HOUR)).length;
    expect(viaRollup).toBe(withWholeHour * GROUPINGS.length * MEASURE_SETS.length);
    expect(withWholeHour).toBeGreaterThan(30);
    expect(nonEmpty).toBeGreaterThan(100);
  });

  it('answers with filters, row scope, having and ordering exactly as the base rows', async () => {
    const asOf = new Date(BASE_HOURS[6]! + 1_234_567);
    const cases: [Partial<AggregateArgs>, string[] | null][] = [
      [{ groupBy: [D.CATEGORY], filters: [{ dimension: D.JURISDICTION, values: [LC, UNKNOWN] }] }, null],
      [
        {
          groupBy: [D.GRADE],
          filters: [{ dimension: D.PERIOD, values: ['2026-02-01', '2026-03-01'] }],
          bucket: TimeBucket.MONTH,
        },
        null,
      ],
      [{ groupBy: [D.DEPARTMENT, D.STATUS] }, [LN]],
      [{ groupBy: [D.DEPARTMENT] }, []],
      [{ groupBy: [] }, []],
      [{ groupBy: [D.CATEGORY], filters: [{ dimension: D.CATEGORY, values: ['PAWN'] }] }, null],
      [
        {
          groupBy: [D.JURISDICTION, D.GRADE],
          measures: [
            { fn: F.COUNT },
            { fn: F.RATE, of: 'KEY_INSPECTION' },
            { fn: F.AVG, of: 'COMPLAINTS_90D' },
          ],
          having: [
            { measure: 0, op: ComparisonOp.GTE, value: '3' },
            { measure: 1, op: ComparisonOp.LT, value: '0.5' },
          ],
          orderBy: [
            { measure: 2, descending: true },
            { key: 1, descending: false },
          ],
        },
        null,
      ],
      [{ groupBy: [D.STATUS, D.CATEGORY], orderBy: [{ measure: 0, descending: true }], first: 3 }, null],
      [
        {
          groupBy: [D.PERIOD],
          bucket: TimeBucket.WEEK,
          measures: [{ fn: F.SUM, of: 'COMPLAINTS_90D' }],
          having: [{ measure: 0, op: ComparisonOp.NE, value: '0' }],
          since: new Date(BASE_HOURS[2]! + 59_000),
        },
        [LC],
      ],
    ];
    for (const [p, jur] of cases) {
      const r = await expectSame(args(p), asOf, jur);
      expect(r.usedRollup).toBe(true);
    }
  });

  it('reads the base rows for what the rollup does not hold (MIN / MAX) and when no whole hour is asked for', () => {
    const asOf = new Date(BASE_HOURS[4]! + 1000);
    const minMax = buildAggregateSql(
      DEF,
      args({ measures: [{ fn: F.MAX, of: 'COMPLAINTS_90D' }] }),
      asOf,
      null,
    );
    expect(minMax.sql).not.toContain('target_rollup');
    const short = buildAggregateSql(DEF, args({ since: new Date(BASE_HOURS[4]! + 1) }), asOf, null);
    expect(short.sql).not.toContain('target_rollup');
    const covered = buildAggregateSql(DEF, args({ groupBy: [D.DEPARTMENT] }), asOf, null);
    expect(covered.sql).toContain('target_rollup');
  });

  it('answers the GraphQL aggregate from the rollup, with row scope', async () => {
    const admin = await tp.token(Role.ADMIN);
    const q = `query($asOf: DateTimeISO) { aggregate(subject: TARGETS, groupBy: [DEPARTMENT, PERIOD], bucket: MONTH, asOf: $asOf) { rows { keys values } } }`;
    const asOf = new Date(BASE_HOURS[8]! + 1000).toISOString();
    const before = tp.queries.length;
    const r = await tp.gql<{ aggregate: { rows: { keys: string[]; values: string[] }[] } }>(
      q,
      { asOf },
      admin,
    );
    expect(r.errors).toBeUndefined();
    expect(tp.queries.slice(before).some((s) => s.includes('target_rollup'))).toBe(true);
    const a = args({ groupBy: [D.DEPARTMENT, D.PERIOD], bucket: TimeBucket.MONTH });
    const base = buildAggregateSql(DEF, a, new Date(asOf), null, { rollup: false });
    const expected = (await run(base.sql, base.params)).map((x) => ({ keys: [x.k0, x.k1], values: [x.m0] }));
    expect(r.data!.aggregate.rows).toEqual(expected);
    expect(expected.length).toBeGreaterThan(3);

    const lc = await tp.token(Role.SUPERVISOR, 'PCS-LC');
    const scoped = await tp.gql<{ aggregate: { rows: { keys: string[]; values: string[] }[] } }>(
      q,
      { asOf },
      lc,
    );
    expect(scoped.data!.aggregate.rows).toEqual(expected.filter((x) => x.keys[0] === 'PCS-LC'));
  });

  it('stays exact under concurrent writers of the same groups, without deadlock', async () => {
    const url = tp.platform.databaseUrl;
    const [c1, c2] = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
    await Promise.all([c1.connect(), c2.connect()]);
    try {
      const same = roster(1, 99)[0]!;
      const other = { ...same, category: 'INTERNET_CAFE', jur: LC, grade: 'A' };
      for (let round = 0; round < 5; round++) {
        await Promise.all([c1.query('begin'), c2.query('begin')]);
        // Same groups, opposite orders, in two open transactions at once.
        const w1 = insert([same, other, same], c1).then(() => c1);
        const w2 = insert([other, same, other], c2).then(() => c2);
        // The first to lock a group makes the other wait for its commit (a deadlock would fail here).
        const first = await Promise.race([w1, w2]);
        await first.query('commit');
        const second = await (first === c1 ? w2 : w1);
        await second.query('commit');
        await Promise.all([
          c1.query(`update target set key_inspection = not key_inspection where source_id = $1`, [
            `rollup-${seq - 1}`,
          ]),
          c2.query(`update target set key_inspection = not key_inspection where source_id = $1`, [
            `rollup-${seq - 2}`,
          ]),
        ]);
      }
      await expectRollupExact();
    } finally {
      await Promise.all([c1.end(), c2.end()]);
    }
  });

  it('keeps a row per shard: writers of the same groups in different shards do not wait for each other', async () => {
    const url = tp.platform.databaseUrl;
    const [c1, c2] = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
    await Promise.all([c1.connect(), c2.connect()]);
    try {
      // A group no other test writes: its own creation hour.
      const lone: Row = {
        ...roster(1, 5)[0]!,
        created: new Date('2025-05-05T05:05:00Z'),
        archived: null,
      };
      await Promise.all([c1.query('begin'), c2.query('begin')]);
      await c1.query(`select set_config('shuangsui.rollup_shard', '1', true)`);
      await c2.query(
        `select set_config('shuangsui.rollup_shard', '2', true), set_config('lock_timeout', '3s', true)`,
      );
      await insert([lone, lone], c1);
      const first = `rollup-${seq - 2}`;
      // The same group while c1 holds its shard's row: no wait (lock_timeout would fail it).
      await insert([lone], c2);
      await c2.query('commit');
      await c1.query('commit');
      // Archived by a writer in shard 0: that shard's row of the group counts -1 on its own.
      await db.query(`update target set archived_at = created_at + interval '1 day' where source_id = $1`, [
        first,
      ]);
      const rows = await db.query<{ shard: number; n: string }>(
        `select shard, n::text from target_rollup where created_hour = '2025-05-05T05:00:00Z' and archived_hour is null
          order by shard`,
      );
      expect(rows.rows).toEqual([
        { shard: 0, n: '-1' },
        { shard: 1, n: '2' },
        { shard: 2, n: '1' },
      ]);
      await expectRollupExact();
      const asOf = new Date('2026-11-01T00:00:00Z');
      for (const g of GROUPINGS) {
        for (const measures of MEASURE_SETS) {
          const r = await expectSame(args({ ...g, measures }), asOf);
          expect(r.usedRollup).toBe(true);
        }
      }
    } finally {
      await Promise.all([c1.end(), c2.end()]);
    }
  });

  it('counts the targets created within the current hour from the rollup, reading only the rows after asOf', async () => {
    // A roster loaded within this hour (as a first import or a fresh demo county): 60 rows created
    // between the start of the hour and now, 12 of them archived since, all before asOf.
    const now = Date.now();
    const h = Math.floor(now / HOUR) * HOUR;
    const rows = roster(60, 23).map((r, i) => {
      const created = new Date(h + Math.floor(((now - h) * i) / 60));
      return {
        ...r,
        created,
        archived: i % 5 === 0 ? new Date(created.getTime() + (now - created.getTime()) / 2) : null,
      };
    });
    await insert(rows);
    await expectRollupExact();
    const asOf = new Date(Math.max(Date.now(), now + 1));
    const a = args({ groupBy: [D.DEPARTMENT, D.PERIOD], bucket: TimeBucket.DAY });
    const r = await expectSame(a, asOf);
    expect(r.usedRollup).toBe(true);
    // The base rows it reads: the 12 archived within this hour (they leave the rollup's count) and
    // none created after asOf; not the 48 live rows of the hour.
    const built = buildAggregateSql(DEF, a, asOf, null);
    let i = 0;
    const plan = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `explain (analyze, format json) ${built.sql.replace(/\?/g, () => `$${++i}`)}`,
      built.params,
    );
    const read = targetRowsRead(plan.rows[0]!['QUERY PLAN'][0].Plan);
    expect(read).toBeLessThanOrEqual(12);
  });

  it('is emptied by a TRUNCATE of target', async () => {
    await db.query('truncate target cascade');
    const r = await db.query('select count(*)::int as n from target_rollup');
    expect(r.rows[0].n).toBe(0);
    await insert(roster(20, 5));
    await expectRollupExact();
  });
});
