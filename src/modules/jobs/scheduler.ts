import os from 'node:os';
import { randomBytes } from 'node:crypto';
import cron from 'node-cron';
import type { MikroORM } from '@mikro-orm/core';
import type { Logger } from '../../shared/logger.js';
import { AppError } from '../../shared/errors.js';
import { CronExpr } from './cron-expr.js';

export interface JobContext {
  runId: string;
  slot: Date;
  manual: boolean;
  signal: AbortSignal;
  log: Logger;
}

export interface JobDefinition {
  /** Stable id, e.g. `sync:hotel` or `plans:prepare`. */
  name: string;
  /** Five-field cron in Asia/Shanghai, or null for manual-only jobs. */
  cron: string | null;
  /** How long a run may go without renewing its lease before another replica may take over. */
  leaseSeconds?: number;
  run(ctx: JobContext): Promise<Record<string, unknown> | void>;
}

export interface RunOutcome {
  runId: string;
  status: 'DONE' | 'FAILED';
  result: Record<string, unknown> | null;
  error: string | null;
}

/**
 * Replica-safe scheduled jobs. A cron tick only claims "job X for slot T" under a unique key, so
 * every replica's tick for the same slot collapses to one run; at most one run per job is RUNNING
 * (partial unique index); a run that stops renewing its lease is marked failed and may be retried;
 * at start, the latest missed slot of each job is caught up once.
 */
export class Scheduler {
  private readonly jobs = new Map<string, JobDefinition>();
  private readonly tasks: { stop(): void }[] = [];
  private readonly running = new Map<string, { ac: AbortController; done: Promise<unknown> }>();
  readonly replicaId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

  constructor(
    private readonly orm: MikroORM,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  register(def: JobDefinition): void {
    if (def.cron) new CronExpr(def.cron);
    this.jobs.set(def.name, def);
  }

  list(): JobDefinition[] {
    return [...this.jobs.values()];
  }

  /** Starts cron ticks and catches up each job's latest missed slot once. */
  async start(): Promise<void> {
    for (const def of this.jobs.values()) {
      if (!def.cron) continue;
      const task = cron.schedule(
        def.cron,
        () => {
          void this.tick(def.name, this.clock()).catch((e: unknown) =>
            this.log.error({ err: e, job: def.name }, 'job tick failed'),
          );
        },
        { timezone: 'Asia/Shanghai', noOverlap: false },
      );
      this.tasks.push(task);
    }
    for (const def of this.jobs.values()) {
      if (def.cron) await this.catchUp(def.name, this.clock());
    }
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) t.stop();
    for (const r of this.running.values()) r.ac.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  /** Handles a cron tick at `now`: runs the slot unless another replica already claimed it. */
  tick(name: string, now: Date): Promise<RunOutcome | null> {
    const slot = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    return this.runSlot(name, slot, false);
  }

  /** Runs the latest scheduled slot before `now` if no run for it (or later) exists. */
  async catchUp(name: string, now: Date): Promise<RunOutcome | null> {
    const def = this.def(name);
    const prev = def.cron ? new CronExpr(def.cron).previous(now) : null;
    if (!prev) return null;
    const conn = this.orm.em.fork().getConnection();
    const rows = await conn.execute<{ last: Date | null }[]>(
      'select max(slot) as last from job_run where job = ? and not manual',
      [name],
    );
    const last = rows[0]?.last ? new Date(rows[0].last) : null;
    if (last && last.getTime() >= prev.getTime()) return null;
    this.log.info({ job: name, slot: prev.toISOString() }, 'catching up a missed job slot');
    return this.runSlot(name, prev, false);
  }

  /**
   * Runs a job now, on demand.
   * @throws AppError JOB_ALREADY_RUNNING when a run of this job is in progress on any replica.
   */
  async trigger(name: string): Promise<RunOutcome> {
    const out = await this.runSlot(name, this.clock(), true);
    if (!out) throw new AppError('JOB_ALREADY_RUNNING', `${name} is already running`);
    return out;
  }

  /** Starts a job now in the background; resolves with the run id once claimed. */
  async triggerInBackground(name: string): Promise<string> {
    const claimed = await this.claim(name, this.clock(), true);
    if (!claimed) throw new AppError('JOB_ALREADY_RUNNING', `${name} is already running`);
    void this.execute(name, claimed.id, claimed.slot, true);
    return claimed.id;
  }

  async runSlot(name: string, slot: Date, manual: boolean): Promise<RunOutcome | null> {
    const claimed = await this.claim(name, slot, manual);
    if (!claimed) return null;
    return this.execute(name, claimed.id, slot, manual);
  }

  private def(name: string): JobDefinition {
    const def = this.jobs.get(name);
    if (!def) throw new AppError('NOT_FOUND', `no job ${name}`);
    return def;
  }

  private async claim(name: string, slot: Date, manual: boolean): Promise<{ id: string; slot: Date } | null> {
    const def = this.def(name);
    const lease = def.leaseSeconds ?? 300;
    const conn = this.orm.em.fork().getConnection();
    await conn.execute(
      `update job_run set status = 'FAILED', finished_at = now(), error = 'lease expired (replica stopped or hung)'
        where job = ? and status = 'RUNNING' and lease_until < now()`,
      [name],
    );
    const rows = await conn.execute<{ id: string }[]>(
      `insert into job_run (job, slot, manual, status, owner, lease_until)
       values (?, ?, ?, 'RUNNING', ?, now() + (? || ' seconds')::interval)
       on conflict do nothing returning id::text as id`,
      [name, slot, manual, this.replicaId, String(lease)],
    );
    return rows[0] ? { id: rows[0].id, slot } : null;
  }

  private async execute(name: string, runId: string, slot: Date, manual: boolean): Promise<RunOutcome> {
    const def = this.def(name);
    const lease = def.leaseSeconds ?? 300;
    const ac = new AbortController();
    const conn = this.orm.em.fork().getConnection();
    const renew = setInterval(
      () => {
        void conn
          .execute(`update job_run set lease_until = now() + (? || ' seconds')::interval where id = ?`, [
            String(lease),
            runId,
          ])
          .catch((e: unknown) => this.log.warn({ err: e, job: name }, 'lease renewal failed'));
      },
      (lease * 1000) / 3,
    );
    const log = this.log.child({ job: name, runId });
    const work = (async (): Promise<RunOutcome> => {
      try {
        const result = (await def.run({ runId, slot, manual, signal: ac.signal, log })) ?? null;
        await conn.execute(
          `update job_run set status = 'DONE', finished_at = now(), result = ? where id = ?`,
          [result === null ? null : JSON.stringify(result), runId],
        );
        return { runId, status: 'DONE', result, error: null };
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        log.error({ err: e }, 'job failed');
        await conn.execute(
          `update job_run set status = 'FAILED', finished_at = now(), error = ? where id = ?`,
          [message.slice(0, 2000), runId],
        );
        return { runId, status: 'FAILED', result: null, error: message };
      } finally {
        clearInterval(renew);
        this.running.delete(runId);
      }
    })();
    this.running.set(runId, { ac, done: work });
    return work;
  }
}
