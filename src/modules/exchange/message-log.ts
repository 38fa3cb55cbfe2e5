import type { EntityManager } from '@mikro-orm/postgresql';
import { canonicalJson } from '../../shared/canonical-json.js';
import { sm3Hex } from '../../crypto/sm.js';

/** The hash before the first message-log row. */
export const LOG_GENESIS = '0'.repeat(64);
// The message log's own chain lock (the audit chain uses 7340032001).
const LOG_LOCK_KEY = 7_340_032_046;

/** One message-log entry: a message created, received, delivered, dead-lettered or re-sent. */
export interface LogEntry {
  at: Date;
  direction: 'OUT' | 'IN';
  messageId: string;
  partnerCode: string | null;
  messageType: string | null;
  event: 'QUEUED' | 'RECEIVED' | 'REJECTED' | 'DELIVERED' | 'DEAD' | 'REDRIVEN' | 'CORRECTED';
  bodySm3: string | null;
  signature: string | null;
  keyId: string | null;
  receiptNo: string | null;
  detail: string | null;
}

/** SM3(prev | canonical JSON of the entry): the link of the message log's hash chain. */
export function logHash(prev: string, e: LogEntry): string {
  return sm3Hex(`${prev}|${canonicalJson({ ...e, at: e.at.toISOString() })}`);
}

/**
 * Appends entries to the hash-chained message log inside the caller's transaction (X-Road style: every message in and
 * out, with the SM3 of its exact bytes, its signature and receipt). One lock per call, so batches are cheap.
 */
export async function appendLog(em: EntityManager, entries: readonly LogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const conn = em.getConnection();
  const trx = em.getTransactionContext();
  await conn.execute('select pg_advisory_xact_lock(?)', [LOG_LOCK_KEY], 'all', trx);
  const last = await conn.execute<{ hash: string }[]>(
    'select hash from exchange_log order by id desc limit 1',
    [],
    'all',
    trx,
  );
  let prev = last[0]?.hash ?? LOG_GENESIS;
  const params: unknown[] = [];
  const values: string[] = [];
  for (const e of entries) {
    const hash = logHash(prev, e);
    values.push('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    params.push(
      e.at,
      e.direction,
      e.messageId,
      e.partnerCode,
      e.messageType,
      e.event,
      e.bodySm3,
      e.signature,
      e.keyId,
      e.receiptNo,
      e.detail,
      prev,
      hash,
    );
    prev = hash;
  }
  await conn.execute(
    `insert into exchange_log (at, direction, message_id, partner_code, message_type, event, body_sm3, signature,
       key_id, receipt_no, detail, prev_hash, hash) values ${values.join(', ')}`,
    params,
    'run',
    trx,
  );
}

/** Re-checks the message log chain in id order; names the first row whose link or hash does not match. */
export async function verifyLogChain(
  query: (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>,
): Promise<{ ok: boolean; checked: number; firstBroken: string | null }> {
  let prev = LOG_GENESIS;
  let lastId = '0';
  let checked = 0;
  for (;;) {
    const rows = await query(
      `select id::text as id, at, direction, message_id, partner_code, message_type, event, body_sm3, signature, key_id,
         receipt_no, detail, prev_hash, hash from exchange_log where id > ? order by id limit 5000`,
      [lastId],
    );
    if (rows.length === 0) return { ok: true, checked, firstBroken: null };
    for (const r of rows) {
      const e: LogEntry = {
        at: new Date(r.at as string),
        direction: r.direction as LogEntry['direction'],
        messageId: r.message_id as string,
        partnerCode: (r.partner_code as string | null) ?? null,
        messageType: (r.message_type as string | null) ?? null,
        event: r.event as LogEntry['event'],
        bodySm3: (r.body_sm3 as string | null) ?? null,
        signature: (r.signature as string | null) ?? null,
        keyId: (r.key_id as string | null) ?? null,
        receiptNo: (r.receipt_no as string | null) ?? null,
        detail: (r.detail as string | null) ?? null,
      };
      if (r.prev_hash !== prev || logHash(prev, e) !== r.hash) {
        return { ok: false, checked, firstBroken: r.id as string };
      }
      prev = r.hash as string;
      lastId = r.id as string;
      checked++;
    }
  }
}
