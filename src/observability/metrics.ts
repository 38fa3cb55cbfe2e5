import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../shared/logger.js';
import { NOOP_TRACER, tracerFor, type Tracer } from './tracing.js';

/**
 * A row count computed from the database at scrape time. The table may not exist yet (a module
 * still being built, or an older schema): the count is guarded with `to_regclass` and skipped then.
 * `table` and `where` are SQL written by developers in code, never by callers.
 * @example registerRowCountGauge({ name: 'shuangsui_outbox_depth', help: 'Messages waiting', table: 'outbox_message', where: "status = 'PENDING'" })
 */
export interface RowCountGauge {
  /** Prometheus metric name; a built-in gauge of the same name (outbox depth, dead letters) is filled. */
  name: string;
  help: string;
  table: string;
  where?: string;
}

const ROW_COUNTS: RowCountGauge[] = [];

/**
 * Registers a scrape-time row count (module level, so any module can call it on import).
 * Calling it twice with the same name replaces the first.
 */
export function registerRowCountGauge(g: RowCountGauge): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(g.name)) throw new Error(`bad metric name ${g.name}`);
  if (!/^[a-z_][a-z0-9_.]*$/.test(g.table)) throw new Error(`bad table name ${g.table}`);
  const i = ROW_COUNTS.findIndex((x) => x.name === g.name);
  if (i >= 0) ROW_COUNTS[i] = g;
  else ROW_COUNTS.push(g);
}

// Tables that exist today; colleagues' modules add theirs (outbox, dead letters, sync runs).
registerRowCountGauge({
  name: 'shuangsui_jobs_running',
  help: 'Scheduled-job runs currently RUNNING (all replicas).',
  table: 'job_run',
  where: "status = 'RUNNING'",
});
registerRowCountGauge({
  name: 'shuangsui_jobs_failed_24h',
  help: 'Scheduled-job runs that FAILED in the last 24 hours.',
  table: 'job_run',
  where: "status = 'FAILED' and started_at > now() - interval '24 hours'",
});

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_OPERATION_LABELS = 500;

/**
 * The platform's Prometheus registry: HTTP and GraphQL series filled by the server, gauges other
 * modules fill through the helpers (`setOutboxDepth`, `setSyncLag`, `setDeadLetters`), DB pool
 * state and registered row counts read at scrape time. One instance per platform (tests run two
 * platforms in one process, so nothing here is global except the row-count declarations).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'route'>;
  readonly operations: Counter<'operation' | 'type' | 'outcome'>;
  readonly operationDuration: Histogram<'operation' | 'type'>;
  readonly executions: Counter<'type'>;
  readonly errors: Counter<'code'>;
  readonly refused: Counter<'reason'>;
  readonly documentCache: Counter<'result'>;
  readonly directAnswers: Counter;
  readonly operationCost: Histogram<'operation'>;
  private readonly outboxDepth: Gauge;
  private readonly deadLetters: Gauge;
  private readonly syncLag: Gauge<'source'>;
  private readonly knownOperations = new Set<string>();
  private readonly rowGauges = new Map<string, Gauge>();
  /** Bearer token GET /metrics requires (METRICS_TOKEN); null leaves it open. */
  readonly scrapeToken: string | null;

  /** The span-per-operation tracer the server uses (TRACING, or an installed OpenTelemetry adapter). */
  readonly tracer: Tracer;

  constructor(
    private readonly orm: MikroORM | null,
    private readonly log?: Logger,
    opts: { tracing?: 'off' | 'log'; scrapeToken?: string | null } = {},
  ) {
    this.scrapeToken = opts.scrapeToken ?? null;
    this.tracer = log ? tracerFor(opts.tracing ?? 'off', log) : NOOP_TRACER;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'shuangsui_process_' });
    this.httpRequests = new Counter({
      name: 'shuangsui_http_requests_total',
      help: 'HTTP requests by method, route and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'shuangsui_http_request_duration_seconds',
      help: 'HTTP request latency by route.',
      labelNames: ['route'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.operations = new Counter({
      name: 'shuangsui_graphql_operations_total',
      help: 'GraphQL operations by operation name, type and outcome (ok, error, refused).',
      labelNames: ['operation', 'type', 'outcome'],
      registers,
    });
    this.operationDuration = new Histogram({
      name: 'shuangsui_graphql_operation_duration_seconds',
      help: 'GraphQL operation latency by operation name.',
      labelNames: ['operation', 'type'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.executions = new Counter({
      name: 'shuangsui_graphql_executions_started_total',
      help: 'Operations that reached execution (resolvers ran). Refused operations never do.',
      labelNames: ['type'],
      registers,
    });
    this.errors = new Counter({
      name: 'shuangsui_graphql_errors_total',
      help: 'GraphQL errors returned, by extensions.code.',
      labelNames: ['code'],
      registers,
    });
    this.refused = new Counter({
      name: 'shuangsui_graphql_refused_total',
      help: 'Operations refused before execution, by reason (cost, budget, rate, trusted documents, introspection).',
      labelNames: ['reason'],
      registers,
    });
    this.documentCache = new Counter({
      name: 'shuangsui_graphql_document_cache_total',
      help: 'Parsed-and-validated document cache lookups (hit or miss).',
      labelNames: ['result'],
      registers,
    });
    this.directAnswers = new Counter({
      name: 'shuangsui_graphql_direct_answers_total',
      help: "HTTP operations answered on the direct path for valid queries, without Apollo Server's request pipeline.",
      registers,
    });
    this.operationCost = new Histogram({
      name: 'shuangsui_graphql_operation_cost',
      help: 'Computed cost of admitted operations.',
      labelNames: ['operation'],
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    });
    this.outboxDepth = new Gauge({
      name: 'shuangsui_outbox_depth',
      help: 'Outbound messages waiting to be sent.',
      registers,
    });
    this.deadLetters = new Gauge({
      name: 'shuangsui_dead_letters',
      help: 'Messages given up on (dead letters) awaiting a person.',
      registers,
    });
    this.syncLag = new Gauge({
      name: 'shuangsui_sync_lag_seconds',
      help: 'Seconds since the last successful sync, by source system.',
      labelNames: ['source'],
      registers,
    });
    if (orm) this.registerDbCollectors(orm);
  }

  /** Sets the outbox depth (messages waiting). */
  setOutboxDepth(n: number): void {
    this.outboxDepth.set(n);
  }

  /** Sets the number of dead letters. */
  setDeadLetters(n: number): void {
    this.deadLetters.set(n);
  }

  /** Sets the sync lag of one source system, in seconds since its last successful run. */
  setSyncLag(source: string, seconds: number): void {
    this.syncLag.set({ source }, seconds);
  }

  /**
   * The label for an operation name: bounded so that clients cannot blow up the series count
   * (names must look like identifiers; after 500 distinct names the rest share `other`).
   */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (this.knownOperations.has(name)) return name;
    if (this.knownOperations.size >= MAX_OPERATION_LABELS) return 'other';
    this.knownOperations.add(name);
    return name;
  }

  /** The exposition text and its content type. */
  async expose(): Promise<{ contentType: string; body: string }> {
    if (this.orm) await this.collectRowCounts(this.orm);
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private registerDbCollectors(orm: MikroORM): void {
    const registers = [this.registry];
    const pool = () => {
      const knex = (orm.em as EntityManager).getConnection().getKnex() as unknown as {
        client: {
          pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number; max: number };
        };
      };
      return knex.client.pool;
    };
    new Gauge({
      name: 'shuangsui_db_pool_connections',
      help: 'Database pool connections by state (used, free, pending acquires, max).',
      labelNames: ['state'],
      registers,
      collect() {
        const p = pool();
        if (!p) return;
        this.set({ state: 'used' }, p.numUsed());
        this.set({ state: 'free' }, p.numFree());
        this.set({ state: 'pending' }, p.numPendingAcquires());
        this.set({ state: 'max' }, p.max);
      },
    });
    new Gauge({
      name: 'shuangsui_event_log_last_id',
      help: 'Highest event sequence number (subscription resume point).',
      registers,
      collect: async function (this: Gauge) {
        const r = await orm.em
          .fork()
          .getConnection()
          .execute<{ id: string | null }[]>('select max(id)::text as id from event_log');
        this.set(Number(r[0]?.id ?? 0));
      },
    });
  }

  private async collectRowCounts(orm: MikroORM): Promise<void> {
    if (ROW_COUNTS.length === 0) return;
    const conn = orm.em.fork().getConnection();
    const tables = [...new Set(ROW_COUNTS.map((g) => g.table))];
    const exists: { t: string; ok: boolean }[] = await conn.execute(
      `select t, to_regclass(t) is not null as ok from unnest(array[${tables.map(() => '?').join(', ')}]::text[]) as t`,
      tables,
    );
    const present = new Set(exists.filter((r) => r.ok).map((r) => r.t));
    for (const g of ROW_COUNTS) {
      if (!present.has(g.table)) continue;
      try {
        const r = await conn.execute<{ n: string }[]>(
          `select count(*)::text as n from ${g.table}${g.where ? ` where ${g.where}` : ''}`,
        );
        this.rowGauge(g).set(Number(r[0]?.n ?? 0));
      } catch (e) {
        this.log?.warn({ err: e, metric: g.name }, 'row-count metric failed');
      }
    }
  }

  private rowGauge(g: RowCountGauge): Gauge {
    if (g.name === 'shuangsui_outbox_depth') return this.outboxDepth;
    if (g.name === 'shuangsui_dead_letters') return this.deadLetters;
    let gauge = this.rowGauges.get(g.name);
    if (!gauge) {
      gauge = new Gauge({ name: g.name, help: g.help, registers: [this.registry] });
      this.rowGauges.set(g.name, gauge);
    }
    return gauge;
  }
}
