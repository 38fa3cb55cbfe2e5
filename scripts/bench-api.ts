/**
 * Benchmark of the dashboard API under load (not a test; prints numbers):
 *
 *   npm run bench:api [-- --targets=1000000 --connections=32 --seconds=10 --rounds=3] [-- --fresh] [-- --load-only]
 *
 * The demo county (plus an inspection history: one closed inspection for two targets in three) is
 * loaded once into a persistent embedded PostgreSQL under `<tmpdir>/shuangsui-bench-api` (or the
 * server at DATABASE_URL) and reused by later runs (`--fresh` reloads). Each server under test runs
 * ALONE in its own child process — first the platform (Apollo, type-graphql, MikroORM, auth, policy,
 * protection), then the baseline (the same SQL through `pg` and graphql-js `execute` with a document
 * cache on a bare `node:http` server) — while this process only generates load with autocannon. Both
 * get a warm-up before measuring. Operations: a targets page of 50 with nested responsible persons
 * and last inspection, and a coverage aggregate by department × month. Prints requests/s, p50/p99.
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import pg from 'pg';
import { benchServer, loadedBenchDatabase } from './bench-database.js';
import { buildSchema, execute, parse, validate, type DocumentNode } from 'graphql';
import { loadConfig, type AppConfig } from '../src/config/config.js';
import { createLogger } from '../src/shared/logger.js';
import { startPlatform } from '../src/app.js';
import { mintToken, Role } from '../src/graphql/auth.js';
import { toGlobalId } from '../src/graphql/node.js';
import {
  aggregateSubject,
  AggregateDimension,
  AggregateSubject,
} from '../src/modules/dashboard/aggregate-registry.js';
import { buildAggregateSql } from '../src/modules/dashboard/aggregate.service.js';
import {
  AggregateFunction,
  TimeBucket,
  type AggregateArgs,
} from '../src/modules/dashboard/aggregate.types.js';
import { lastInspectionSql } from '../src/modules/inspections/last-inspection.sql.js';
import { SERVER_NODE_FLAGS } from '../src/config/server-node-flags.js';

function arg(name: string, fallback: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : fallback;
}
function strArg(name: string): string | undefined {
  return process.argv.find((x) => x.startsWith(`--${name}=`))?.slice(name.length + 3);
}

const TARGETS = arg('targets', 1_000_000);
const CONNECTIONS = arg('connections', 32);
const SECONDS = arg('seconds', 10);
const WARMUP_SECONDS = Math.min(3, SECONDS);
const FRESH = process.argv.includes('--fresh');
/** `--load-only` prepares (or checks) the bench database and stops before measuring. */
const LOAD_ONLY = process.argv.includes('--load-only');
/** `--profile` writes a V8 CPU profile of each server child under `<bench dir>/profiles`. */
const PROFILE = process.argv.includes('--profile');
/** `--ops=page,aggregate,floor` picks the operations (default page,aggregate; floor is `{ __typename }`). */
const OPS = (strArg('ops') ?? 'page,aggregate').split(',');
/** Sequential requests per operation for the server-CPU-per-request figure (Linux /proc; 0 skips). */
const CPU_REQUESTS = arg('cpu-requests', 300);
const SERVE = strArg('serve');
/**
 * `--rounds=N` measures platform then baseline N times, each server started afresh, and reports
 * every round and the median ratio: on a shared machine the load changes within minutes, and one
 * platform-then-baseline pass can land on either side of a change (0.62× and 0.98× minutes apart).
 */
const ROUNDS = Math.max(1, arg('rounds', 1));
const BENCH_DIR = path.join(os.tmpdir(), 'shuangsui-bench-api');
/** Both servers get the same number of database connections (the platform's pool is 10). */
const POOL = 10;
const log = createLogger('warn');

interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
// autocannon ships no type declarations.
const autocannon = createRequire(import.meta.url)('autocannon') as (
  opts: Record<string, unknown>,
) => Promise<CannonResult>;

const PAGE = `query Page { targets(first: 50, sort: NAME) {
  nodes { id name category jurisdictionCode persons { role person { name idMasked } }
    lastInspection { id inspectedOn outcome } }
  pageInfo { hasNextPage endCursor } } }`;
const COVERAGE = `query Coverage { aggregate(subject: TARGETS, groupBy: [DEPARTMENT, PERIOD], bucket: MONTH) { rows { keys values } } }`;

const BASELINE_SDL = `
  type Person { name: String! idMasked: String }
  type TargetPerson { role: String! person: Person! }
  type Inspection { id: ID! inspectedOn: String outcome: String }
  type Target { id: ID! name: String! category: String! jurisdictionCode: String!
    persons: [TargetPerson!]! lastInspection: Inspection }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type TargetConnection { nodes: [Target!]! pageInfo: PageInfo! }
  type AggregateRow { keys: [String]! values: [String]! }
  type AggregateResult { rows: [AggregateRow!]! }
  enum AggregateSubject { TARGETS }
  enum AggregateDimension { DEPARTMENT PERIOD }
  enum TimeBucket { MONTH }
  enum TargetSort { NAME }
  type Query {
    targets(first: Int!, sort: TargetSort): TargetConnection!
    aggregate(subject: AggregateSubject!, groupBy: [AggregateDimension!]!, bucket: TimeBucket): AggregateResult!
  }`;

/** The baseline: the same SQL on a bare node:http server, graphql-js with a document cache. */
function startBaseline(pool: pg.Pool): Promise<http.Server> {
  const schema = buildSchema(BASELINE_SDL);
  const documents = new Map<string, DocumentNode>();
  const coverage: AggregateArgs = {
    subject: AggregateSubject.TARGETS,
    groupBy: [AggregateDimension.DEPARTMENT, AggregateDimension.PERIOD],
    bucket: TimeBucket.MONTH,
    measures: [{ fn: AggregateFunction.COUNT }],
    filters: [],
    having: [],
    orderBy: [],
    first: 500,
  };
  const root = {
    targets: async () => {
      const t = await pool.query<{ id: string; name: string; category: string; jurisdiction_code: string }>(
        `select id, name, category::text, jurisdiction_code from target where archived_at is null
         order by name asc, id asc limit 51`,
      );
      const rows = t.rows.slice(0, 50);
      const ids = rows.map((r) => r.id);
      const [persons, last] = await Promise.all([
        pool.query<{ target_id: string; role: string; name: string; id_masked: string | null }>(
          `select tp.target_id, tp.role::text, p.name, p.id_masked from target_person tp join person p on p.id = tp.person_id
           where tp.target_id = any($1) order by tp.role asc, tp.id asc`,
          [ids],
        ),
        pool.query<{ target_id: string; id: string; inspected_on: string; outcome: string | null }>(
          // The columns the platform's projection reads for this selection (id, target, scope, fields).
          lastInspectionSql(['id', 'target_id', 'jurisdiction_code', 'inspected_on', 'outcome']).replace(
            '?',
            '$1',
          ),
          [ids],
        ),
      ]);
      const by = new Map<string, { role: string; person: { name: string; idMasked: string | null } }[]>();
      for (const p of persons.rows) {
        const list = by.get(p.target_id) ?? [];
        list.push({ role: p.role, person: { name: p.name, idMasked: p.id_masked } });
        by.set(p.target_id, list);
      }
      const lastBy = new Map(last.rows.map((r) => [r.target_id, r]));
      const end = rows.at(-1);
      return {
        nodes: rows.map((r) => {
          const li = lastBy.get(r.id);
          return {
            id: toGlobalId('Target', r.id),
            name: r.name,
            category: r.category,
            jurisdictionCode: r.jurisdiction_code,
            persons: by.get(r.id) ?? [],
            lastInspection: li
              ? { id: toGlobalId('Inspection', li.id), inspectedOn: li.inspected_on, outcome: li.outcome }
              : null,
          };
        }),
        pageInfo: {
          hasNextPage: t.rows.length > 50,
          endCursor: end ? Buffer.from(JSON.stringify([end.name, end.id])).toString('base64url') : null,
        },
      };
    },
    aggregate: async () => {
      const built = buildAggregateSql(
        aggregateSubject(AggregateSubject.TARGETS)!,
        coverage,
        new Date(),
        null,
      );
      let i = 0;
      const r = await pool.query<Record<string, string | null>>(
        built.sql.replace(/\?/g, () => `$${++i}`),
        built.params,
      );
      return { rows: r.rows.slice(0, 500).map((x) => ({ keys: [x.k0, x.k1], values: [x.m0] })) };
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string };
        let doc = documents.get(body.query);
        if (!doc) {
          doc = parse(body.query);
          if (validate(schema, doc).length) throw new Error('invalid');
          documents.set(body.query, doc);
        }
        const result = await execute({ schema, document: doc, rootValue: root });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(result));
      })().catch((e: unknown) => {
        res.writeHead(500);
        res.end(String(e));
      });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function benchConfig(url: string, demo: boolean): AppConfig {
  return loadConfig({
    DATABASE_URL: url,
    DATA_DIR: BENCH_DIR,
    PORT: '0',
    HOST: '127.0.0.1',
    DEMO: String(demo),
    DEMO_SCALE: String(TARGETS),
    SIMULATORS: 'false',
    LOG_LEVEL: 'warn',
    GRAPHQL_RATE_LIMIT_PER_MINUTE: '0',
    GRAPHQL_COST_BUDGETS: 'ANALYST:0',
  });
}

/** Child half: serves one side until SIGTERM; prints `READY <port>` when listening. */
async function serveChild(side: string, url: string): Promise<void> {
  let stop: () => Promise<void>;
  let port: number;
  if (side === 'platform') {
    const platform = await startPlatform(benchConfig(url, true), log);
    port = platform.port;
    stop = () => platform.stop();
  } else {
    // The platform reads dates as 'YYYY-MM-DD' text; so does the baseline.
    pg.types.setTypeParser(1082, (v: string) => v);
    const pool = new pg.Pool({ connectionString: url, max: POOL });
    const server = await startBaseline(pool);
    port = (server.address() as { port: number }).port;
    stop = async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await pool.end();
    };
  }
  process.stdout.write(`READY ${port}\n`);
  process.once('SIGTERM', () => {
    void stop().then(() => process.exit(0));
  });
}

interface Child {
  port: number;
  proc: ChildProcess;
}

function spawnServer(side: 'platform' | 'baseline', url: string): Promise<Child> {
  const proc = spawn(
    process.execPath,
    [
      ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.join(BENCH_DIR, 'profiles')}`] : []),
      // Both servers with the V8 flags the platform is deployed with.
      ...SERVER_NODE_FLAGS,
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      `--serve=${side}`,
      `--url=${url}`,
      `--targets=${TARGETS}`,
    ],
    // Both servers run as deployed: graphql-js skips its development-only checks in production.
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (line) => {
      const m = /^READY (\d+)$/.exec(line);
      if (m) resolve({ port: Number(m[1]), proc });
      else process.stdout.write(`[${side}] ${line}\n`);
    });
    proc.on('exit', (code) => reject(new Error(`${side} server exited with ${code}`)));
  });
}

function stopServer(c: Child): Promise<void> {
  return new Promise((resolve) => {
    c.proc.removeAllListeners('exit');
    c.proc.once('exit', () => resolve());
    c.proc.kill('SIGTERM');
  });
}

async function load(url: string, query: string, seconds: number, token?: string) {
  const r = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    // A full-roster aggregate at city scale takes seconds under 32 connections: count it, do not drop it.
    timeout: 120,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

/** Server process CPU time (user + system, ms) from /proc; null where there is no /proc. */
function processCpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/**
 * The server's CPU per request, from `CPU_REQUESTS` sequential requests (one at a time, so no
 * queueing and no load generator in the way): what each side's code costs, apart from throughput.
 */
async function cpuPerRequest(c: Child, url: string, query: string, token?: string): Promise<number | null> {
  if (!CPU_REQUESTS || c.proc.pid === undefined) return null;
  const before = processCpuMs(c.proc.pid);
  if (before === null) return null;
  for (let i = 0; i < CPU_REQUESTS; i++) await check(url, query, token);
  return (processCpuMs(c.proc.pid)! - before) / CPU_REQUESTS;
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const cpuText = (ms: number | null | undefined) =>
  ms == null ? '' : `  server CPU ${ms.toFixed(2)} ms/request`;

/** One request, checked: no GraphQL errors; returns how many targets carry a last inspection. */
async function check(url: string, query: string, token?: string): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const text = await res.text();
  const body = JSON.parse(text) as { errors?: unknown };
  if (body.errors) throw new Error(`${url}: ${JSON.stringify(body.errors)}`);
  return text;
}

/** Marker stored as the database comment once the demo and history are fully loaded. */
const MARKER = `shuangsui-bench-api loaded targets=${TARGETS} history=v1`;

/**
 * Inspection history for the bench: one closed inspection in the past year for two targets in three
 * (deterministic), as the inspections module would have written them, plus the matching visit.
 */
async function loadHistory(url: string): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(`insert into inspection (id, region_code, source, target_id, target_name, category, department_code,
        jurisdiction_code, item_codes, implementation_codes, planned_on, inspected_on, team, team_police_nos, state,
        outcome, approved_by, approved_on, closed_at, appeal_code)
      select gen_random_uuid(), t.region_code, 'DRAW', t.id, t.name, t.category, 'ZA', t.jurisdiction_code,
        '{}', '{}', d, d, '[]'::jsonb, '{}', 'CLOSED',
        (array['NO_VIOLATION','CORRECTED','HAZARD_FOUND','VIOLATION_FOUND']::inspection_outcome[])[1 + abs(hashtext(t.id::text)) % 4],
        'bench', d, d::timestamptz, upper(substr(md5(t.id::text), 1, 16))
      from target t, lateral (select (date '2026-11-01' - (abs(hashtext(t.name)) % 365))::date as d) x
      where abs(hashtext(t.id::text)) % 3 <> 0`);
    await c.query(`insert into target_visit (region_code, target_id, visited_on, inspection_id, department_code)
      select region_code, target_id, inspected_on, id::text, department_code from inspection where approved_by = 'bench'`);
    await c.query('analyze');
  });
}

/** Runs `fn` on a connection of its own to `url`, closed afterwards. */
async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function prepareDatabase(adminUrl: string): Promise<string> {
  return loadedBenchDatabase(adminUrl, {
    name: `bench_api_${TARGETS}`,
    marker: MARKER,
    fresh: FRESH,
    // The platform migrates and loads the demo into the empty database itself.
    migrateFirst: false,
    what: `the demo county with ${TARGETS} targets and an inspection history`,
    load: async (url) => {
      await stopServer(await spawnServer('platform', url));
      await loadHistory(url);
    },
  });
}

async function main(): Promise<void> {
  const childUrl = strArg('url');
  if (SERVE && childUrl) return serveChild(SERVE, childUrl);
  const server = await benchServer(BENCH_DIR, log);
  try {
    const url = await prepareDatabase(server.adminUrl);
    if (LOAD_ONLY) return;
    const config = benchConfig(url, true);
    const token = await mintToken(config.jwtSecret, {
      sub: 'bench',
      role: Role.ANALYST,
      dept: 'ZA',
      name: null,
    });
    const ops = (
      [
        ['page', 'targets page of 50 with persons and last inspection', PAGE],
        ['aggregate', 'aggregate department × month', COVERAGE],
        ['floor', 'floor: { __typename }', '{ __typename }'],
      ] as const
    )
      .filter(([key]) => OPS.includes(key))
      .map(([, name, query]) => [name, query] as const);
    type Measured = Awaited<ReturnType<typeof load>> & { cpuMs: number | null };
    const results = new Map<string, { platform: Measured; baseline: Measured }[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of ['platform', 'baseline'] as const) {
        const child = await spawnServer(side, url);
        const endpoint = `http://127.0.0.1:${child.port}/graphql`;
        const auth = side === 'platform' ? token : undefined;
        try {
          for (const [name, query] of ops) {
            const sample = await check(endpoint, query, auth);
            if (name.startsWith('targets') && side === 'platform' && round === 0) {
              const withLast = (sample.match(/"lastInspection":\{/g) ?? []).length;
              console.log(`page check: ${withLast} of 50 targets carry a last inspection`);
            }
            await load(endpoint, query, WARMUP_SECONDS, auth);
            const rounds = results.get(name) ?? [];
            const r = (rounds[round] ??= {} as { platform: Measured; baseline: Measured });
            r[side] = {
              ...(await load(endpoint, query, SECONDS, auth)),
              cpuMs: await cpuPerRequest(child, endpoint, query, auth),
            };
            results.set(name, rounds);
          }
        } finally {
          await stopServer(child);
        }
      }
    }
    const line = (side: string, m: Measured) =>
      `  ${side.padEnd(9)} ${m.rps} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  non-2xx ${m.non2xx}  errors ${m.errors}${cpuText(m.cpuMs)}\n`;
    const ratioOf = (r: { platform: Measured; baseline: Measured }) =>
      r.platform.rps / Math.max(1, r.baseline.rps);
    for (const [name, rounds] of results) {
      let text = `\n${name} (${CONNECTIONS} connections, ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up, ${TARGETS} targets)\n`;
      rounds.forEach((r, i) => {
        if (rounds.length > 1) text += `  round ${i + 1}\n`;
        text += line('platform', r.platform) + line('baseline', r.baseline);
        text += `  ratio     ${ratioOf(r).toFixed(2)}× the baseline's throughput (target ≥ 1.00×, p99 < 100 ms)\n`;
      });
      if (rounds.length > 1) {
        const ratios = rounds.map(ratioOf);
        text +=
          `  median ratio ${median(ratios).toFixed(2)}× over ${rounds.length} rounds (${ratios.map((x) => x.toFixed(2)).join(', ')}); ` +
          `median p99 platform ${median(rounds.map((r) => r.platform.p99))} ms, baseline ${median(rounds.map((r) => r.baseline.p99))} ms\n`;
      }
      process.stdout.write(text);
    }
  } finally {
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
