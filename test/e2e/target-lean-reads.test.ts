import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { leanFind } from '../../src/db/lean.js';
import { queryBound } from '../../src/db/bound.js';
import { pgArray } from '../../src/db/pg-array.js';
import { targetPersonColumns } from '../../src/graphql/loaders.js';
import { Target } from '../../src/modules/targets/target.entity.js';
import pg from 'pg';
import { APP_ROLE } from '../../src/db/orm.js';
import { Role } from '../../src/graphql/auth.js';
import { toGlobalId } from '../../src/graphql/node.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

/**
 * The roster page is read without entity hydration (src/db/lean.ts): it must page, scope and nest
 * exactly as the managed path did, and `Target.lastInspection` must pick the newest inspection
 * carried out, in a constant number of queries.
 */
let tp: TestPlatform;
let db: pg.Client;
let analyst: string;

interface PageNode {
  id: string;
  name: string;
  jurisdictionCode: string;
  persons: { role: string; person: { id: string; name: string; idMasked: string | null } }[];
  lastInspection: { id: string; inspectedOn: string; outcome: string | null } | null;
}
interface Page {
  targets: {
    nodes: PageNode[];
    pageInfo: {
      hasNextPage: boolean;
      hasPreviousPage: boolean;
      endCursor: string | null;
      startCursor: string;
    };
  };
}
const PAGE = `query($first: Int, $last: Int, $after: String, $before: String, $sort: TargetSort = NAME,
    $direction: SortDirection = ASC) {
  targets(first: $first, last: $last, after: $after, before: $before, sort: $sort, direction: $direction) {
    nodes { id name jurisdictionCode persons { role person { id name idMasked } }
      lastInspection { id inspectedOn outcome } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

/** Every target id, page after page of `first`, under the given sort. */
async function pageAll(first: number, vars: { sort?: string; direction?: string } = {}): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const r: Awaited<ReturnType<typeof tp.gql<Page>>> = await tp.gql<Page>(
      PAGE,
      { first, after, ...vars },
      analyst,
    );
    expect(r.errors).toBeUndefined();
    seen.push(...r.data!.targets.nodes.map((n) => n.id));
    if (!r.data!.targets.pageInfo.hasNextPage) return seen;
    after = r.data!.targets.pageInfo.endCursor;
  }
}

async function addInspection(
  targetId: string,
  plannedOn: string,
  inspectedOn: string | null,
): Promise<string> {
  const r = await db.query<{ id: string }>(
    `insert into inspection (id, region_code, source, target_id, target_name, category, department_code,
       jurisdiction_code, item_codes, implementation_codes, planned_on, inspected_on, team, team_police_nos, state,
       outcome, appeal_code)
     select gen_random_uuid(), region_code, 'AD_HOC', id, name, category, 'ZA', jurisdiction_code, '{}', '{}',
       $2::date, $3::date, '[]'::jsonb, '{}', case when $3::date is null then 'ASSIGNED' else 'CLOSED' end::inspection_state,
       case when $3::date is null then null else 'NO_VIOLATION' end::inspection_outcome,
       upper(substr(md5(random()::text), 1, 16))
     from target where id = $1 returning id`,
    [targetId, plannedOn, inspectedOn],
  );
  return r.rows[0]!.id;
}

beforeAll(async () => {
  tp = await startTestPlatform({ demoScale: 300 });
  db = new pg.Client({ connectionString: tp.platform.databaseUrl });
  await db.connect();
  analyst = await tp.token(Role.ANALYST, 'ZA');
}, 120_000);

afterAll(async () => {
  await db?.end();
  await tp?.stop();
});

describe('roster page read lean', () => {
  it('pages forwards and backwards over the whole roster in name order, like the database', async () => {
    const expected = (
      await db.query<{ id: string }>(
        `select id from target where archived_at is null order by name asc, id asc`,
      )
    ).rows.map((r) => toGlobalId('Target', r.id));
    const seen = await pageAll(40);
    expect(seen).toEqual(expected);
    const back = await tp.gql<Page>(PAGE, { last: 7 }, analyst);
    expect(back.data!.targets.nodes.map((n) => n.id)).toEqual(expected.slice(-7));
    expect(back.data!.targets.pageInfo.hasPreviousPage).toBe(true);
    const before = await tp.gql<Page>(
      PAGE,
      { last: 5, before: back.data!.targets.pageInfo.startCursor },
      analyst,
    );
    expect(before.data!.targets.nodes.map((n) => n.id)).toEqual(expected.slice(-12, -7));
  });

  for (const [sort, column] of [
    ['UPDATED_AT', 'updated_at'],
    ['COMPLAINTS', 'complaints90d'],
    ['NAME', 'name'],
  ] as const) {
    for (const direction of ['ASC', 'DESC'] as const) {
      it(`pages the whole roster by ${sort} ${direction} without gaps or repeats`, async () => {
        // Spread the sort key so pages cut through distinct values and ties alike.
        await db.query(
          `update target set complaints90d = abs(hashtext(id::text)) % 4,
             updated_at = now() - (abs(hashtext(name)) % 50) * interval '1 minute'`,
        );
        const d = direction.toLowerCase();
        const expected = (
          await db.query<{ id: string }>(
            `select id from target where archived_at is null order by ${column} ${d}, id ${d}`,
          )
        ).rows.map((r) => toGlobalId('Target', r.id));
        const seen = await pageAll(45, { sort, direction });
        expect(seen).toEqual(expected);
      });
    }
  }

  it('nests the responsible persons, masked, in role order', async () => {
    const r = await tp.gql<Page>(PAGE, { first: 30 }, analyst);
    const withPersons = r.data!.targets.nodes.filter((n) => n.persons.length > 0);
    expect(withPersons.length).toBeGreaterThan(0);
    for (const n of withPersons) {
      const rawId = Buffer.from(n.id, 'base64url').toString('utf8').split(':')[1]!;
      const rows = await db.query<{ person_id: string; role: string }>(
        `select tp.person_id, tp.role::text as role from target_person tp where tp.target_id = $1 order by tp.role asc, tp.id asc`,
        [rawId],
      );
      expect(n.persons.map((p) => [p.person.id, p.role])).toEqual(
        rows.rows.map((x) => [toGlobalId('Person', x.person_id), x.role]),
      );
      for (const p of n.persons) expect(p.person.idMasked ?? '').not.toMatch(/^\d{17}[\dX]$/);
    }
  });

  it('gives the newest inspection carried out as lastInspection, ignoring planned ones', async () => {
    const first = await tp.gql<Page>(PAGE, { first: 3 }, analyst);
    const [a, b] = first.data!.targets.nodes.map(
      (n) => Buffer.from(n.id, 'base64url').toString('utf8').split(':')[1]!,
    );
    await addInspection(a!, '2026-03-01', '2026-03-02');
    const newest = await addInspection(a!, '2026-06-01', '2026-06-03');
    await addInspection(a!, '2026-12-20', null);
    const r = await tp.gql<Page>(PAGE, { first: 3 }, analyst);
    expect(r.errors).toBeUndefined();
    const [na, nb] = r.data!.targets.nodes;
    expect(na!.lastInspection).toEqual({
      id: toGlobalId('Inspection', newest),
      inspectedOn: '2026-06-03',
      outcome: 'NO_VIOLATION',
    });
    expect(b).toBeDefined();
    expect(nb!.lastInspection).toBeNull();
  });

  it('reads a page of any size in the same number of queries', async () => {
    // Only the statements that read the page's tables: the platform's background jobs (scheduler,
    // event bus, metrics) query the same database at any moment.
    const read = /\b(from|join)\s+"?(target|target_person|person|inspection|department)"?(\s|$)/i;
    const count = async (first: number) => {
      const before = tp.queries.length;
      const r = await tp.gql<Page>(PAGE, { first }, analyst);
      expect(r.errors).toBeUndefined();
      return tp.queries.slice(before).filter((q) => read.test(q)).length;
    };
    const small = await count(2);
    const large = await count(80);
    expect(large).toBe(small);
    // (scope, unless cached) + page + persons + last inspections
    expect(large).toBeGreaterThanOrEqual(3);
    expect(large).toBeLessThanOrEqual(4);
  });

  it('refuses lastInspection to a role without the grant that reaches a target through node()', async () => {
    const id = (await tp.gql<Page>(PAGE, { first: 1 }, analyst)).data!.targets.nodes[0]!.id;
    const exchange = await tp.token(Role.EXCHANGE, 'ZA');
    const r = await tp.gql<{ node: { lastInspection: unknown } | null }>(
      `query($id: ID!) { node(id: $id) { ... on Target { name lastInspection { id } } } }`,
      { id },
      exchange,
    );
    expect(JSON.stringify(r.data ?? {})).not.toMatch(/"lastInspection":\{/);
    expect((r.errors ?? []).some((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
  });

  it('shows a police station only the inspections in its jurisdiction', async () => {
    const station = (
      await db.query<{ code: string; jurisdiction_codes: string[] }>(
        `select code, jurisdiction_codes from department where kind = 'STATION' order by code limit 1`,
      )
    ).rows[0]!;
    const token = await tp.token(Role.INSPECTOR, station.code);
    const r = await tp.gql<Page>(PAGE, { first: 100 }, token);
    expect(r.errors).toBeUndefined();
    for (const n of r.data!.targets.nodes) expect(station.jurisdiction_codes).toContain(n.jurisdictionCode);
  });

  it('reads only the columns the selection needs, and every column when a field it does not know is asked', async () => {
    const targetSelect = async (query: string) => {
      const before = tp.queries.length;
      const r = await tp.gql<Page>(query, {}, analyst);
      expect(r.errors).toBeUndefined();
      const sql = tp.queries.slice(before).find((q) => /from "target" as "t0"/.test(q));
      expect(sql).toBeDefined();
      return { sql: sql!, r };
    };
    const narrow = await targetSelect('{ targets(first: 5) { nodes { id name } } }');
    expect(narrow.sql).not.toMatch(/"t0"\.\*/);
    expect(narrow.sql).not.toMatch(/violations|attributes|licence_nos/);
    // Through a fragment and an inline fragment: the columns follow, the values are right.
    const frag =
      await targetSelect(`query { targets(first: 5) { edges { node { ...F ... on Target { violations { type } } } } } }
      fragment F on Target { complaints90d rowVersion }`);
    expect(frag.sql).toMatch(/violations/);
    expect(frag.sql).toMatch(/complaints90d/);
    const rows = (
      await db.query<{ complaints90d: number; version: number }>(
        `select complaints90d, row_version as version from target where archived_at is null order by name, id limit 5`,
      )
    ).rows;
    const nodes = (
      frag.r.data as unknown as {
        targets: { edges: { node: { complaints90d: number; rowVersion: number; violations: unknown[] } }[] };
      }
    ).targets.edges.map((e) => e.node);
    expect(nodes.map((n) => [n.complaints90d, n.rowVersion])).toEqual(
      rows.map((x) => [x.complaints90d, x.version]),
    );
    for (const n of nodes) expect(Array.isArray(n.violations)).toBe(true);
  });

  it('reads only the person columns the selection needs, with the same values as the full read', async () => {
    const personsSql = async (query: string) => {
      const before = tp.queries.length;
      const r = await tp.gql<{ targets: { nodes: { persons: Record<string, unknown>[] }[] } }>(
        query,
        {},
        analyst,
      );
      expect(r.errors).toBeUndefined();
      const sql = tp.queries.slice(before).find((q) => /from target_person tp join person p/.test(q));
      expect(sql).toBeDefined();
      return { sql: sql!, nodes: r.data!.targets.nodes };
    };
    const narrow = await personsSql('{ targets(first: 8) { nodes { persons { role person { name } } } } }');
    expect(narrow.sql).toMatch(/tp\.role/);
    expect(narrow.sql).toMatch(/p\.name/);
    expect(narrow.sql).not.toMatch(/id_masked|phone_masked|id_type|id_valid|tp\.since|tp\.until/);
    const full = await personsSql(
      '{ targets(first: 8) { nodes { persons { role since until person { id name idType idMasked idValid phoneMasked } } } } }',
    );
    expect(full.sql).toMatch(/phone_masked/);
    // The same links, in the same order, with the same values where both read them.
    expect(
      narrow.nodes.map((n) => n.persons.map((p) => [p.role, (p.person as { name: string }).name])),
    ).toEqual(full.nodes.map((n) => n.persons.map((p) => [p.role, (p.person as { name: string }).name])));
    expect(full.nodes.flatMap((n) => n.persons).length).toBeGreaterThan(0);
    const masked = full.nodes
      .flatMap((n) => n.persons)
      .find((p) => (p.person as { idMasked: unknown }).idMasked);
    expect(masked).toBeDefined();
  });

  it('projects person columns only for fields it knows', () => {
    expect(targetPersonColumns(new Set(['role', 'person']), new Set(['name', 'id', 'idNumber']))).toEqual({
      link: ['role'],
      person: ['name'],
    });
    expect(targetPersonColumns(new Set(['role', 'addedLater']), new Set(['name']))).toBeNull();
    expect(targetPersonColumns(new Set(['person']), new Set(['name', 'addedLater']))).toBeNull();
  });

  it('resolves interface fields and node() on lean rows (they are instances of the entity class)', async () => {
    const r = await tp.gql<{ targets: { nodes: { __typename: string; id: string; name: string }[] } }>(
      '{ targets(first: 3) { nodes { __typename ... on Node { id } ... on Target { name } } } }',
      {},
      analyst,
    );
    expect(r.errors).toBeUndefined();
    for (const n of r.data!.targets.nodes) {
      expect(n.__typename).toBe('Target');
      expect(n.id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(n.name.length).toBeGreaterThan(0);
    }
  });

  it('reveals a full ID number of a person reached through the roster page (the lean row leaves it out)', async () => {
    const linked = (
      await db.query<{ target_id: string; person_id: string }>(
        `select tp.target_id, tp.person_id from target_person tp join person p on p.id = tp.person_id
         join target t on t.id = tp.target_id where p.id_enc is not null and t.archived_at is null
         order by t.name, t.id limit 1`,
      )
    ).rows[0]!;
    const supervisor = await tp.token(Role.SUPERVISOR, 'ZA');
    const viaPerson = await tp.gql<{ persons: { idNumber: string | null }[] }>(
      `query($n: ID!) { node(id: $n) { ... on Target { persons { person { id idNumber(purpose: "核查") } } } } }`,
      { n: toGlobalId('Target', linked.target_id) },
      supervisor,
    );
    expect(viaPerson.errors).toBeUndefined();
    const page = await tp.gql<{
      targets: { nodes: { id: string; persons: { person: { id: string; idNumber: string | null } }[] }[] };
    }>(
      `{ targets(first: 100) { nodes { id persons { person { id idNumber(purpose: "核查") } } } } }`,
      {},
      supervisor,
    );
    expect(page.errors).toBeUndefined();
    const node = page.data!.targets.nodes.find((n) => n.id === toGlobalId('Target', linked.target_id));
    const person = node!.persons.find((p) => p.person.id === toGlobalId('Person', linked.person_id));
    expect(person!.person.idNumber).toMatch(/^\d{17}[\dX]$/);
    const viaNode = (
      viaPerson.data as unknown as {
        node: { persons: { person: { id: string; idNumber: string | null } }[] };
      }
    ).node.persons.find((p) => p.person.id === toGlobalId('Person', linked.person_id));
    expect(person!.person.idNumber).toBe(viaNode!.person.idNumber);
  });

  it("applies a change of a station's jurisdiction to its next request on this replica", async () => {
    const station = (
      await db.query<{ code: string; name: string; org_code: string; jurisdiction_codes: string[] }>(
        `select code, name, org_code, jurisdiction_codes from department where kind = 'STATION' order by code limit 1`,
      )
    ).rows[0]!;
    const token = await tp.token(Role.INSPECTOR, station.code);
    const seen = async () => {
      const r = await tp.gql<Page>(PAGE, { first: 100 }, token);
      expect(r.errors).toBeUndefined();
      return r.data!.targets.nodes.length;
    };
    expect(await seen()).toBeGreaterThan(0);
    const admin = await tp.token(Role.ADMIN, 'ZA');
    const upsert = (codes: string[]) =>
      tp.gql(
        `mutation($i: DepartmentInput!) { upsertDepartment(input: $i) { code } }`,
        {
          i: {
            code: station.code,
            name: station.name,
            kind: 'STATION',
            orgCode: station.org_code,
            jurisdictionCodes: codes,
          },
        },
        admin,
      );
    expect((await upsert(['350322999999'])).errors).toBeUndefined();
    expect(await seen()).toBe(0);
    expect((await upsert(station.jurisdiction_codes)).errors).toBeUndefined();
    expect(await seen()).toBeGreaterThan(0);
  });
});

describe('leanFind keeps the statement per query', () => {
  it('answers as the driver does, for every kind of page, and builds each statement once', async () => {
    const em = tp.platform.orm.em.fork() as EntityManager;
    const driver = em.getDriver() as unknown as { createQueryBuilder: (...a: unknown[]) => unknown };
    const some = (
      await db.query<{ name: string; id: string }>(
        'select name, id from target where archived_at is null order by name, id limit 3 offset 5',
      )
    ).rows;
    const cursorOf = (r: { name: string; id: string }) =>
      Buffer.from(JSON.stringify([r.name, r.id])).toString('base64url');
    const orderBy = { name: 'asc', id: 'asc' } as const;
    const cases: [string, object, object][] = [
      ['first page', { archivedAt: null }, { first: 4, orderBy, overfetch: true }],
      ['after', { archivedAt: null }, { first: 4, after: cursorOf(some[0]!), orderBy, overfetch: true }],
      [
        'last before',
        { archivedAt: null },
        { last: 3, before: cursorOf(some[2]!), orderBy, overfetch: true },
      ],
      [
        'filters and fields',
        { archivedAt: null, category: { $in: ['HOTEL', 'INTERNET_CAFE'] }, name: { $ilike: '%店%' } },
        { first: 5, orderBy, overfetch: true, fields: ['id', 'name', 'category'] },
      ],
      ['no cursor', { archivedAt: null, hotelBlacklisted: false }, { orderBy, fields: ['id', 'name'] }],
    ];
    for (const [name, where, options] of cases) {
      const spy = vi.spyOn(driver, 'createQueryBuilder');
      const expected = await em.getDriver().find('Target', where as never, { ...options } as never);
      const built = spy.mock.calls.length;
      const first = await leanFind(em, Target, where as never, { ...options } as never);
      const again = await leanFind(em, Target, where as never, { ...options } as never);
      // The driver builds once; leanFind builds on its first call only, not on the second.
      expect(spy.mock.calls.length - built, name).toBeLessThanOrEqual(1);
      spy.mockRestore();
      const plainRows = (rows: object[]) => rows.map((r) => ({ ...r }));
      expect(plainRows(first), name).toEqual(plainRows(expected as object[]));
      expect(plainRows(again), name).toEqual(plainRows(expected as object[]));
      expect(first.length, name).toBeGreaterThan(0);
      for (const r of first) expect(r).toBeInstanceOf(Target);
    }
  });

  it('leaves queries it cannot key (raw fragments, class instances, other options) to the driver', async () => {
    const em = tp.platform.orm.em.fork() as EntityManager;
    const driver = em.getDriver() as unknown as { find: (...a: unknown[]) => Promise<unknown[]> };
    const spy = vi.spyOn(driver, 'find');
    await leanFind(em, Target, { archivedAt: null, [raw('1 = 1')]: [] } as never, { first: 2 } as never);
    await leanFind(
      em,
      Target,
      { archivedAt: null } as never,
      { first: 2, lockMode: undefined, flags: [] } as never,
    );
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });
});

describe('queryBound', () => {
  it('binds parameters as they are, runs on the caller transaction and reports to the query hook', async () => {
    const em = tp.platform.orm.em.fork() as EntityManager;
    const tricky = `it's a '?' {"x"}`;
    const before = tp.queries.length;
    const [plain] = await queryBound<{ v: string; n: number }>(
      em,
      'select ?::text as v, cardinality(?::text[]) as n',
      [tricky, pgArray(['a', 'b,c', 'd"e'])],
    );
    expect(plain).toEqual({ v: tricky, n: 3 });
    expect(tp.queries.slice(before).some((q) => q.includes('select ?::text as v'))).toBe(true);
    await em.transactional(async (tx) => {
      const ctx = tx.getTransactionContext();
      await tx
        .getConnection()
        .execute('create temporary table qb_probe (v text) on commit drop', [], 'run', ctx);
      await tx.getConnection().execute(`insert into qb_probe values ('inside')`, [], 'run', ctx);
      const rows = await queryBound<{ v: string }>(
        tx as EntityManager,
        'select v from qb_probe where v = ?',
        ['inside'],
      );
      expect(rows).toEqual([{ v: 'inside' }]);
    });
  });

  it('keeps answering a prepared statement after a migration adds a column to the table it reads', async () => {
    // A migration runs as the database owner (the platform's connections SET ROLE to the app role).
    const table = `qb_plan_${Date.now().toString(36)}`;
    const owner = new pg.Client({ connectionString: tp.platform.databaseUrl });
    await owner.connect();
    try {
      await owner.query(`create table ${table} (id int primary key, v text)`);
      await owner.query(`grant select on ${table} to ${APP_ROLE}`);
      await owner.query(`insert into ${table} values (1, 'one')`);
      const read = () =>
        queryBound<Record<string, unknown>>(
          tp.platform.orm.em.fork() as EntityManager,
          `select * from ${table} where id = ?`,
          [1],
          { prepare: true },
        );
      // Prepared on every pooled connection the concurrent reads take.
      const first = await Promise.all(Array.from({ length: 8 }, read));
      expect(first.map((r) => r[0])).toEqual(Array.from({ length: 8 }, () => ({ id: 1, v: 'one' })));
      await owner.query(`alter table ${table} add column w int default 7`);
      const after = await Promise.all(Array.from({ length: 8 }, read));
      expect(after.map((r) => r[0])).toEqual(Array.from({ length: 8 }, () => ({ id: 1, v: 'one', w: 7 })));
    } finally {
      await owner.query(`drop table if exists ${table}`);
      await owner.end();
    }
  });
});
