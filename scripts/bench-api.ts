/**
 * Benchmark of the dashboard API under load (not a test; prints numbers):
 *
 *   npm run bench:api [-- --targets=1000000 --connections=32 --seconds=10]
 *
 * Loads the demo county (embedded PostgreSQL in a temp dir, or the server at DATABASE_URL), starts
 * the whole platform, and drives two dashboard operations with autocannon: a targets page of 50
 * with nested responsible persons, and an aggregate by department × month. Beside it, in the same
 * run, the baseline: the same SQL through `pg` and graphql-js `execute` with a document cache on a
 * bare `node:http` server. Prints requests/s and p50/p99 latency of each.
 */
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import pg from 'pg';
import { createRequire } from 'node:module';
import { buildSchema, execute, parse, validate, type DocumentNode } from 'graphql';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/shared/logger.js';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../src/db/embedded-postgres.js';
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

function arg(name: string, fallback: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : fallback;
}

const TARGETS = arg('targets', 1_000_000);
const CONNECTIONS = arg('connections', 32);
const SECONDS = arg('seconds', 10);
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

const PAGE = `query Page { targets(first: 50, sort: NAME) { nodes { id name category jurisdictionCode persons { role person { name idMasked } } } } }`;
const COVERAGE = `query Coverage { aggregate(subject: TARGETS, groupBy: [DEPARTMENT, PERIOD], bucket: MONTH) { rows { keys values } } }`;

const BASELINE_SDL = `
  type Person { name: String! idMasked: String }
  type TargetPerson { role: String! person: Person! }
  type Target { id: ID! name: String! category: String! jurisdictionCode: String! persons: [TargetPerson!]! }
  type TargetConnection { nodes: [Target!]! }
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

interface TargetRow {
  id: string;
  name: string;
  category: string;
  jurisdiction_code: string;
}

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
      const t = await pool.query<TargetRow>(
        `select id, name, category::text, jurisdiction_code from target where archived_at is null order by name asc, id asc limit 51`,
      );
      const rows = t.rows.slice(0, 50);
      const persons = await pool.query<{
        target_id: string;
        role: string;
        name: string;
        id_masked: string | null;
      }>(
        `select tp.target_id, tp.role::text, p.name, p.id_masked from target_person tp join person p on p.id = tp.person_id
         where tp.target_id = any($1) order by tp.role asc, tp.id asc`,
        [rows.map((r) => r.id)],
      );
      const by = new Map<string, { role: string; person: { name: string; idMasked: string | null } }[]>();
      for (const p of persons.rows) {
        const list = by.get(p.target_id) ?? [];
        list.push({ role: p.role, person: { name: p.name, idMasked: p.id_masked } });
        by.set(p.target_id, list);
      }
      return {
        nodes: rows.map((r) => ({
          id: toGlobalId('Target', r.id),
          name: r.name,
          category: r.category,
          jurisdictionCode: r.jurisdiction_code,
          persons: by.get(r.id) ?? [],
        })),
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

async function load(url: string, query: string, token?: string) {
  const r = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
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

async function check(url: string, query: string, token?: string): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { errors?: unknown };
  if (body.errors) throw new Error(`${url}: ${JSON.stringify(body.errors)}`);
}

async function main(): Promise<void> {
  let cluster: EmbeddedCluster | null = null;
  let dir: string | null = null;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bench-api-'));
    chmodSync(dir, 0o755);
    cluster = await startEmbeddedPostgres({ dataDir: dir, log, persistent: false });
    adminUrl = cluster.url('postgres');
  }
  const dbName = `bench_api_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-api-cfg-'));
  const config = loadConfig({
    DATABASE_URL: u.toString(),
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    DEMO: 'true',
    DEMO_SCALE: String(TARGETS),
    SIMULATORS: 'false',
    LOG_LEVEL: 'warn',
    GRAPHQL_RATE_LIMIT_PER_MINUTE: '0',
    GRAPHQL_COST_BUDGETS: 'ANALYST:0',
  });
  const started = Date.now();
  const platform = await startPlatform(config, log);
  process.stdout.write(
    `platform up with ${TARGETS} targets in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  const pool = new pg.Pool({ connectionString: u.toString(), max: 10 });
  const baseline = await startBaseline(pool);
  const addr = baseline.address() as { port: number };
  const baseUrl = `http://127.0.0.1:${addr.port}/graphql`;
  const apiUrl = `http://127.0.0.1:${platform.port}/graphql`;
  const token = await mintToken(config.jwtSecret, {
    sub: 'bench',
    role: Role.ANALYST,
    dept: 'ZA',
    name: null,
  });
  try {
    for (const [name, query] of [
      ['targets page of 50 with persons', PAGE],
      ['aggregate department × month', COVERAGE],
    ] as const) {
      await check(apiUrl, query, token);
      await check(baseUrl, query);
      const api = await load(apiUrl, query, token);
      const base = await load(baseUrl, query);
      process.stdout.write(
        `\n${name} (${CONNECTIONS} connections, ${SECONDS} s)\n` +
          `  platform  ${api.rps} req/s  p50 ${api.p50} ms  p99 ${api.p99} ms  non-2xx ${api.non2xx}\n` +
          `  baseline  ${base.rps} req/s  p50 ${base.p50} ms  p99 ${base.p99} ms  non-2xx ${base.non2xx}\n` +
          `  ratio     ${(api.rps / Math.max(1, base.rps)).toFixed(2)}× the baseline's throughput\n`,
      );
    }
  } finally {
    await new Promise<void>((r) => baseline.close(() => r()));
    await pool.end();
    await platform.stop();
    if (cluster) await cluster.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
