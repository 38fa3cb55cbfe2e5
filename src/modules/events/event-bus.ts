import pg from 'pg';
import type { Logger } from '../../shared/logger.js';
import { APP_ROLE } from '../../db/orm.js';

export interface EventRow {
  id: string;
  at: Date;
  topic: string;
  entityType: string;
  entityId: string;
  departmentCode: string | null;
  jurisdictionCode: string | null;
  recipient: string | null;
  payload: Record<string, unknown>;
}

// `id` is also the text alias below: order by `event_log.id`, or '10' sorts before '9'.
const COLUMNS = `id::text as id, at, topic, entity_type as "entityType", entity_id as "entityId",
  department_code as "departmentCode", jurisdiction_code as "jurisdictionCode", recipient, payload`;

type Listener = (e: EventRow) => void;

/** An inclusive range of event ids named by one notification. */
export interface IdRun {
  lo: string;
  hi: string;
}

const DELIVERY_PAGE = 5000;

/**
 * Parses a notification payload: comma-separated ids or inclusive runs, e.g. `17` or `17-5016,5020`
 * (the trigger notifies each insert statement's ids as runs). Anything else yields no run.
 * @example parseIdRuns('3,7-9') // [{ lo: '3', hi: '3' }, { lo: '7', hi: '9' }]
 */
export function parseIdRuns(payload: string): IdRun[] {
  const runs: IdRun[] = [];
  for (const part of payload.split(',')) {
    const m = /^(\d{1,19})(?:-(\d{1,19}))?$/.exec(part.trim());
    if (m) runs.push({ lo: m[1]!, hi: m[2] ?? m[1]! });
  }
  return runs;
}

/**
 * Fans events out across replicas: every replica LISTENs on one channel that carries event ids
 * only, loads the rows and hands them to its local subscribers. Clients resume from the event
 * table with `since`. Event writers take the audit chain's lock, so ids are in commit order.
 */
export class EventBus {
  private client: pg.Client | null = null;
  private readonly listeners = new Set<Listener>();
  private stopped = false;
  private lastId = '0';
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('error', (e) => {
      this.log.warn({ err: e }, 'event bus connection lost; reconnecting');
      this.client = null;
      void this.reconnect();
    });
    await client.connect();
    await client.query(`set role ${APP_ROLE}`);
    client.on('notification', (n) => {
      const runs = parseIdRuns(n.payload ?? '');
      // One connection, one query at a time: deliveries queue behind each other in order.
      if (runs.length) this.chain = this.chain.then(() => this.deliver(runs));
    });
    this.client = client;
    await (this.chain = this.chain.then(() => this.catchUp(client)));
  }

  private async catchUp(client: pg.Client): Promise<void> {
    await client.query('listen shuangsui_events');
    if (this.lastId !== '0') {
      // Events committed while we were disconnected.
      const missed = await client.query(
        `select ${COLUMNS} from event_log where id > $1 order by event_log.id limit 10000`,
        [this.lastId],
      );
      for (const r of missed.rows as EventRow[]) this.emit(r);
    } else {
      const max = await client.query('select coalesce(max(id), 0)::text as id from event_log');
      this.lastId = max.rows[0].id;
    }
  }

  private async reconnect(): Promise<void> {
    for (let delay = 200; !this.stopped; delay = Math.min(delay * 2, 10_000)) {
      await new Promise((r) => setTimeout(r, delay));
      try {
        await this.connect();
        return;
      } catch (e) {
        this.log.warn({ err: e }, 'event bus reconnect failed');
      }
    }
  }

  private async deliver(runs: IdRun[]): Promise<void> {
    if (!this.client) return;
    try {
      // A bulk insert notifies its ids as runs; load them in pages so a large batch stays bounded.
      let after = '0';
      for (;;) {
        const r = await this.client.query(
          `select ${COLUMNS}
             from event_log join unnest($1::bigint[], $2::bigint[]) as r(lo, hi) on event_log.id between r.lo and r.hi
            where event_log.id > $3::bigint order by event_log.id limit ${DELIVERY_PAGE}`,
          [runs.map((x) => x.lo), runs.map((x) => x.hi), after],
        );
        for (const row of r.rows as EventRow[]) this.emit(row);
        if (r.rows.length < DELIVERY_PAGE) return;
        after = (r.rows[r.rows.length - 1] as EventRow).id;
      }
    } catch (e) {
      this.log.warn({ err: e }, 'could not load notified events');
    }
  }

  private emit(row: EventRow): void {
    if (BigInt(row.id) > BigInt(this.lastId)) this.lastId = row.id;
    for (const l of this.listeners) l(row);
  }

  /** Registers a local listener; returns the function that removes it. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => undefined);
  }

  /**
   * A stream of events for one subscriber: first the backlog after `since` (from the table), then
   * live events, each id once and in order, filtered by `accept`.
   */
  async *stream(
    query: (sql: string, params: unknown[]) => Promise<EventRow[]>,
    opts: { topics: string[]; since: string | null; accept: (e: EventRow) => boolean; signal?: AbortSignal },
  ): AsyncGenerator<EventRow> {
    const queue: EventRow[] = [];
    let wake: (() => void) | null = null;
    const off = this.on((e) => {
      if (opts.topics.includes(e.topic)) {
        queue.push(e);
        wake?.();
      }
    });
    try {
      let last = opts.since ?? null;
      if (last !== null) {
        const marks = opts.topics.map(() => '?').join(', ');
        const backlog = await query(
          `select ${COLUMNS} from event_log where id > ? and topic in (${marks}) order by event_log.id limit 10000`,
          [last, ...opts.topics],
        );
        for (const e of backlog) {
          last = e.id;
          if (opts.accept(e)) yield e;
        }
      }
      while (!opts.signal?.aborted) {
        while (queue.length) {
          const e = queue.shift()!;
          if (last !== null && BigInt(e.id) <= BigInt(last)) continue;
          last = e.id;
          if (opts.accept(e)) yield e;
        }
        await new Promise<void>((r) => {
          wake = r;
          opts.signal?.addEventListener('abort', () => r(), { once: true });
        });
        wake = null;
      }
    } finally {
      off();
    }
  }
}
