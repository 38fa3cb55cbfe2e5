import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { startTestPlatform, Role, type TestPlatform } from '../support/platform.js';

let tp: TestPlatform;
let base: string;

beforeAll(async () => {
  tp = await startTestPlatform({
    demoScale: 200,
    env: { GRAPHQL_COST_BUDGETS: 'ANALYST:3000', GRAPHQL_RATE_LIMIT_PER_MINUTE: '40' },
  });
  base = tp.url.replace('/graphql', '');
});
afterAll(async () => {
  await tp?.stop();
});

async function post(body: unknown, token?: string, headers: Record<string, string> = {}) {
  const res = await fetch(tp.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** SQL this request's resolvers would run (background jobs and simulators may run other SQL meanwhile). */
function resolverSql(since: number): string[] {
  return tp.queries.slice(since).filter((q) => /"(target|target_person|person|department)"/.test(q));
}

async function scrape(): Promise<string> {
  return (await fetch(`${base}/metrics`)).text();
}

function counter(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : 0;
}

/**
 * Three aliased pages of targets, each through edges and nodes with persons:
 * 3 × (1 + n × ((1 + 1 + 11) + (1 + 11))) = 3 × (1 + 25n): 7503 for n = 100, 378 for n = 5.
 */
const PAGE = `targets(first: $n) { edges { node { persons { person { name } } } } nodes { persons { person { name } } } }`;
const COSTLY = `query Costly($n: Int) { a: ${PAGE} b: ${PAGE} c: ${PAGE} }`;

describe('abusive queries are refused before any resolver runs', () => {
  it('refuses an operation over the cost limit with QUERY_TOO_COSTLY, no data, no SQL and no execution', async () => {
    const t = await tp.token(Role.SUPERVISOR, 'ZA', 'cost-check');
    const before = counter(await scrape(), 'shuangsui_graphql_executions_started_total', 'type="query"');
    const sqlBefore = tp.queries.length;
    const r = await post({ query: COSTLY, variables: { n: 100 } }, t);
    expect(resolverSql(sqlBefore)).toEqual([]);
    expect(r.status).toBe(400);
    expect(r.body).not.toHaveProperty('data');
    const errors = r.body.errors as { message: string; extensions: { code: string; messageZh?: string } }[];
    expect(errors[0]!.extensions.code).toBe('QUERY_TOO_COSTLY');
    expect(errors[0]!.extensions.messageZh).toMatch(/代价/);
    expect(errors[0]!.message).toMatch(/cost 7503 exceeds the limit of 5000/);
    const after = counter(await scrape(), 'shuangsui_graphql_executions_started_total', 'type="query"');
    expect(after).toBe(before);

    // The same document with small pages is cheap and runs: the cost follows the real variables.
    const ok = await post({ query: COSTLY, variables: { n: 5 } }, t);
    expect(ok.body.errors).toBeUndefined();
    expect((ok.body.data as { a: { nodes: unknown[] } }).a.nodes).toHaveLength(5);
  });

  it('refuses the same abuse over graphql-ws', async () => {
    const t = await tp.token(Role.SUPERVISOR, 'ZA', 'ws-cost');
    const client = createClient({
      url: tp.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${t}` },
      retryAttempts: 0,
    });
    const errors = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: COSTLY, variables: { n: 100 } },
        { next: () => undefined, error: resolve, complete: () => resolve(null) },
      );
    });
    await client.dispose();
    expect(JSON.stringify(errors)).toContain('QUERY_TOO_COSTLY');
  });
});

describe('budgets and rate limits', () => {
  it('spends a per-role cost budget per token and answers 429 with Retry-After when it is gone', async () => {
    const q = `{ targets(first: 100) { nodes { persons { person { name } } } } }`; // 1 + 100 × 12 = 1201
    const a1 = await tp.token(Role.ANALYST, 'ZA', 'budget-a');
    expect((await post({ query: q }, a1)).body.errors).toBeUndefined();
    expect((await post({ query: q }, a1)).body.errors).toBeUndefined();
    const sqlBefore = tp.queries.length;
    const third = await post({ query: q }, a1);
    expect(resolverSql(sqlBefore)).toEqual([]);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((third.body.errors as { extensions: { code: string } }[])[0]!.extensions.code).toBe(
      'COST_BUDGET_EXCEEDED',
    );
    expect(third.body).not.toHaveProperty('data');
    // Another analyst has a budget of its own; a supervisor's role budget is larger.
    const a2 = await tp.token(Role.ANALYST, 'ZA', 'budget-b');
    expect((await post({ query: q }, a2)).body.errors).toBeUndefined();
    const s = await tp.token(Role.SUPERVISOR, 'ZA', 'budget-s');
    for (let i = 0; i < 4; i++) expect((await post({ query: q }, s)).body.errors).toBeUndefined();
  });

  it('limits operations per token per minute with RATE_LIMITED', async () => {
    const t = await tp.token(Role.ANALYST, 'ZA', 'rate-check');
    const code = async () =>
      (
        (await post({ query: '{ me { role } }' }, t)).body.errors as
          { extensions: { code: string } }[] | undefined
      )?.[0]?.extensions.code;
    const start = Date.now();
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 40; i++) codes.push(await code());
    expect(codes.every((c) => c === undefined)).toBe(true);
    // The bucket refills continuously, one token every 1.5 s: a slow machine may earn a few more
    // operations while spending the 40, never more than the time elapsed pays for.
    let extra = 0;
    for (let c = await code(); c !== 'RATE_LIMITED'; c = await code()) {
      expect(c).toBeUndefined();
      expect(++extra).toBeLessThanOrEqual(Math.floor((Date.now() - start) / 1500));
    }
    const other = await tp.token(Role.ANALYST, 'ZA', 'rate-other');
    expect((await post({ query: '{ me { role } }' }, other)).body.errors).toBeUndefined();
  });
});

describe('observability', () => {
  it('echoes x-request-id, logs it, and exposes the series at /metrics', async () => {
    const t = await tp.token(Role.SUPERVISOR, 'ZA', 'metrics-check');
    const r = await post({ query: 'query DashMe { me { role } }', operationName: 'DashMe' }, t, {
      'x-request-id': 'req-abc-123',
      'x-client-name': 'dash-web',
    });
    expect(r.headers.get('x-request-id')).toBe('req-abc-123');
    const generated = await post({ query: '{ me { role } }' }, t);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((res) => setTimeout(res, 20));
    const line = tp.logs.find((l) => l.includes('req-abc-123') && l.includes('request completed'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({
      req: { method: 'POST', path: '/graphql', client: 'dash-web' },
      res: { statusCode: 200 },
    });

    tp.platform.services.metrics.setOutboxDepth(7);
    tp.platform.services.metrics.setSyncLag('hotel', 42);
    const m = await scrape();
    expect(m).toMatch(/shuangsui_http_requests_total\{method="POST",route="\/graphql",status="200"\} \d+/);
    expect(m).toMatch(
      /shuangsui_graphql_operation_duration_seconds_bucket\{le="[^"]+",operation="DashMe",type="query"\}/,
    );
    expect(m).toMatch(/shuangsui_graphql_operations_total\{operation="DashMe",type="query",outcome="ok"\} 1/);
    expect(m).toMatch(/shuangsui_graphql_errors_total\{code="RATE_LIMITED"\} 1/);
    expect(m).toMatch(/shuangsui_db_pool_connections\{state="max"\} \d+/);
    expect(m).toContain('shuangsui_outbox_depth 7');
    expect(m).toContain('shuangsui_sync_lag_seconds{source="hotel"} 42');
    expect(m).toMatch(/shuangsui_dead_letters \d+/);
    expect(m).toMatch(/shuangsui_jobs_running \d+/);
    expect(m).toMatch(/shuangsui_graphql_document_cache_total\{result="hit"\} \d+/);
  });

  it('parses and validates each distinct document once (document cache)', async () => {
    const t = await tp.token(Role.SUPERVISOR, 'ZA', 'cache-check');
    const q = `query CacheProbe { me { role dept } }`;
    const hits = () =>
      scrape().then((m) => counter(m, 'shuangsui_graphql_document_cache_total', 'result="hit"'));
    const misses = () =>
      scrape().then((m) => counter(m, 'shuangsui_graphql_document_cache_total', 'result="miss"'));
    const [h0, m0] = [await hits(), await misses()];
    for (let i = 0; i < 5; i++) await post({ query: q }, t);
    expect((await misses()) - m0).toBe(1);
    expect((await hits()) - h0).toBe(4);
  });
});
