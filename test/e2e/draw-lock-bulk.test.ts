import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import WebSocket from 'ws';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';
import { verifyAuditChain } from '../../src/modules/audit/audit.service.js';
import { PiiService } from '../../src/modules/pii/pii.service.js';
import type { Principal } from '../../src/graphql/auth.js';
import type { EntityManager } from '@mikro-orm/postgresql';

// The lock writes its inspections, audit rows and events set-based; this file holds it to the
// per-assignment path, checks the rollback of a refused lock, and the seed sealed at rest.
const root = path.resolve(import.meta.dirname, '../..');
let tp: TestPlatform;
let db: pg.Client;
const POLICE = ['200001', '200002', '200003', '200004', '200005', '200006'];
const STATIONS = ['350322510000', '350322520000'];
const PAWNS = 120;

beforeAll(async () => {
  tp = await startTestPlatform({ demo: false });
  db = new pg.Client({ connectionString: tp.platform.databaseUrl });
  await db.connect();
  await db.query(
    `insert into department (id, code, name, kind, org_code, region_code, jurisdiction_codes, categories) values
     ($1, 'ZA', '治安大队', 'BRANCH', '350322010000', '350322', $2, '{PAWN,SECURITY_SERVICE}')
     on conflict (code) do update set jurisdiction_codes = excluded.jurisdiction_codes, categories = excluded.categories`,
    [randomUUID(), STATIONS],
  );
  for (const [k, no] of POLICE.entries()) {
    await db.query(
      `insert into inspector (id, police_no, name, department_code, region_code, certificate_no, certificate_valid_from,
         certificate_valid_to, status, qualified_categories) values ($1, $2, $3, 'ZA', '350322', $4, '2025-01-01', '2028-12-31', 'ACTIVE', '{PAWN,SECURITY_SERVICE}')`,
      [randomUUID(), no, `检查员${k}`, `C-${k}`],
    );
  }
  // Pawns entered long ago and never visited: every one is coverage-due, so every one is drawn.
  for (let i = 0; i < PAWNS; i++) {
    await db.query(
      `insert into target (id, region_code, category, name, jurisdiction_code, source_system, source_id, created_at)
       values ($1, '350322', 'PAWN', $2, $3, 'TEST', $4, '2025-01-01')`,
      [randomUUID(), `典当行${i}`, STATIONS[i % 2], `P${i}`],
    );
  }
});
afterAll(async () => {
  await db?.end();
  await tp?.stop();
});

const PLAN = `mutation($i: SamplingPlanInput!) { createSamplingPlan(input: $i) { id } }`;
const COMMIT = `mutation($p: ID!, $r: String) { commitDraw(planId: $p, reason: $r) { id status seed } }`;
const DRAW = `mutation($d: ID!, $e: String) { runDraw(drawId: $d, entropy: $e) { id status } }`;
const LOCK = `mutation($d: ID!) { lockDraw(drawId: $d) { id status seed } }`;
const VERIFY = `query($d: ID!) { verifyDraw(id: $d) { match firstDifference } }`;

/** A committed and drawn attempt of a fresh ZA plan (every due pawn drawn, teams of two). */
async function drawnDraw(sup: string): Promise<{ drawId: string; rawId: string }> {
  const p = await tp.gql<{ createSamplingPlan: { id: string } }>(
    PLAN,
    {
      i: {
        departmentCodes: ['ZA'],
        periodMonths: 1,
        plannedDate: '2026-12-07',
        teamSize: 2,
        workloadCap: 200,
      },
    },
    sup,
  );
  expect(p.errors).toBeUndefined();
  const c = await tp.gql<{ commitDraw: { id: string } }>(COMMIT, { p: p.data!.createSamplingPlan.id }, sup);
  expect(c.errors).toBeUndefined();
  const drawId = c.data!.commitDraw.id;
  const d = await tp.gql<{ runDraw: { status: string } }>(DRAW, { d: drawId, e: '体彩 07 19 33' }, sup);
  expect(d.errors).toBeUndefined();
  expect(d.data!.runDraw.status).toBe('DRAWN');
  const rawId = Buffer.from(drawId, 'base64').toString('utf8').split(':')[1]!;
  return { drawId, rawId };
}

async function storedSeed(rawId: string): Promise<string> {
  const r = await db.query(`select seed_sealed from sampling_draw where id = $1`, [rawId]);
  return r.rows[0].seed_sealed as string;
}

async function chainOk(): Promise<void> {
  const chain = await verifyAuditChain(async (sql, params) => (await db.query(sql, params)).rows);
  expect(chain.firstBroken).toBeNull();
  expect(chain.ok).toBe(true);
}

describe('bulk creation of a lock’s inspections', () => {
  it('writes the same inspections, audit rows and events as createFromAssignment one by one', async () => {
    const targets = (
      await db.query(`select id from target where category = 'PAWN' order by source_id limit 12`)
    ).rows as { id: string }[];
    const inspectors = (
      await db.query(`select id from inspector where police_no = any($1) order by police_no`, [POLICE])
    ).rows as { id: string }[];
    const items = (
      await db.query(
        `select i.code from inspection_item i join inspection_item_version v on v.item_id = i.id and v.version = i.published_version
          where i.status = 'PUBLISHED' and i.department_code = 'ZA' and 'PAWN' = any(v.categories) order by i.code`,
      )
    ).rows.map((r) => r.code as string);
    expect(items.length).toBeGreaterThan(0);
    const args = targets.map((t, k) => ({
      targetId: t.id,
      inspectorIds: [
        inspectors[k % 6]!.id,
        inspectors[(k + 1) % 6]!.id,
        ...(k % 4 === 0 ? [inspectors[(k + 3) % 6]!.id] : []),
      ],
      itemCodes: items,
      plannedOn: '2026-12-09',
      departmentCode: 'ZA',
    }));
    const actor: Principal = { sub: 'sup-eq', role: Role.SUPERVISOR, dept: 'ZA', name: null };
    const single = args.map((a) => ({ ...a, assignmentId: randomUUID() }));
    const bulk = args.map((a) => ({ ...a, assignmentId: randomUUID() }));
    const { inspections } = tp.platform.services;

    const mark = async () => {
      const r = await db.query(
        `select (select coalesce(max(id), 0) from audit_event)::text as a, (select coalesce(max(id), 0) from event_log)::text as e`,
      );
      return r.rows[0] as { a: string; e: string };
    };
    const m0 = await mark();
    await (tp.platform.orm.em.fork() as EntityManager).transactional(async (em) => {
      for (const a of single) await inspections.createFromAssignment(em, { ...a, actor });
    });
    const m1 = await mark();
    let ids: string[] = [];
    await (tp.platform.orm.em.fork() as EntityManager).transactional(async (em) => {
      ids = await inspections.createManyFromAssignments(em, actor, bulk);
      // Idempotent per assignment, like the single path: a second call creates nothing.
      expect(await inspections.createManyFromAssignments(em, actor, bulk)).toEqual(ids);
    });
    const m2 = await mark();
    expect(new Set(ids).size).toBe(bulk.length);

    const byAssignment = new Map<string, number>();
    single.forEach((a, k) => byAssignment.set(a.assignmentId, k));
    bulk.forEach((a, k) => byAssignment.set(a.assignmentId, k));
    const rowsOf = async (list: { assignmentId: string }[]) => {
      const r = await db.query(
        `select id::text, assignment_id::text, region_code, source::text, target_id::text, target_name, category::text,
                department_code, jurisdiction_code, item_codes, implementation_codes, key_points, planned_on::text,
                team, team_police_nos, state::text, outcome::text, checklist, findings, penalty::text, row_version,
                follow_up_of, appeal_code
           from inspection where assignment_id = any($1::uuid[])`,
        [list.map((a) => a.assignmentId)],
      );
      return r.rows;
    };
    // The single path lists team and items in whatever order the database returned them; the bulk
    // path keeps the given (draw) order. Compare as sets where the order is not part of the contract.
    const norm = (r: Record<string, unknown>) => {
      const team = r.team as { inspectorId: string }[];
      const pairs = (r.item_codes as string[]).map(
        (c, k) => `${c}=${(r.implementation_codes as string[])[k]}`,
      );
      const kps = (r.key_points as { itemCode: string; code: string }[]).map((k) => JSON.stringify(k));
      expect(r.appeal_code).toMatch(/^[2-9A-HJ-NP-Z]{12}$/);
      return {
        n: byAssignment.get(r.assignment_id as string),
        ...r,
        id: undefined,
        assignment_id: undefined,
        appeal_code: undefined,
        team: [...team].sort((a, b) => a.inspectorId.localeCompare(b.inspectorId)),
        team_police_nos: [...(r.team_police_nos as string[])].sort(),
        item_codes: undefined,
        implementation_codes: undefined,
        pairs: pairs.sort(),
        key_points: kps.sort(),
      };
    };
    const a = (await rowsOf(single)).map(norm).sort((x, y) => x.n! - y.n!);
    const b = (await rowsOf(bulk)).map(norm).sort((x, y) => x.n! - y.n!);
    expect(a).toHaveLength(single.length);
    expect(b).toEqual(a);
    // Bulk teams are in the given order.
    const bulkRows = await rowsOf(bulk);
    for (const r of bulkRows) {
      const k = byAssignment.get(r.assignment_id as string)!;
      expect((r.team as { inspectorId: string }[]).map((t) => t.inspectorId)).toEqual(bulk[k]!.inspectorIds);
    }

    const idToN = new Map<string, number>();
    for (const r of [...(await rowsOf(single)), ...bulkRows])
      idToN.set(r.id as string, byAssignment.get(r.assignment_id as string)!);
    const auditOf = async (from: string, to: string) => {
      const r = await db.query(
        `select actor_id, actor_role, actor_dept, action, entity_type, entity_id, before_digest, after_digest, details
           from audit_event where id > $1 and id <= $2 order by id`,
        [from, to],
      );
      return r.rows.map((x) => ({
        ...x,
        entity_id: idToN.get(x.entity_id as string),
        details: {
          ...(x.details as Record<string, unknown>),
          assignmentId: byAssignment.get((x.details as { assignmentId: string }).assignmentId),
          team: [...((x.details as { team: string[] }).team ?? [])].sort(),
        },
      }));
    };
    const auditSingle = await auditOf(m0.a, m1.a);
    expect(auditSingle).toHaveLength(single.length);
    expect(await auditOf(m1.a, m2.a)).toEqual(auditSingle);

    const eventsOf = async (from: string, to: string) => {
      const r = await db.query(
        `select topic, entity_type, entity_id, department_code, jurisdiction_code, recipient, payload
           from event_log where id > $1 and id <= $2 order by id`,
        [from, to],
      );
      // Per inspection: the change event, then one task per member (members in team order).
      const groups = new Map<number, string[]>();
      for (const x of r.rows) {
        const n = idToN.get(x.entity_id as string)!;
        const { inspectionId, ...payload } = x.payload as Record<string, unknown>;
        expect(idToN.get(inspectionId as string)).toBe(n);
        const line = JSON.stringify({ ...x, entity_id: n, recipient: undefined, payload });
        groups.set(n, [...(groups.get(n) ?? []), `${line}|${x.recipient ?? ''}`]);
      }
      return [...groups.entries()].map(([n, lines]) => ({ n, first: lines[0], rest: lines.slice(1).sort() }));
    };
    const evSingle = await eventsOf(m0.e, m1.e);
    expect(evSingle.map((g) => g.n)).toEqual(single.map((_, k) => k));
    expect(await eventsOf(m1.e, m2.e)).toEqual(evSingle);
    await chainOk();
  });
});

describe('lock of a draw with many assignments', () => {
  let lockedRaw = '';
  let lockedSeed = '';

  it('seals the seed, locks in bulk, and every subscriber receives every event in order', async () => {
    const sup = await tp.token(Role.SUPERVISOR, 'ZA', 'sup-a');
    const admin = await tp.token(Role.ADMIN);
    const { drawId, rawId } = await drawnDraw(sup);
    const sealedBefore = await storedSeed(rawId);
    expect(sealedBefore).toMatch(/^v1\./);

    const topics = ['inspectionChanged', 'inspectionTask', 'drawLocked', 'inspectionAssigned'];
    const ws = createClient({
      url: tp.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${admin}` },
      retryAttempts: 0,
    });
    const got: string[] = [];
    ws.subscribe<{ events: { id: string } }>(
      { query: `subscription($t: [String!]!) { events(topics: $t) { id } }`, variables: { t: topics } },
      { next: (v) => got.push(v.data!.events.id), error: () => undefined, complete: () => undefined },
    );
    await new Promise((r) => setTimeout(r, 300));
    const before = await db.query(`select coalesce(max(id), 0)::text as e from event_log`);

    const l = await tp.gql<{ lockDraw: { status: string; seed: string } }>(LOCK, { d: drawId }, sup);
    expect(l.errors, JSON.stringify(l.errors)).toBeUndefined();
    expect(l.data!.lockDraw.status).toBe('LOCKED');
    const seed = l.data!.lockDraw.seed;
    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    expect(sealedBefore).not.toContain(seed);
    const sealedAfter = await storedSeed(rawId);
    expect(sealedAfter).toMatch(/^v1\./);
    expect(sealedAfter).not.toContain(seed);

    const n = await db.query(
      `select count(*)::int as a, count(i.id)::int as i, count(distinct i.id)::int as d
         from draw_assignment a left join inspection i on i.assignment_id = a.id where a.draw_id = $1`,
      [rawId],
    );
    expect(n.rows[0]).toEqual({ a: PAWNS, i: PAWNS, d: PAWNS });
    const audit = await db.query(
      `select count(*)::int as n from audit_event where action = 'inspection.create'
          and entity_id in (select i.id::text from inspection i join draw_assignment a on a.id = i.assignment_id where a.draw_id = $1)`,
      [rawId],
    );
    expect(audit.rows[0].n).toBe(PAWNS);
    const ev = await db.query(
      `select id::text, topic from event_log where id > $1 and topic = any($2) order by event_log.id`,
      [before.rows[0].e, topics],
    );
    const count = (t: string) => ev.rows.filter((r) => r.topic === t).length;
    expect([
      count('inspectionChanged'),
      count('inspectionTask'),
      count('drawLocked'),
      count('inspectionAssigned'),
    ]).toEqual([PAWNS, 2 * PAWNS, 1, 2 * PAWNS]);
    const locked = await db.query(
      `select payload->>'seed' as seed from event_log where topic = 'drawLocked' and entity_id = $1`,
      [rawId],
    );
    expect(locked.rows[0].seed).toBe(seed);
    for (let k = 0; k < 50 && got.length < ev.rows.length; k++) await new Promise((r) => setTimeout(r, 100));
    await ws.dispose();
    expect(got).toEqual(ev.rows.map((r) => r.id));
    await chainOk();

    const v = await tp.gql<{ verifyDraw: { match: boolean } }>(VERIFY, { d: drawId }, sup);
    expect(v.data!.verifyDraw.match).toBe(true);
    const rec = await tp.gql<{ publishedDrawRecord: { seed: string } }>(
      `query($d: ID!) { publishedDrawRecord(id: $d) }`,
      { d: drawId },
    );
    expect(rec.data!.publishedDrawRecord.seed).toBe(seed);
    lockedRaw = rawId;
    lockedSeed = seed;
  });

  it('reads a legacy row whose seed is still clear hex', async () => {
    const sup = await tp.token(Role.SUPERVISOR, 'ZA', 'sup-a');
    await db.query(`update sampling_draw set seed_sealed = $2 where id = $1`, [lockedRaw, lockedSeed]);
    const gid = Buffer.from(`Draw:${lockedRaw}`).toString('base64');
    const v = await tp.gql<{ verifyDraw: { match: boolean } }>(VERIFY, { d: gid }, sup);
    expect(v.data!.verifyDraw.match).toBe(true);
    const d = await tp.gql<{ draw: { seed: string } }>(
      `query($d: ID!) { draw(id: $d) { seed } }`,
      { d: gid },
      sup,
    );
    expect(d.data!.draw.seed).toBe(lockedSeed);
  });

  it('refuses the whole lock when one team fails the checks, naming the target', async () => {
    const sup = await tp.token(Role.SUPERVISOR, 'ZA', 'sup-a');
    // A new attempt needs a new plan: the earlier one is locked.
    const { drawId, rawId } = await drawnDraw(sup);
    const result = await db.query(
      `select result->'assignment'->'teams'->5 as team from sampling_draw where id = $1`,
      [rawId],
    );
    const team = result.rows[0].team as { targetId: string; inspectorIds: string[] };
    await db.query(`update inspector set status = 'ON_LEAVE' where id = $1`, [team.inspectorIds[1]]);
    const counts = async () =>
      (
        await db.query(
          `select (select count(*) from inspection)::int as i, (select count(*) from audit_event)::int as a,
                  (select count(*) from event_log)::int as e, (select count(*) from draw_assignment where draw_id = $1)::int as d`,
          [rawId],
        )
      ).rows[0];
    const before = await counts();
    try {
      const l = await tp.gql(LOCK, { d: drawId }, sup);
      const err = l.errors?.[0];
      expect(err?.extensions?.code).toBe('INSPECTION_TEAM_INVALID');
      const first = (
        await db.query(
          `select t->>'targetId' as target from sampling_draw, jsonb_array_elements(result->'assignment'->'teams') with ordinality as x(t, n)
            where id = $1 and t->'inspectorIds' ? $2 order by n limit 1`,
          [rawId, team.inspectorIds[1]],
        )
      ).rows[0].target as string;
      expect(err?.extensions?.targetId).toBe(first);
      expect(err?.message).toContain(first);
      expect(err?.message).toMatch(/inspectorIds: inspector \d+ is not active/);
      expect(await counts()).toEqual(before);
      const status = await db.query(`select status::text from sampling_draw where id = $1`, [rawId]);
      expect(status.rows[0].status).toBe('DRAWN');
      expect(await storedSeed(rawId)).toMatch(/^v1\./);
    } finally {
      await db.query(`update inspector set status = 'ACTIVE' where id = $1`, [team.inspectorIds[1]]);
    }
    const again = await tp.gql<{ lockDraw: { status: string } }>(LOCK, { d: drawId }, sup);
    expect(again.errors).toBeUndefined();
    expect(again.data!.lockDraw.status).toBe('LOCKED');
    await chainOk();
  });

  it('pii:rotate re-seals every draw seed under the new key, legacy clear seeds included', async () => {
    const draws = await db.query(`select id, seed_sealed from sampling_draw order by id`);
    expect(draws.rows.some((r) => /^[0-9a-f]{64}$/.test(r.seed_sealed as string))).toBe(true);
    const oldPii = new PiiService(tp.piiKeyring, tp.piiIndexKey);
    const clear = new Map(
      draws.rows.map((r) => {
        const s = r.seed_sealed as string;
        return [r.id as string, /^[0-9a-f]{64}$/.test(s) ? s : oldPii.openSecret(s)];
      }),
    );
    const keyring = `${tp.piiKeyring},k9:${randomBytes(32).toString('hex')}`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/pii-rotate.ts'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: tp.platform.databaseUrl,
        PII_KEYRING: keyring,
        PII_INDEX_KEY: tp.piiIndexKey,
        LOG_LEVEL: 'silent',
      },
    });
    expect(run.stderr.toString()).toBe('');
    expect(run.stdout.toString()).toContain(`${draws.rowCount} draw seeds`);
    const newPii = new PiiService(keyring, tp.piiIndexKey);
    const after = await db.query(`select id, seed_sealed from sampling_draw order by id`);
    for (const r of after.rows) {
      expect((r.seed_sealed as string).split('.')[1]).toBe('k9');
      expect(newPii.openSecret(r.seed_sealed as string)).toBe(clear.get(r.id as string));
    }
  });
});
