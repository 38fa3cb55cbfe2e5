import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';
import { verifyAuditChain } from '../../src/modules/audit/audit.service.js';
import { computeCitizenIdCheckChar } from '../../src/modules/identity/identifiers.js';

const CANARY_17 = '35032219770707123';
const CANARY = CANARY_17 + computeCitizenIdCheckChar(CANARY_17);

let tp: TestPlatform;
let admin: string;
let analyst: string;
let za: string;

beforeAll(async () => {
  tp = await startTestPlatform({ demoScale: 300 });
  admin = await tp.token(Role.ADMIN);
  analyst = await tp.token(Role.ANALYST, 'ZA');
  za = await tp.token(Role.SUPERVISOR, 'ZA');
});
afterAll(async () => {
  await tp?.stop();
});

const ITEM_INPUT = {
  code: 'ZA-TEST-001',
  name: '测试抽查事项',
  legalBasis: ['《旅馆业治安管理办法》第六条'],
  departmentCode: 'ZA',
  categories: ['HOTEL'],
  content: '检查旅客登记',
  keyPoints: [{ code: 'K1', text: '是否落实实名登记' }],
  method: '现场检查',
  ratioPercent: '5',
  frequencyText: '每3个月至少1次',
  frequencyMonths: 3,
  implementationCode: '350322-GA-ZA-T01',
  effectiveFrom: '2026-01-01',
};

describe('一单: the item list', () => {
  it('creates, versions, publishes and shows the published version to the public', async () => {
    const c = await tp.gql<{ createItem: { id: string; currentVersion: number; status: string } }>(
      `mutation($i: CreateItemInput!) { createItem(input: $i) { id currentVersion status } }`,
      { i: ITEM_INPUT },
      za,
    );
    expect(c.errors).toBeUndefined();
    const id = c.data!.createItem.id;
    expect(c.data!.createItem).toMatchObject({ currentVersion: 1, status: 'DRAFT' });

    const { code: _code, ...content } = ITEM_INPUT;
    const u = await tp.gql(
      `mutation($id: ID!, $i: ItemContentInput!) { updateItem(id: $id, expectedVersion: 1, input: $i) { currentVersion } }`,
      { id, i: { ...content, name: '测试抽查事项（修订）' } },
      za,
    );
    expect(u.data).toEqual({ updateItem: { currentVersion: 2 } });
    const stale = await tp.gql(
      `mutation($id: ID!, $i: ItemContentInput!) { updateItem(id: $id, expectedVersion: 1, input: $i) { currentVersion } }`,
      { id, i: content },
      za,
    );
    expect(stale.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    const pub = await tp.gql(
      `mutation($id: ID!) { publishItem(id: $id) { status publishedVersion } }`,
      { id },
      za,
    );
    expect(pub.data).toEqual({ publishItem: { status: 'PUBLISHED', publishedVersion: 2 } });

    const anon = await tp.gql<{
      publishedItems: {
        nodes: { code: string; published: { name: string; version: number }; versions: unknown[] }[];
      };
    }>(
      `{ publishedItems(first: 5, filter: { search: "测试抽查" }) { nodes { code published { name version } versions { version } } } }`,
    );
    expect(anon.errors).toBeUndefined();
    expect(anon.data!.publishedItems.nodes).toEqual([
      { code: 'ZA-TEST-001', published: { name: '测试抽查事项（修订）', version: 2 }, versions: [] },
    ]);

    const staff = await tp.gql<{ node: { versions: { version: number; name: string }[] } }>(
      `query($id: ID!) { node(id: $id) { ... on InspectionItem { versions { version name } } } }`,
      { id },
      analyst,
    );
    expect(staff.data!.node.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(staff.data!.node.versions[0]!.name).toBe('测试抽查事项');
  });

  it('anonymous callers see the published list but nothing else', async () => {
    const r = await tp.gql(`{ items(first: 1) { totalCount } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const p = await tp.gql<{ publishedItems: { totalCount: number } }>(
      `{ publishedItems(first: 1) { totalCount } }`,
    );
    expect(p.data!.publishedItems.totalCount).toBeGreaterThanOrEqual(16);
  });

  it('names every bad field of an invalid item', async () => {
    const r = await tp.gql(
      `mutation($i: CreateItemInput!) { createItem(input: $i) { id } }`,
      { i: { ...ITEM_INPUT, code: 'x', ratioPercent: '500', keyPoints: [] } },
      za,
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const fields = (r.errors?.[0]?.extensions?.fields as { field: string }[]).map((f) => f.field).sort();
    expect(fields).toEqual(['code', 'keyPoints', 'ratioPercent']);
  });
});

describe('两库: rosters', () => {
  it('pages targets with cursors and counts only when asked', async () => {
    const q = `query($after: String) { targets(first: 50, after: $after, sort: NAME) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }`;
    const seen = new Set<string>();
    let after: string | null = null;
    for (let i = 0; i < 20; i++) {
      const r: {
        data?: {
          targets: {
            edges: { node: { id: string } }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
          };
        } | null;
      } = await tp.gql(q, { after }, analyst);
      for (const e of r.data!.targets.edges) seen.add(e.node.id);
      if (!r.data!.targets.pageInfo.hasNextPage) break;
      after = r.data!.targets.pageInfo.endCursor;
    }
    const count = await tp.gql<{ targets: { totalCount: number } }>(
      `{ targets(first: 1) { totalCount } }`,
      {},
      analyst,
    );
    expect(seen.size).toBe(count.data!.targets.totalCount);
    expect(seen.size).toBe(300);
  });

  it('refuses unbounded pages and explicit null filters', async () => {
    const big = await tp.gql(`{ targets(first: 99999999) { totalCount } }`, {}, analyst);
    expect(big.errors?.[0]?.extensions?.code).toBe('PAGINATION_BOUNDS');
    const none = await tp.gql(`{ targets { totalCount } }`, {}, analyst);
    expect(none.errors?.[0]?.extensions?.code).toBe('PAGINATION_BOUNDS');
    const nul = await tp.gql(
      `{ targets(first: 5, filter: { categories: null }) { totalCount } }`,
      {},
      analyst,
    );
    expect(nul.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('filters by category, grade (ungraded), flags and Chinese name search', async () => {
    const r = await tp.gql<{
      a: { totalCount: number };
      c: { totalCount: number; nodes: { grade: string | null }[] };
      s: { nodes: { name: string }[] };
    }>(
      `{ a: targets(first: 100, filter: { categories: [ENTERTAINMENT] }) { totalCount }
         c: targets(first: 100, filter: { grades: [C], ungraded: true }) { totalCount nodes { grade } }
         s: targets(first: 5, filter: { search: "宾馆" }) { nodes { name } } }`,
      {},
      analyst,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.c.nodes.every((n) => n.grade === 'C' || n.grade === null)).toBe(true);
    expect(r.data!.s.nodes.length).toBeGreaterThan(0);
    expect(r.data!.s.nodes.every((n) => n.name.includes('宾馆'))).toBe(true);
  });

  it('a police station sees only its own jurisdiction', async () => {
    const station = await tp.token(Role.INSPECTOR, 'PCS-LC');
    const me = await tp.gql<{ me: { visibleJurisdictions: string[] } }>(
      `{ me { visibleJurisdictions } }`,
      {},
      station,
    );
    const jur = me.data!.me.visibleJurisdictions;
    expect(jur).toEqual(['350322510000']);
    const r = await tp.gql<{ targets: { nodes: { jurisdictionCode: string }[] } }>(
      `{ targets(first: 100) { nodes { jurisdictionCode } } }`,
      {},
      station,
    );
    expect(r.data!.targets.nodes.length).toBeGreaterThan(0);
    expect(new Set(r.data!.targets.nodes.map((n) => n.jurisdictionCode))).toEqual(new Set(jur));
  });

  it('loads a page of 50 targets with their persons in a bounded number of queries', async () => {
    const before = tp.queries.length;
    const r = await tp.gql(
      `{ targets(first: 50) { nodes { name persons { role person { name idMasked } } } } }`,
      {},
      analyst,
    );
    expect(r.errors).toBeUndefined();
    const n = tp.queries.length - before;
    // page + persons batch (+ scope lookup); no per-row queries
    expect(n).toBeLessThanOrEqual(4);
  });

  it('keeps invalid USCCs with a flag, masks ID numbers, logs every clear read and never logs the ID', async () => {
    const c = await tp.gql<{
      createTarget: {
        id: string;
        usccValid: boolean;
        usccNormalised: string;
        persons: { person: { id: string; idMasked: string; idValid: boolean } }[];
      };
    }>(
      `mutation($i: CreateTargetInput!) { createTarget(input: $i) { id usccValid usccNormalised persons { person { id idMasked idValid } } } }`,
      {
        i: {
          category: 'HOTEL',
          name: '仙游县测试宾馆',
          jurisdictionCode: '350322510000',
          uscc: '91350322ma31c7q2x0',
          persons: [
            { role: 'LEGAL_REP', name: '测试人', idType: '111', idNumber: CANARY, phone: '13912345678' },
          ],
        },
      },
      za,
    );
    expect(c.errors).toBeUndefined();
    const t = c.data!.createTarget;
    expect(t.usccValid).toBe(false);
    expect(t.usccNormalised).toBe('91350322MA31C7Q2X0');
    expect(t.persons[0]!.person.idMasked).toBe(`${CANARY.slice(0, 6)}********${CANARY.slice(-4)}`);

    const denied = await tp.gql<{ node: { persons: { person: { idNumber: string | null } }[] } }>(
      `query($id: ID!) { node(id: $id) { ... on Target { persons { person { idNumber(purpose: "核查") } } } } }`,
      { id: t.id },
      analyst,
    );
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(denied.data!.node.persons[0]!.person.idNumber).toBeNull();

    const full = await tp.gql<{ node: { persons: { person: { idNumber: string } }[] } }>(
      `query($id: ID!) { node(id: $id) { ... on Target { persons { person { idNumber(purpose: "现场核查身份") } } } } }`,
      { id: t.id },
      za,
    );
    expect(full.data!.node.persons[0]!.person.idNumber).toBe(CANARY);

    const found = await tp.gql<{ persons: { idMasked: string }[] }>(
      `query($n: String!) { persons(idNumber: $n) { idMasked } }`,
      { n: CANARY.toLowerCase() },
      za,
    );
    expect(found.data!.persons).toHaveLength(1);

    const db = new pg.Client({ connectionString: tp.platform.databaseUrl });
    await db.connect();
    const access = await db.query(`select actor_role, purpose from pii_access where field = 'idNumber'`);
    expect(access.rows).toContainEqual({ actor_role: 'SUPERVISOR', purpose: '现场核查身份' });
    const dump = await db.query(`select row_to_json(p)::text as j from person p`);
    expect(dump.rows.some((r) => (r.j as string).includes(CANARY))).toBe(false);
    await db.end();
    expect(tp.logs.join('\n')).not.toContain(CANARY);
  });

  it('validates inspector certificates and filters those expiring', async () => {
    const bad = await tp.gql(
      `mutation { createInspector(input: { policeNo: "900001", name: "测试", departmentCode: "ZA", certificateNo: "闽公执字0001", certificateValidFrom: "2026-05-01", certificateValidTo: "2026-02-30" }) { id } }`,
      {},
      za,
    );
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const ok = await tp.gql(
      `mutation { createInspector(input: { policeNo: "900002", name: "测试", departmentCode: "ZA", certificateNo: "闽公执字0002", certificateValidFrom: "2024-05-01", certificateValidTo: "2026-12-15", qualifiedCategories: [HOTEL] }) { id } }`,
      {},
      za,
    );
    expect(ok.errors).toBeUndefined();
    const r = await tp.gql<{ inspectors: { nodes: { policeNo: string; certificateValidTo: string }[] } }>(
      `{ inspectors(first: 100, filter: { certificateExpiresBefore: "2027-01-01" }) { nodes { policeNo certificateValidTo } } }`,
      {},
      analyst,
    );
    expect(r.data!.inspectors.nodes.map((n) => n.policeNo)).toContain('900002');
    expect(r.data!.inspectors.nodes.every((n) => n.certificateValidTo < '2027-01-01')).toBe(true);
  });

  it('scopes changes to the department: 网安 cannot edit hotels', async () => {
    const wa = await tp.token(Role.SUPERVISOR, 'WA');
    const r = await tp.gql(
      `mutation { createTarget(input: { category: HOTEL, name: "越权宾馆", jurisdictionCode: "350322510000" }) { id } }`,
      {},
      wa,
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('全程留痕: audit', () => {
  it('chains every write, refuses UPDATE to the app role, and names a tampered row', async () => {
    const trail = await tp.gql<{ auditTrail: { action: string }[] }>(
      `{ auditTrail(entityId: "350322") { action } }`,
      {},
      admin,
    );
    expect(trail.data!.auditTrail.map((a) => a.action)).toContain('demo.seed');
    const ok = await tp.gql<{ verifyAuditChain: { ok: boolean; checked: number } }>(
      `{ verifyAuditChain { ok checked } }`,
      {},
      admin,
    );
    expect(ok.data!.verifyAuditChain.ok).toBe(true);
    expect(ok.data!.verifyAuditChain.checked).toBeGreaterThan(3);

    const db = new pg.Client({ connectionString: tp.platform.databaseUrl });
    await db.connect();
    await db.query('set role shuangsui_app');
    await expect(
      db.query(`update audit_event set action = 'x' where id = (select min(id) from audit_event)`),
    ).rejects.toThrow(/permission denied/);
    await expect(db.query(`delete from audit_event`)).rejects.toThrow(/permission denied/);
    await db.query('reset role');
    await db.query('alter table audit_event disable trigger audit_event_append_only');
    const victim = await db.query(`select id from audit_event order by id limit 1 offset 1`);
    await db.query(`update audit_event set actor_id = 'mallory' where id = $1`, [victim.rows[0].id]);
    await db.query('alter table audit_event enable trigger audit_event_append_only');
    const check = await verifyAuditChain(async (sql, params) => (await db.query(sql, params)).rows);
    await db.end();
    expect(check.ok).toBe(false);
    expect(check.firstBroken?.id).toBe(String(victim.rows[0].id));
  });
});

describe('GraphQL hardening', () => {
  it('has introspection off and no field suggestions', async () => {
    const i = await tp.gql(`{ __schema { types { name } } }`, {}, admin);
    expect(i.errors?.[0]?.message).toMatch(/introspection/i);
    const s = await tp.gql(`{ targts(first: 1) { totalCount } }`, {}, admin);
    expect(JSON.stringify(s.errors)).not.toMatch(/Did you mean/);
  });

  it('refuses CSRF-able requests, batches, oversized bodies and deep, aliased or long documents', async () => {
    const csrf = await fetch(tp.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"query":"{ me { role } }"}',
    });
    expect(csrf.status).toBe(400);
    const batch = await fetch(tp.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ me { role } }' }, { query: '{ me { role } }' }]),
    });
    expect(batch.status).toBe(400);
    const huge = await fetch(tp.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ me { role } } # ${'x'.repeat(2_000_000)}` }),
    });
    expect(huge.status).toBe(413);
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: me { role }`).join(' ');
    const al = await tp.gql(`{ ${aliases} }`, {}, analyst);
    expect(al.errors?.[0]?.extensions?.code).toBe('TOO_MANY_ALIASES');
    const tokens = await tp.gql(`{ me { ${'role '.repeat(1200)} } }`, {}, analyst);
    expect(tokens.errors?.[0]?.extensions?.code).toBe('TOO_MANY_TOKENS');
  });

  it('masks internal errors and keeps them out of the response', async () => {
    const r = await tp.gql(
      `{ node(id: "${Buffer.from('Target:not-a-uuid-but-36-chars-long-xxxxx').toString('base64url')}") { id } }`,
      {},
      analyst,
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(r)).not.toMatch(/stack|select |postgres/i);
  });

  it('serves queries over graphql-ws on the same port and path, with the token in connectionParams', async () => {
    const client = createClient({
      url: tp.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${analyst}` },
      retryAttempts: 0,
    });
    const result = await new Promise<unknown>((resolve, reject) => {
      let value: unknown;
      client.subscribe(
        { query: '{ me { role dept } }' },
        { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
      );
    });
    await client.dispose();
    expect(result).toEqual({ data: { me: { role: 'ANALYST', dept: 'ZA' } } });
  });

  it('answers a malformed or forged token with 401 UNAUTHENTICATED, not a masked 500', async () => {
    for (const auth of ['Bearer not.a.jwt', 'Basic abc', `Bearer ${analyst.slice(0, -3)}abc`]) {
      const res = await fetch(tp.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: '{"query":"{ me { role } }"}',
      });
      const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
      expect(res.status).toBe(401);
      expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('pages job runs (bigint ids) with cursors', async () => {
    await tp.gql(`mutation { triggerJob(job: "pii:retention") }`, {}, admin);
    await new Promise((r) => setTimeout(r, 300));
    const r = await tp.gql<{
      jobRuns: { edges: { cursor: string; node: { job: string; status: string } }[] };
    }>(`{ jobRuns(first: 5) { edges { cursor node { job status } } } }`, {}, admin);
    expect(r.errors).toBeUndefined();
    expect(r.data!.jobRuns.edges.map((e) => e.node.job)).toContain('pii:retention');
  });

  it('answers health and readiness', async () => {
    const base = tp.url.replace('/graphql', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ready' });
  });
});

describe('reference data without the demo', () => {
  it('loads the departments and the published item list into an empty database even with DEMO=false', async () => {
    const bare = await startTestPlatform({ demo: false });
    try {
      const tok = await bare.token(Role.ANALYST);
      const r = await bare.gql<{ departments: { code: string }[]; targets: { totalCount: number } }>(
        `{ departments { code } targets(first: 1) { totalCount } }`,
        {},
        tok,
      );
      expect(r.data!.departments.map((d) => d.code)).toEqual(
        expect.arrayContaining(['ZA', 'WA', 'XF', 'FZ', 'ZH', 'DC', 'ZG', 'PCS-LC']),
      );
      expect(r.data!.targets.totalCount).toBe(0);
      const items = await bare.gql<{ publishedItems: { totalCount: number } }>(
        `{ publishedItems(first: 1) { totalCount } }`,
      );
      expect(items.data!.publishedItems.totalCount).toBe(16);
    } finally {
      await bare.stop();
    }
  });
});
