import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { BUREAU_SENDER } from '../../../adapters/shared/envelope.js';
import type { SinkResponse } from '../../../adapters/shared/sink-types.js';
import type { Sm2Keyring } from '../../../adapters/shared/sm2.js';
import type { Logger } from '../../shared/logger.js';
import type { EventService } from '../events/event.service.js';
import type { PiiService } from '../pii/pii.service.js';
import {
  DEFAULT_RETRY,
  type RetryPolicy,
  afterTransient,
  inMaintenance,
  shanghaiIso,
  uuidv7,
} from './exchange-policy.js';
import { encodeCredit, materialiseCreditRecord, type StoredCreditRecord } from './message-encoding.js';
import { appendLog, type LogEntry } from './message-log.js';
import { insertOutbound, personIds } from './outbox.service.js';
import type { PartnerDirectory, PartnerInfo } from './partner-directory.js';

/** Dispatcher settings; every replica may run one. */
export interface DispatcherOptions {
  readonly leaseSeconds: number;
  readonly retry: RetryPolicy;
  /** Messages claimed per round. */
  readonly claimLimit: number;
  /** Idle poll interval when no NOTIFY arrives. */
  readonly pollMs: number;
  /** Consecutive transient failures that open a partner's circuit, and for how long. */
  readonly circuitThreshold: number;
  readonly circuitOpenSeconds: number;
}

export const DEFAULT_DISPATCHER: DispatcherOptions = {
  leaseSeconds: 60,
  retry: DEFAULT_RETRY,
  claimLimit: 64,
  pollMs: 1000,
  circuitThreshold: 5,
  circuitOpenSeconds: 60,
};

interface Claimed {
  id: string;
  partner_code: string;
  message_type: string;
  subject_key: string;
  content_type: string;
  body: Buffer;
  signature: string | null;
  key_id: string | null;
  attempts: number;
  created_at: string | Date;
  record_ids: string[] | null;
}

const CREDIT_BATCH_LOCK = 7_340_032_047;
const CREDIT_MAX = 500;

/**
 * The outbox dispatcher (exchange-envelope.md "Delivery"): claims due messages with `FOR UPDATE SKIP LOCKED` and a
 * lease, keeps per-partner per-subject order, signs (SM2, current key), sends through the partner's sink, records every
 * attempt, retries transient failures with capped backoff and jitter, dead-letters permanent ones, keeps partner health
 * (a circuit shared through the database) and builds credit batches. Any number of replicas may run it.
 */
export class Dispatcher {
  private readonly owner = `d-${randomUUID().slice(0, 8)}`;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private listener: pg.Client | null = null;

  constructor(
    private readonly orm: MikroORM,
    private readonly directory: PartnerDirectory,
    private readonly keyring: Sm2Keyring,
    private readonly pii: PiiService,
    private readonly events: EventService,
    private readonly log: Logger,
    private readonly opts: DispatcherOptions = DEFAULT_DISPATCHER,
    private readonly clock: () => Date = () => new Date(),
    private readonly random: () => number = Math.random,
  ) {}

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /** Starts the loop: a round whenever the outbox gets rows (LISTEN) or every `pollMs`. */
  async start(databaseUrl?: string): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (databaseUrl) {
      try {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query('listen exchange_outbox');
        client.on('notification', () => this.wake?.());
        client.on('error', (err) =>
          this.log.warn({ err }, 'exchange LISTEN connection failed; polling only'),
        );
        this.listener = client;
      } catch (err) {
        this.log.warn({ err }, 'exchange LISTEN unavailable; polling only');
      }
    }
    this.loop = this.run();
  }

  /** Stops after the current round. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = 0;
      try {
        worked = await this.tick();
      } catch (err) {
        this.log.error({ err }, 'exchange dispatcher round failed');
      }
      if (worked === 0 && this.running) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.opts.pollMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }

  /** Drains: rounds until nothing is due (tests and scripts). Returns how many messages were attempted. */
  async drain(maxRounds = 10_000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxRounds; i++) {
      const n = await this.tick();
      if (n === 0) break;
      total += n;
    }
    return total;
  }

  /** One round: batch credit records, claim due messages, send them, store the outcomes. Returns messages attempted. */
  async tick(): Promise<number> {
    const now = this.clock();
    this.directory.invalidate();
    const partners = await this.directory.allPartners(this.em());
    const blocked = partners.filter(
      (p) =>
        !p.enabled ||
        !p.baseUrl ||
        inMaintenance(p.maintenance, now) ||
        (p.circuitOpenUntil !== null && p.circuitOpenUntil.getTime() > now.getTime()),
    );
    if (!blocked.some((p) => p.code === 'CREDIT')) await this.batchCredit(now);
    const claimed = await this.claim(
      now,
      blocked.map((p) => p.code),
    );
    if (claimed.length === 0) return 0;
    const byCode = new Map(partners.map((p) => [p.code, p]));
    const results = await Promise.all(
      claimed.map(async (m) => {
        const partner = byCode.get(m.partner_code)!;
        return { m, ...(await this.send(m, partner, now)) };
      }),
    );
    await this.record(results, now);
    return claimed.length;
  }

  private async claim(now: Date, blocked: string[]): Promise<Claimed[]> {
    const leaseUntil = new Date(now.getTime() + this.opts.leaseSeconds * 1000);
    const rows = await this.em()
      .getConnection()
      .execute<Claimed[]>(
        `update exchange_message m set status = 'SENDING', lease_until = ?, lease_owner = ?, attempts = m.attempts + 1,
         first_attempt_at = coalesce(m.first_attempt_at, ?)
       from (
         select x.id from exchange_message x
         where x.status in ('PENDING', 'SENDING') and x.next_attempt_at <= ?
           and (x.status = 'PENDING' or x.lease_until < ?)
           and not (x.partner_code = any(string_to_array(?, ',')))
           and not exists (select 1 from exchange_message e where e.partner_code = x.partner_code
             and e.subject_key = x.subject_key and e.seq < x.seq and e.status in ('PENDING', 'SENDING'))
         order by x.next_attempt_at, x.seq limit ? for update of x skip locked
       ) c where m.id = c.id
       returning m.id, m.partner_code, m.message_type, m.subject_key, m.content_type, m.body, m.signature, m.key_id,
         m.attempts, m.created_at, m.record_ids`,
        [leaseUntil, this.owner, now, now, now, blocked.join(','), this.opts.claimLimit],
      );
    return rows;
  }

  private async send(
    m: Claimed,
    partner: PartnerInfo,
    now: Date,
  ): Promise<{ res: SinkResponse; signature: string; keyId: string }> {
    const body = new Uint8Array(m.body);
    let signature = m.signature;
    let keyId = m.key_id;
    // Re-sign only when the stored key has been rotated out; a retry otherwise repeats the exact signed request.
    if (!signature || !keyId || !this.keyring.verify(body, signature, { keyId, at: now })) {
      const s = this.keyring.sign(body, now);
      signature = s.signature;
      keyId = s.keyId;
    }
    const sender = this.directory.sender(partner);
    if (!sender) {
      return {
        res: {
          outcome: 'TRANSIENT',
          reason: 'partner has no base URL',
          httpStatus: null,
          raw: '',
          durationMs: 0,
        },
        signature,
        keyId,
      };
    }
    const res = await sender({
      partner: partner.code as never,
      messageId: m.id,
      messageType: m.message_type,
      contentType: m.content_type,
      body,
      ...(m.record_ids ? { recordIds: m.record_ids } : {}),
      signature,
      keyId,
      senderCode: BUREAU_SENDER.code,
    });
    return { res, signature, keyId };
  }

  private async record(
    results: { m: Claimed; res: SinkResponse; signature: string; keyId: string }[],
    now: Date,
  ): Promise<void> {
    const em = this.em();
    await em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const trx = tx.getTransactionContext();
      const exec = (sql: string, params: unknown[]) => conn.execute(sql, params, 'run', trx);
      const log: LogEntry[] = [];
      const dead: { id: string; partner: string; type: string; reason: string }[] = [];
      const health = new Map<string, boolean>();
      const attemptValues: unknown[] = [];
      for (const { m, res, signature, keyId } of results) {
        attemptValues.push(
          m.id,
          now,
          res.httpStatus,
          Math.round(res.durationMs),
          res.outcome,
          res.reason ?? null,
          res.raw.slice(0, 4000),
          keyId,
        );
        const entry = (event: LogEntry['event'], detail: string | null): LogEntry => ({
          at: now,
          direction: 'OUT',
          messageId: m.id,
          partnerCode: m.partner_code,
          messageType: m.message_type,
          event,
          bodySm3: null,
          signature,
          keyId,
          receiptNo: res.receiptNo ?? null,
          detail,
        });
        // Only our own lease may be settled: a message re-claimed by another replica after our lease ran out is theirs.
        const mine = `id = ? and status = 'SENDING' and lease_owner = ?`;
        if (res.outcome === 'ACCEPTED' || res.outcome === 'DUPLICATE') {
          await exec(
            `update exchange_message set status = 'DELIVERED', receipt_no = ?, signature = ?, key_id = ?, delivered_at = ?,
               lease_until = null, last_error = null where ${mine}`,
            [res.receiptNo ?? null, signature, keyId, now, m.id, this.owner],
          );
          log.push(entry('DELIVERED', res.outcome));
          health.set(m.partner_code, true);
        } else if (res.outcome === 'REJECTED') {
          await exec(
            `update exchange_message set status = 'DEAD', dead_reason = ?, signature = ?, key_id = ?, dead_at = ?,
               lease_until = null, last_error = ? where ${mine}`,
            [res.reason ?? 'rejected', signature, keyId, now, res.reason ?? null, m.id, this.owner],
          );
          log.push(entry('DEAD', res.reason ?? 'rejected'));
          dead.push({
            id: m.id,
            partner: m.partner_code,
            type: m.message_type,
            reason: res.reason ?? 'rejected',
          });
          if (!health.has(m.partner_code)) health.set(m.partner_code, true);
        } else {
          const next = afterTransient(
            {
              attempts: m.attempts,
              createdAt: new Date(m.created_at),
              now,
              ...(res.retryAfterSeconds !== undefined ? { retryAfterSeconds: res.retryAfterSeconds } : {}),
            },
            this.random,
            this.opts.retry,
          );
          if (next.kind === 'retry') {
            await exec(
              `update exchange_message set status = 'PENDING', next_attempt_at = ?, signature = ?, key_id = ?,
                 lease_until = null, last_error = ? where ${mine}`,
              [next.retryAt, signature, keyId, res.reason ?? 'transient', m.id, this.owner],
            );
          } else {
            const reason = `${next.reason}; last error: ${res.reason ?? 'transient'}`;
            await exec(
              `update exchange_message set status = 'DEAD', dead_reason = ?, dead_at = ?, signature = ?, key_id = ?,
                 lease_until = null, last_error = ? where ${mine}`,
              [reason, now, signature, keyId, res.reason ?? null, m.id, this.owner],
            );
            log.push(entry('DEAD', reason));
            dead.push({ id: m.id, partner: m.partner_code, type: m.message_type, reason });
          }
          health.set(m.partner_code, false);
        }
        if (res.records && m.partner_code === 'CREDIT') {
          for (const r of res.records) {
            if (r.status === 'REJECTED') {
              await exec(
                `update exchange_credit_record set status = 'DEAD', reason = ?, updated_at = ? where record_id = ? and batch_message_id = ?`,
                [r.reason ?? 'REJECTED', now, r.recordId, m.id],
              );
              dead.push({
                id: r.recordId,
                partner: 'CREDIT',
                type: 'CREDIT_RECORD',
                reason: r.reason ?? 'REJECTED',
              });
            } else {
              await exec(
                `update exchange_credit_record set status = 'DELIVERED', credit_no = ?, updated_at = ? where record_id = ? and batch_message_id = ?`,
                [r.creditNo ?? null, now, r.recordId, m.id],
              );
            }
          }
        }
        if (m.partner_code === 'CREDIT' && !res.records && res.outcome === 'REJECTED') {
          await exec(
            `update exchange_credit_record set status = 'DEAD', reason = ?, updated_at = ? where batch_message_id = ? and status = 'BATCHED'`,
            [res.reason ?? 'batch rejected', now, m.id],
          );
        }
      }
      await exec(
        `insert into exchange_attempt (message_id, at, http_status, duration_ms, outcome, error, response, key_id) values ${results
          .map(() => '(?, ?, ?, ?, ?, ?, ?, ?)')
          .join(', ')}`,
        attemptValues,
      );
      for (const [code, ok] of health) {
        if (ok) {
          await exec(
            `update exchange_partner_health set consecutive_failures = 0, circuit_open_until = null, last_success_at = ? where partner_code = ?`,
            [now, code],
          );
        } else {
          await exec(
            `update exchange_partner_health set consecutive_failures = consecutive_failures + 1, last_failure_at = ?,
               circuit_open_until = case when consecutive_failures + 1 >= ? then ?::timestamptz else circuit_open_until end
             where partner_code = ?`,
            [
              now,
              this.opts.circuitThreshold,
              new Date(now.getTime() + this.opts.circuitOpenSeconds * 1000),
              code,
            ],
          );
        }
      }
      await appendLog(tx, log);
      for (const d of dead) {
        await this.events.publish(tx, {
          topic: 'exchange.deadLetter',
          entityType: d.type === 'CREDIT_RECORD' ? 'ExchangeCreditRecord' : 'ExchangeMessage',
          entityId: d.id,
          payload: { partnerCode: d.partner, messageType: d.type, reason: d.reason },
        });
      }
    });
  }

  /**
   * Builds the next credit batch (1–500 due records, in creation order) when no batch is in flight, so a record is
   * never in two batches at once and records about one subject leave in order.
   */
  private async batchCredit(now: Date): Promise<void> {
    const em = this.em();
    await em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const trx = tx.getTransactionContext();
      const got = await conn.execute<{ ok: boolean }[]>(
        'select pg_try_advisory_xact_lock(?) as ok',
        [CREDIT_BATCH_LOCK],
        'all',
        trx,
      );
      if (!got[0]?.ok) return;
      const inFlight = await conn.execute<unknown[]>(
        `select 1 from exchange_message where partner_code = 'CREDIT' and status in ('PENDING', 'SENDING') limit 1`,
        [],
        'all',
        trx,
      );
      if (inFlight.length > 0) return;
      const today = shanghaiIso(now).slice(0, 10);
      const rows = await conn.execute<{ record_id: string; payload: StoredCreditRecord }[]>(
        `select record_id, payload from exchange_credit_record where status = 'PENDING'
           and (hold_until is null or hold_until <= ?::date) order by seq limit ? for update skip locked`,
        [today, CREDIT_MAX],
        'all',
        trx,
      );
      if (rows.length === 0) return;
      const persons = personIds(tx, this.pii);
      const records = [];
      for (const r of rows) records.push(await materialiseCreditRecord(r.payload, persons));
      const id = uuidv7(now.getTime());
      const encoded = await encodeCredit(id, shanghaiIso(now), records);
      const entry = await insertOutbound(tx, {
        id,
        partnerCode: 'CREDIT',
        messageType: 'CREDIT_BATCH',
        eventType: null,
        sourceId: null,
        subjectKey: `credit-batch:${id}`,
        contentType: encoded.contentType,
        body: encoded.body,
        correlationId: null,
        replaces: null,
        recordIds: encoded.recordIds ?? [],
        now,
      });
      await conn.execute(
        `update exchange_credit_record set status = 'BATCHED', batch_message_id = ?, updated_at = ?
         where record_id = any(string_to_array(?, chr(31)))`,
        [id, now, rows.map((r) => r.record_id).join('\u001f')],
        'run',
        trx,
      );
      await appendLog(tx, [entry]);
    });
  }
}
