import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { SourceAdapter, SourceBatch, SourceSystemId } from '../../../adapters/types.js';
import { isSourceError } from '../../../adapters/source-kit/source.errors.js';
import type { FieldCipher } from '../../crypto/sm.js';
import { Role, type Principal } from '../../graphql/auth.js';
import type { Logger } from '../../shared/logger.js';
import { AppError } from '../../shared/errors.js';
import type { AuditService } from '../audit/audit.service.js';
import type { EventService } from '../events/event.service.js';
import type { RunOutcome, Scheduler } from '../jobs/scheduler.js';
import type { PiiService } from '../pii/pii.service.js';
import { REGION_CODE } from '../targets/target.service.js';
import { SyncError } from './sync.errors.js';
import { SyncRun, SyncRunStatus } from './sync-run.entity.js';
import type { SyncQuarantine } from './sync-quarantine.entity.js';
import { redactText } from '../identity/identifiers.js';
import {
  SyncWriter,
  knexSql,
  transactionSql,
  type BatchOutcome,
  type PreparedBatch,
  type Sql,
} from './sync-writer.js';

/** Every source adapter id, in a fixed order. */
export const ADAPTER_IDS: readonly SourceSystemId[] = ['hotel', 'entertainment', 'internet-cafe'];

/** The actor of audit rows written by sync runs. */
export const SYNC_ACTOR: Principal = { sub: 'system:sync', role: Role.ADMIN, dept: null, name: null };

/** Above this many important changes in one batch, one summary event replaces the per-target ones. */
const MAX_EVENTS_PER_BATCH = 100;

/** Rows a run adds before the first statistics refresh of the roster tables. */
const ANALYZE_MIN_ROWS = 5_000;
/**
 * The columns the sync's own lookups filter on. ANALYZE of a column list still refreshes the
 * tables' row and page counts, which is what turns the planner from "empty table" to index probes;
 * statistics of the other columns (sorting their samples was most of the cost) are left to
 * autovacuum's auto-analyze.
 */
const ANALYZE_LOOKUP_COLUMNS =
  'analyze target (source_system, source_id), person (id_index), target_person (target_id, person_id, role)';

/** Counts a run reports (also the job result). */
export type RunCounts = Pick<
  BatchOutcome,
  | 'fetched'
  | 'inserted'
  | 'updated'
  | 'unchanged'
  | 'deleted'
  | 'quarantined'
  | 'staffJoined'
  | 'staffLeft'
  | 'warnings'
> & { batches: number };

/** Job name of an adapter's sync: `sync:hotel`. */
export const jobNameOf = (id: SourceSystemId): string => `sync:${id}`;

/** Parses an adapter id given by a user. @throws SyncError SYNC_ADAPTER_UNKNOWN */
export function parseAdapterId(raw: string): SourceSystemId {
  if ((ADAPTER_IDS as readonly string[]).includes(raw)) return raw as SourceSystemId;
  throw new SyncError(
    'SYNC_ADAPTER_UNKNOWN',
    `adapter: expected one of ${ADAPTER_IDS.join(', ')}, got "${raw}"`,
  );
}

type Ready = { batch: SourceBatch; prepared: PreparedBatch };

/** A batch whose transaction has started: its place among the run's commits and how it ended. */
interface Written {
  ready: Ready;
  ordinal: number;
  done: Promise<{ outcome: BatchOutcome } | { error: unknown }>;
}

/**
 * Advisory lock classes of the batch order (two-int key space, apart from the one-bigint keys),
 * one per adapter: key (class + adapter, ordinal) is held by the transaction writing the run's
 * `ordinal`-th batch. Keys are never reused within a run, so a successor waiting for its
 * predecessor cannot meet a later batch holding the same key.
 */
const BATCH_ORDER_LOCK_CLASS = 7_340_032_050 % 2 ** 31;

/** Thrown (and rolled back) by a batch whose predecessor in the run did not commit. */
class PredecessorNotCommitted extends Error {
  constructor(ordinal: number) {
    super(`sync batch ${ordinal - 1} did not commit; batch ${ordinal} is written again after it`);
  }
}

/** A failure that writing the batch again, alone, cures: a deadlock or serialization failure, or a predecessor's failure. */
function isRetryable(e: unknown): boolean {
  if (e instanceof PredecessorNotCommitted) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** The outcome of a batch written in two parts. */
function mergeOutcomes(a: BatchOutcome, b: BatchOutcome): BatchOutcome {
  return {
    fetched: a.fetched + b.fetched,
    inserted: a.inserted + b.inserted,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    deleted: a.deleted + b.deleted,
    quarantined: a.quarantined + b.quarantined,
    staffJoined: a.staffJoined + b.staffJoined,
    staffLeft: a.staffLeft + b.staffLeft,
    warnings: a.warnings + b.warnings,
    changedTargetIds: [...a.changedTargetIds, ...b.changedTargetIds],
    events: [...a.events, ...b.events],
  };
}

interface Configured {
  adapter: SourceAdapter<unknown>;
  cron: string | null;
}

/**
 * The sync engine: pulls each configured source adapter from its committed cursor and writes
 * every batch, with the cursor and the run's counters, in one transaction; up to two such
 * transactions at once, committing in cursor order. A run killed at any point resumes from the
 * last committed batch; batches are idempotent, so it converges.
 */
export class SyncService {
  private readonly adapters = new Map<SourceSystemId, Configured>();
  private readonly writer: SyncWriter;

  constructor(
    private readonly orm: MikroORM,
    private readonly audit: AuditService,
    private readonly events: EventService,
    pii: PiiService,
    private readonly cipher: FieldCipher,
    private readonly log: Logger,
    /** Transactions writing one run's batches at once (1 or 2). */
    private readonly writers = 2,
  ) {
    this.writer = new SyncWriter({ pii, cipher });
  }

  private boundScheduler: Scheduler | null = null;

  /** The platform's scheduler, which runs (and de-duplicates) the `sync:<adapter>` jobs. */
  useScheduler(scheduler: Scheduler): void {
    this.boundScheduler = scheduler;
  }

  private get scheduler(): Scheduler {
    if (!this.boundScheduler) throw new Error('SyncService.useScheduler was not called');
    return this.boundScheduler;
  }

  /**
   * Makes an adapter available and registers its replica-safe job `sync:<id>` (cron null =
   * on demand only). Calling it again replaces the adapter.
   */
  configure(adapter: SourceAdapter<unknown>, cron: string | null): void {
    this.adapters.set(adapter.id, { adapter, cron });
    this.scheduler.register({
      name: jobNameOf(adapter.id),
      cron,
      leaseSeconds: 120,
      run: async ({ signal, manual, log }) => this.run(adapter.id, { signal, manual, log }),
    });
  }

  configured(): SourceSystemId[] {
    return [...this.adapters.keys()];
  }

  /**
   * Runs one adapter now through its job, so a run already in progress anywhere is not started twice.
   * @throws SyncError SYNC_ADAPTER_NOT_CONFIGURED, AppError JOB_ALREADY_RUNNING
   */
  async trigger(id: SourceSystemId): Promise<RunOutcome> {
    this.get(id);
    return this.scheduler.trigger(jobNameOf(id));
  }

  /**
   * Runs one adapter now (through its job) and answers the run record, done or failed.
   * @throws AppError JOB_ALREADY_RUNNING while a run of this adapter is in progress on any replica.
   */
  async runNow(em: EntityManager, id: SourceSystemId): Promise<SyncRun> {
    const before = await em
      .getConnection()
      .execute<{ id: string | null }[]>('select max(id)::text as id from sync_run where adapter = ?', [id]);
    const outcome = await this.trigger(id);
    const run = await em.findOne(
      SyncRun,
      { adapter: id, id: { $gt: before[0]?.id ?? '0' } },
      { orderBy: { id: 'desc' }, refresh: true },
    );
    if (!run)
      throw new AppError('SYNC_RUN_MISSING', `the ${id} run left no record: ${outcome.error ?? 'unknown'}`);
    return run;
  }

  /** Like `trigger`, in the background; resolves with the job run id once claimed. */
  async triggerInBackground(id: SourceSystemId): Promise<string> {
    this.get(id);
    return this.scheduler.triggerInBackground(jobNameOf(id));
  }

  private get(id: SourceSystemId): Configured {
    const c = this.adapters.get(id);
    if (!c) {
      throw new SyncError(
        'SYNC_ADAPTER_NOT_CONFIGURED',
        `adapter ${id} has no source configured (set SYNC_${id === 'internet-cafe' ? 'CAFE' : id.toUpperCase()}_URL)`,
      );
    }
    return c;
  }

  /**
   * Pulls one adapter from its committed cursor to the end. Call through `trigger` or the job;
   * this method itself does not guard against a concurrent run of the same adapter.
   * @throws the adapter's SourceError (after recording it on the run) when the pull fails.
   */
  async run(
    id: SourceSystemId,
    opts: { signal?: AbortSignal; manual?: boolean; log?: Logger } = {},
  ): Promise<RunCounts & { runId: string }> {
    const { adapter } = this.get(id);
    const log = opts.log ?? this.log.child({ adapter: id });
    const em = this.orm.em.fork() as EntityManager;
    const conn = em.getConnection();
    const cur = await conn.execute<{ cursor: string | null }[]>(
      'select cursor from sync_cursor where adapter = ?',
      [id],
    );
    const cursorBefore = cur[0]?.cursor ?? null;
    // Only one run per adapter executes (the job guarantees it): any other RUNNING row was killed.
    await conn.execute(
      `update sync_run set status = 'FAILED', finished_at = now(), error_code = 'INTERRUPTED',
         error = 'the process running it stopped; its committed batches stand and the next run resumed from them'
       where adapter = ? and status = 'RUNNING'`,
      [id],
    );
    const created = await conn.execute<{ id: string }[]>(
      `insert into sync_run (adapter, region_code, manual, cursor_before, cursor_after) values (?, ?, ?, ?, ?)
       returning id::text as id`,
      [id, REGION_CODE, opts.manual ?? false, cursorBefore, cursorBefore],
    );
    const runId = (created[0] as { id: string }).id;
    const started = Date.now();
    const counts: RunCounts = {
      batches: 0,
      fetched: 0,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      quarantined: 0,
      staffJoined: 0,
      staffLeft: 0,
      warnings: 0,
    };
    // Puts the roster tables' autovacuum right if a run killed while bulk-loading left it off.
    await conn
      .execute('select sync_bulk_load(null, false)')
      .catch((err: unknown) => log.warn({ err }, "could not check the roster tables' bulk-load mode"));
    const stats = await this.statsRefresher(conn, runId, log);
    const pages = adapter.pull(cursorBefore, { signal: opts.signal })[Symbol.asyncIterator]();
    // The source's next page is requested as soon as a page arrives, so the source fetches and
    // parses page N+1 while the engine prepares page N; at most one page waits ahead.
    let requested: Promise<IteratorResult<SourceBatch>> | null = null;
    const nextPage = async (): Promise<IteratorResult<SourceBatch>> => {
      const step = await (requested ?? pages.next());
      requested = null;
      if (!step.done) {
        requested = pages.next();
        // Its failure surfaces when the next page is awaited.
        requested.catch(() => undefined);
      }
      return step;
    };
    // The page is prepared (hashes, blind indexes, its persons looked up and protected on another
    // connection) as soon as it arrives, while earlier ones (`inFlight`) are still being written.
    const ahead = async (inFlight: PreparedBatch[]): Promise<IteratorResult<Ready, undefined>> => {
      const step = await nextPage();
      if (step.done) return { done: true, value: undefined };
      const prepared = await this.writer.prepareSliced(step.value);
      try {
        await this.writer.lookAhead(
          outside,
          prepared,
          inFlight.flatMap((p) => p.ids.indexes()),
        );
      } catch (err) {
        // Hints only save work: without them the transaction looks the persons up itself.
        log.warn({ err }, 'sync look-ahead failed; the batch reads its persons in its transaction');
      }
      return { done: false, value: { batch: step.value, prepared } };
    };
    const knex = (conn as unknown as { getKnex(): Knex }).getKnex();
    const outside = knexSql(knex);
    const account = (outcome: BatchOutcome): void => {
      counts.batches++;
      stats.afterBatch(outcome.inserted + outcome.staffJoined);
      for (const k of Object.keys(counts) as (keyof RunCounts)[]) {
        if (k !== 'batches') counts[k] += outcome[k];
      }
    };
    // Batches whose transaction started while the one before was still being written.
    let beside = 0;
    const start = (ready: Ready, after: Written | null): Written => {
      if (after) beside++;
      const ordinal = (after ? after.ordinal : counts.batches) + 1;
      const done = this.writeBatch(id, runId, ready, ordinal, after?.ready.prepared ?? null).then(
        (outcome) => ({ outcome }),
        (error: unknown) => ({ error }),
      );
      return { ready, ordinal, done };
    };
    /**
     * Waits for `job` to commit and counts it. When it failed for a reason a retry cures (a
     * deadlock with its successor, or its predecessor's failure) it is written again alone, and so
     * is `successor`, which cannot commit without it; answers whether `successor` is still in flight.
     */
    const settle = async (job: Written, successor: Written | null): Promise<boolean> => {
      const r = await job.done;
      if ('outcome' in r) {
        account(r.outcome);
        return successor !== null;
      }
      const s = successor ? await successor.done : null;
      if (!isRetryable(r.error)) throw r.error;
      log.info({ runId, ordinal: job.ordinal, err: r.error }, 'sync batch written again alone');
      account(await this.writeBatch(id, runId, job.ready, counts.batches + 1, null));
      if (successor && s) {
        if ('outcome' in s) throw new Error('a sync batch committed before its predecessor');
        account(await this.writeBatch(id, runId, successor.ready, counts.batches + 1, null));
      }
      return false;
    };
    let next: Promise<IteratorResult<Ready, undefined>> | null = null;
    let inFlight: Written | null = null;
    try {
      next = ahead([]);
      for (;;) {
        const step: IteratorResult<Ready, undefined> = await next;
        next = null;
        if (step.done) break;
        const ready = step.value;
        // A batch of a full resync is written alone; others beside the batch before them, their
        // records sharing no row with it first (`SyncWriter.split`). Commits stay in cursor order.
        if (inFlight && (this.writers < 2 || ready.prepared.resync || inFlight.ready.prepared.resync)) {
          await settle(inFlight, null);
          inFlight = null;
        }
        // Fetch and parse the next page while these are written: the adapter's I/O and parsing
        // overlap the database's work.
        next = ahead(inFlight ? [inFlight.ready.prepared, ready.prepared] : [ready.prepared]);
        next.catch(() => undefined);
        const job = start(ready, inFlight);
        if (inFlight) {
          const stillInFlight = await settle(inFlight, job);
          inFlight = stillInFlight ? job : null;
        } else {
          inFlight = job;
        }
      }
      if (inFlight) await settle(inFlight, null);
      inFlight = null;
      await stats.settle();
      await this.finish(id, runId, started, SyncRunStatus.DONE, counts, null);
      log.info({ runId, ...counts, beside, ms: Date.now() - started }, 'sync run finished');
      return { runId, ...counts };
    } catch (e) {
      if (next || requested) void pages.return?.(undefined)?.catch(() => undefined);
      // A batch still in flight when the source failed commits (or rolls back) on its own: count it.
      if (inFlight) {
        const r = await inFlight.done;
        if ('outcome' in r) account(r.outcome);
      }
      await stats.settle();
      const code = isSourceError(e) ? e.code : e instanceof AppError ? e.code : 'INTERNAL';
      const message = e instanceof Error ? e.message : String(e);
      log.error({ runId, code, err: e }, 'sync run failed');
      await this.finish(id, runId, started, SyncRunStatus.FAILED, counts, { code, message }).catch(
        (err: unknown) => log.error({ err }, 'could not record the failed sync run'),
      );
      throw e;
    }
  }

  /**
   * Writes one batch, the cursor after it and the run's counters in one transaction: the run's
   * `ordinal`-th commit. With `predecessor`, the batch before it may still be in flight on another
   * connection: the records sharing no row with it are written at once, then the transaction
   * waits for that one to end (its order lock), goes on only if it committed, and writes the
   * records that depend on it, which it now sees. So commits (and the cursor) stay in order and a
   * crash at any point leaves a prefix of the run's batches. Target inserts of the two land in
   * different rollup shards (`shuangsui.rollup_shard`), so they do not wait for each other there.
   * A wait that closes a cycle with the predecessor's row locks is a deadlock PostgreSQL breaks;
   * the loser is written again (see `run`).
   */
  private writeBatch(
    id: SourceSystemId,
    runId: string,
    { batch, prepared }: Ready,
    ordinal: number,
    predecessor: PreparedBatch | null,
  ): Promise<BatchOutcome> {
    const lockClass = BATCH_ORDER_LOCK_CLASS + ADAPTER_IDS.indexOf(id);
    return this.orm.em.fork().transactional(async (tem) => {
      const trx = tem.getTransactionContext<Knex.Transaction>();
      if (!trx) throw new Error('sync batch outside a transaction');
      const sql = await transactionSql(trx);
      await sql(`select pg_advisory_xact_lock(?, ?), set_config('shuangsui.rollup_shard', ?, true)`, [
        lockClass,
        ordinal,
        String(1 + (ordinal % 2)),
      ]);
      const parts = predecessor ? this.writer.split(predecessor, prepared) : null;
      if (predecessor && !parts) throw new Error('a batch of a full resync is written alone');
      let o = await this.writer.apply(sql, id, batch, runId, parts?.now ?? prepared);
      if (predecessor) {
        await sql('select pg_advisory_xact_lock(?, ?)', [lockClass, ordinal - 1]);
        const [run] = await sql('select batches from sync_run where id = ?', [runId]);
        if (Number(run?.batches) !== ordinal - 1) throw new PredecessorNotCommitted(ordinal);
        if (parts?.after) {
          const rest = { ...batch, fetched: 0, quarantined: [] };
          o = mergeOutcomes(o, await this.writer.apply(sql, id, rest, runId, parts.after));
        }
      }
      await this.recordBatch(tem as EntityManager, sql, id, runId, o);
      await sql(
        `insert into sync_cursor (adapter, region_code, cursor, resync_open) values (?, ?, ?, ?)
         on conflict (adapter) do update set cursor = excluded.cursor, resync_open = excluded.resync_open,
           updated_at = now()
         where sync_cursor.cursor is distinct from excluded.cursor
            or sync_cursor.resync_open <> excluded.resync_open`,
        [id, REGION_CODE, batch.cursor, !!batch.resync && !batch.resync.last],
      );
      await sql(
        `update sync_run set batches = batches + 1, fetched = fetched + ?, inserted = inserted + ?,
           updated = updated + ?, unchanged = unchanged + ?, deleted = deleted + ?, quarantined = quarantined + ?,
           staff_joined = staff_joined + ?, staff_left = staff_left + ?, warnings = warnings + ?, cursor_after = ?
         where id = ?`,
        [
          o.fetched,
          o.inserted,
          o.updated,
          o.unchanged,
          o.deleted,
          o.quarantined,
          o.staffJoined,
          o.staffLeft,
          o.warnings,
          batch.cursor,
          runId,
        ],
      );
      return o;
    });
  }

  /**
   * Refreshes planner statistics of the roster tables each time a run has added as many rows as
   * they held at the last refresh (at least 5,000): a few ANALYZEs in a first sync of millions, none
   * in an incremental one. Without them a table filled from nothing keeps its "empty" estimates and
   * the per-row lookups of later batches turn into sequential scans. A refused ANALYZE (no MAINTAIN
   * grant) is logged once and skipped: statistics help speed, never correctness. ANALYZE runs on its
   * own connection beside the batches (it does not block writes); at most one at a time, and the
   * run waits for it (`settle`) before it finishes.
   *
   * The first refresh also marks the run as bulk-loading (`sync_bulk_load`): autovacuum leaves the
   * roster tables alone until the run ends, instead of vacuuming and analyzing them again and again
   * as they grow (these ANALYZEs keep the statistics the run needs); `settle` ends it, and
   * autovacuum then vacuums and analyzes the loaded tables once. A run killed meanwhile is put right
   * by the next run's start. Failing to mark or unmark costs speed only: logged, not thrown.
   */
  private async statsRefresher(conn: ReturnType<EntityManager['getConnection']>, runId: string, log: Logger) {
    const sized = await conn.execute<{ n: number }[]>(
      `select greatest(coalesce(max(reltuples), 0), 0)::float8 as n from pg_class
        where relname in ('target', 'person', 'target_person') and relkind = 'r'`,
    );
    let base = Math.max(ANALYZE_MIN_ROWS, Number(sized[0]?.n ?? 0));
    let added = 0;
    let enabled = true;
    let bulk: 'no' | 'yes' | 'refused' = 'no';
    const bulkLoad = (on: boolean) =>
      conn.execute('select sync_bulk_load(?, ?)', [runId, on]).then(
        () => {
          bulk = on ? 'yes' : 'no';
        },
        (err: unknown) => {
          if (on) bulk = 'refused';
          log.warn({ err, runId, on }, "could not change the roster tables' bulk-load mode");
        },
      );
    let running: Promise<void> | null = null;
    return {
      afterBatch: (rows: number): void => {
        added += rows;
        if (!enabled || running || added < base) return;
        base += added;
        added = 0;
        running = (bulk === 'no' ? bulkLoad(true) : Promise.resolve())
          .then(() => conn.execute(ANALYZE_LOOKUP_COLUMNS))
          .then(
            () => undefined,
            (err: unknown) => {
              enabled = false;
              log.warn({ err }, 'could not refresh roster statistics (grant maintain missing?)');
            },
          )
          .finally(() => {
            running = null;
          });
      },
      settle: async (): Promise<void> => {
        await running;
        if (bulk === 'yes') await bulkLoad(false);
      },
    };
  }

  /** One audit row per batch that changed something (bounded chain cost), then its events. */
  private async recordBatch(em: EntityManager, sql: Sql, id: SourceSystemId, runId: string, o: BatchOutcome) {
    const changed = o.inserted + o.updated + o.deleted + o.staffJoined + o.staffLeft;
    if (changed === 0 && o.quarantined === 0 && o.events.length === 0) return;
    await this.audit.record(em, SYNC_ACTOR, {
      action: 'sync.batch',
      entityType: 'SyncRun',
      entityId: runId,
      details: {
        adapter: id,
        inserted: o.inserted,
        updated: o.updated,
        deleted: o.deleted,
        staffJoined: o.staffJoined,
        staffLeft: o.staffLeft,
        quarantined: o.quarantined,
        targetIds: [...new Set(o.changedTargetIds)].sort(),
      },
    });
    if (!o.events.length) return;
    // The audit row above holds the event-log lock, so ids are allocated in commit order; one bulk
    // insert instead of one ORM flush per event keeps a first sync of a million targets feasible.
    const evs =
      o.events.length <= MAX_EVENTS_PER_BATCH
        ? o.events.map((e) => ({
            type: 'Target',
            id: e.targetId,
            jur: e.jurisdictionCode,
            payload: { change: e.change, source: id, runId, from: e.from ?? null, to: e.to ?? null },
          }))
        : [
            {
              type: 'SyncRun',
              id: runId,
              jur: null,
              payload: {
                change: 'BULK',
                source: id,
                runId,
                count: o.events.length,
                byChange: o.events.reduce<Record<string, number>>((m, e) => {
                  m[e.change] = (m[e.change] ?? 0) + 1;
                  return m;
                }, {}),
              },
            },
          ];
    await sql(
      `insert into event_log (topic, entity_type, entity_id, jurisdiction_code, payload)
       select 'targetChanged', t, i, j, p::jsonb from unnest(?::text[], ?::text[], ?::text[], ?::text[]) as x(t, i, j, p)`,
      [
        evs.map((e) => e.type),
        evs.map((e) => e.id),
        evs.map((e) => e.jur),
        evs.map((e) => JSON.stringify(e.payload)),
      ],
    );
  }

  private async finish(
    id: SourceSystemId,
    runId: string,
    started: number,
    status: SyncRunStatus,
    counts: RunCounts,
    error: { code: string; message: string } | null,
  ): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      const conn = em.getConnection();
      const trx = em.getTransactionContext();
      await conn.execute(
        `update sync_run set status = ?, finished_at = now(), duration_ms = ?, error_code = ?, error = ? where id = ?`,
        [status, Date.now() - started, error?.code ?? null, error?.message.slice(0, 2000) ?? null, runId],
        'run',
        trx,
      );
      await this.events.publish(em as EntityManager, {
        topic: 'syncRunFinished',
        entityType: 'SyncRun',
        entityId: runId,
        payload: { adapter: id, status, ...counts, errorCode: error?.code ?? null },
      });
    });
  }

  /**
   * A quarantined record's raw bytes for display: decrypted, decoded (UTF-8, else GB18030), cut to
   * 2,000 characters, with ID numbers and phone numbers masked.
   */
  maskedRaw(q: SyncQuarantine): string {
    const raw = Buffer.from(this.cipher.decrypt(q.rawEnc), 'base64');
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      text = new TextDecoder('gb18030').decode(raw);
    }
    return redactText(text.slice(0, 2000), { mode: 'mask' });
  }

  /** The run record. */
  async findRun(em: EntityManager, runId: string): Promise<SyncRun | null> {
    return em.findOne(SyncRun, { id: runId });
  }
}
