import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';
import { Scheduler } from '../../src/modules/jobs/scheduler.js';
import { CronExpr } from '../../src/modules/jobs/cron-expr.js';
import { createLogger } from '../../src/shared/logger.js';

let a: TestPlatform;
let b: TestPlatform;

beforeAll(async () => {
  a = await startTestPlatform({ demoScale: 50 });
  b = await startTestPlatform({ sameDatabaseAs: a, demo: false });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

function wsClient(tp: TestPlatform, token: string): Client {
  return createClient({
    url: tp.url.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
}

function collect(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  n: number,
): Promise<{ id: string; entityId: string }[]> {
  return new Promise((resolve, reject) => {
    const got: { id: string; entityId: string }[] = [];
    const unsubscribe = client.subscribe<{ events: { id: string; entityId: string } }>(
      { query, variables },
      {
        next: (v) => {
          got.push(v.data!.events);
          if (got.length === n) {
            unsubscribe();
            resolve(got);
          }
        },
        error: reject,
        complete: () => resolve(got),
      },
    );
  });
}

const SUB = `subscription($since: ID) { events(topics: ["targetChanged"], since: $since) { id entityId } }`;
const CREATE = `mutation($n: String!) { createTarget(input: { category: HOTEL, name: $n, jurisdictionCode: "350322510000" }) { id } }`;

describe('live updates across replicas', () => {
  it('delivers a change made on replica A to a subscriber on replica B, and resumes with since without gaps', async () => {
    const admin = await a.token(Role.ADMIN);
    const onB = wsClient(b, admin);
    const first = collect(onB, SUB, {}, 2);
    await new Promise((r) => setTimeout(r, 300));
    await a.gql(CREATE, { n: '跨副本宾馆一' }, admin);
    await a.gql(CREATE, { n: '跨副本宾馆二' }, admin);
    const seen = await first;
    await onB.dispose();
    expect(seen).toHaveLength(2);

    // While nobody listens, two more changes; a client reconnecting to replica A with since gets them.
    await b.gql(CREATE, { n: '跨副本宾馆三' }, admin);
    await b.gql(CREATE, { n: '跨副本宾馆四' }, admin);
    const onA = wsClient(a, admin);
    const resumed = await collect(onA, SUB, { since: seen[1]!.id }, 2);
    await onA.dispose();
    expect(resumed.map((e) => BigInt(e.id) > BigInt(seen[1]!.id))).toEqual([true, true]);
  });

  it('filters events by jurisdiction for police stations', async () => {
    const admin = await a.token(Role.ADMIN);
    const station = await a.token(Role.INSPECTOR, 'PCS-FT');
    const client = wsClient(b, station);
    const got: unknown[] = [];
    client.subscribe(
      { query: SUB, variables: {} },
      { next: (v) => got.push(v), error: () => undefined, complete: () => undefined },
    );
    await new Promise((r) => setTimeout(r, 300));
    await a.gql(CREATE, { n: '鲤城辖区宾馆' }, admin);
    await new Promise((r) => setTimeout(r, 500));
    await client.dispose();
    expect(got).toHaveLength(0);
  });

  it('refuses non-public topics without a token', async () => {
    const client = createClient({
      url: a.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const err = await new Promise((resolve) => {
      client.subscribe(
        { query: SUB, variables: {} },
        { next: () => undefined, error: resolve, complete: () => resolve(null) },
      );
    });
    await client.dispose();
    expect(JSON.stringify(err)).toContain('without a token only these topics');
  });
});

describe('scheduled jobs across replicas', () => {
  it('runs one job per slot even when two replicas tick together, and catches a missed slot up once', async () => {
    const log = createLogger('silent');
    let runs = 0;
    const def = {
      name: 'test:slot',
      cron: '*/5 * * * *',
      run: async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 50));
        return { ok: true };
      },
    };
    const s1 = new Scheduler(a.platform.orm, log);
    const s2 = new Scheduler(b.platform.orm, log);
    s1.register(def);
    s2.register(def);
    const slot = new Date('2026-11-20T02:05:00Z');
    const [r1, r2] = await Promise.all([s1.tick('test:slot', slot), s2.tick('test:slot', slot)]);
    expect([r1, r2].filter(Boolean)).toHaveLength(1);
    expect(runs).toBe(1);
    // Catch-up at 02:17: the 02:15 slot was missed; it runs once, a second catch-up does nothing.
    const now = new Date('2026-11-20T02:17:30Z');
    const c1 = await s1.catchUp('test:slot', now);
    const c2 = await s2.catchUp('test:slot', now);
    expect(c1?.status).toBe('DONE');
    expect(c2).toBeNull();
    expect(runs).toBe(2);
    const db = new pg.Client({ connectionString: a.platform.databaseUrl });
    await db.connect();
    const rows = await db.query(`select slot from job_run where job = 'test:slot' order by slot`);
    await db.end();
    expect(rows.rows.map((r) => (r.slot as Date).toISOString())).toEqual([
      '2026-11-20T02:05:00.000Z',
      '2026-11-20T02:15:00.000Z',
    ]);
  });

  it('refuses a manual trigger while a run is in progress on another replica', async () => {
    const log = createLogger('silent');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const def = { name: 'test:long', cron: null, run: () => gate.then(() => ({})) };
    const s1 = new Scheduler(a.platform.orm, log);
    const s2 = new Scheduler(b.platform.orm, log);
    s1.register(def);
    s2.register(def);
    const running = s1.trigger('test:long');
    await new Promise((r) => setTimeout(r, 100));
    await expect(s2.trigger('test:long')).rejects.toMatchObject({ code: 'JOB_ALREADY_RUNNING' });
    release();
    expect((await running).status).toBe('DONE');
  });
});

describe('cron expressions', () => {
  it('finds previous and next slots in Asia/Shanghai', () => {
    const c = new CronExpr('0 2 * * *');
    expect(c.previous(new Date('2026-11-20T10:00:00Z'))?.toISOString()).toBe('2026-11-19T18:00:00.000Z');
    expect(c.next(new Date('2026-11-20T10:00:00Z'))?.toISOString()).toBe('2026-11-20T18:00:00.000Z');
    expect(() => new CronExpr('61 * * * *')).toThrow(/out of range/);
  });
});
