import type { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../../db/bound.js';
import type { Principal } from '../../graphql/auth.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { sm3Hex } from '../../crypto/sm.js';

/** The hash before the first audit row. */
export const GENESIS_HASH = '0'.repeat(64);
// One lock for the whole chain: audit rows are appended strictly one after another.
const AUDIT_LOCK_KEY = 7_340_032_001;

export interface AuditInput {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  details?: Record<string, unknown> | null;
}

export interface AuditRowForHash {
  at: Date;
  actorId: string;
  actorRole: string;
  actorDept: string | null;
  action: string;
  entityType: string;
  entityId: string;
  beforeDigest: string | null;
  afterDigest: string | null;
  details: Record<string, unknown> | null;
}

/** SM3 digest of a snapshot, for the audit row (the snapshot itself is not stored). */
export function digestOf(value: unknown): string | null {
  return value === undefined || value === null ? null : sm3Hex(canonicalJson(value));
}

/** The hashed content of the audit row for one action. */
function auditRow(actor: Principal, input: AuditInput, at: Date): AuditRowForHash {
  return {
    at,
    actorId: actor.sub,
    actorRole: actor.role,
    actorDept: actor.dept,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId,
    beforeDigest: digestOf(input.before),
    afterDigest: digestOf(input.after),
    details: input.details ?? null,
  };
}

/** Takes the chain lock for the rest of the transaction and returns the hash of the last row. */
async function chainHead(em: EntityManager): Promise<string> {
  const conn = em.getConnection();
  const trx = em.getTransactionContext();
  await conn.execute('select pg_advisory_xact_lock(?)', [AUDIT_LOCK_KEY], 'all', trx);
  const last = await conn.execute<{ hash: string }[]>(
    'select hash from audit_event order by id desc limit 1',
    [],
    'all',
    trx,
  );
  return last[0]?.hash ?? GENESIS_HASH;
}

/** The chained hash of one audit row: SM3(prevHash | canonical JSON of the row). */
export function chainHash(prevHash: string, row: AuditRowForHash): string {
  return sm3Hex(`${prevHash}|${canonicalJson({ ...row, at: row.at.toISOString() })}`);
}

/**
 * Appends audit rows (全程留痕) inside the caller's transaction, so a change and its audit row
 * commit or roll back together.
 */
export class AuditService {
  /**
   * Records one audited action.
   * @throws Error when called outside a transaction (the row must commit with the change).
   */
  async record(em: EntityManager, actor: Principal, input: AuditInput): Promise<void> {
    if (!em.isInTransaction()) throw new Error('audit rows must be written inside the change transaction');
    const conn = em.getConnection();
    const trx = em.getTransactionContext();
    const prevHash = await chainHead(em);
    const row = auditRow(actor, input, new Date());
    const hash = chainHash(prevHash, row);
    await conn.execute(
      `insert into audit_event (at, actor_id, actor_role, actor_dept, action, entity_type, entity_id,
         before_digest, after_digest, details, prev_hash, hash)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        row.at,
        row.actorId,
        row.actorRole,
        row.actorDept,
        row.action,
        row.entityType,
        row.entityId,
        row.beforeDigest,
        row.afterDigest,
        row.details === null ? null : JSON.stringify(row.details),
        prevHash,
        hash,
      ],
      'run',
      trx,
    );
  }

  /**
   * Records many audited actions of one actor, in the given order: the same rows, SM3 chaining and
   * chain lock as calling {@link record} once per input, but one insert statement per 5,000 rows
   * (ids ascend in input order, so the verifier walks them as one chain).
   * @example await audit.recordMany(em, ctx.user, created.map((i) => ({ action: 'inspection.create', … })))
   * @throws Error when called outside a transaction.
   */
  async recordMany(em: EntityManager, actor: Principal, inputs: readonly AuditInput[]): Promise<void> {
    if (!em.isInTransaction()) throw new Error('audit rows must be written inside the change transaction');
    if (!inputs.length) return;
    let prevHash = await chainHead(em);
    const at = new Date();
    for (let from = 0; from < inputs.length; from += AUDIT_BATCH) {
      const rows = inputs.slice(from, from + AUDIT_BATCH).map((input) => {
        const row = auditRow(actor, input, at);
        const hash = chainHash(prevHash, row);
        const out = {
          actor_id: row.actorId,
          actor_role: row.actorRole,
          actor_dept: row.actorDept,
          action: row.action,
          entity_type: row.entityType,
          entity_id: row.entityId,
          before_digest: row.beforeDigest,
          after_digest: row.afterDigest,
          details: row.details,
          prev_hash: prevHash,
          hash,
        };
        prevHash = hash;
        return out;
      });
      await executeBound(
        em,
        `insert into audit_event (at, actor_id, actor_role, actor_dept, action, entity_type, entity_id,
           before_digest, after_digest, details, prev_hash, hash)
         select ?::timestamptz, r.actor_id, r.actor_role, r.actor_dept, r.action, r.entity_type, r.entity_id,
                r.before_digest, r.after_digest, r.details, r.prev_hash, r.hash
           from rows from (jsonb_to_recordset(?::jsonb) as (actor_id text, actor_role text, actor_dept text,
                  action text, entity_type text, entity_id text, before_digest text, after_digest text,
                  details jsonb, prev_hash text, hash text))
                with ordinality as r(actor_id, actor_role, actor_dept, action, entity_type, entity_id,
                  before_digest, after_digest, details, prev_hash, hash, n)
          order by r.n`,
        [at, JSON.stringify(rows)],
      );
    }
  }
}

/** Rows per insert statement of {@link AuditService.recordMany}. */
const AUDIT_BATCH = 5000;

export interface ChainCheck {
  ok: boolean;
  checked: number;
  /** The id of the first row whose link or hash does not match, with the reason. */
  firstBroken: { id: string; reason: string } | null;
}

/**
 * Re-checks the whole chain in id order, streaming in pages; names the first broken link.
 * Catches edited rows (hash mismatch), deleted rows (prev_hash no longer links) and inserted rows.
 */
export async function verifyAuditChain(
  query: (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>,
  pageSize = 5000,
): Promise<ChainCheck> {
  let prev = GENESIS_HASH;
  let lastId = '0';
  // `order by audit_event.id`: a bare `id` would sort by the text alias ('10' before '9').
  let checked = 0;
  for (;;) {
    const rows = await query(
      `select id::text as id, at, actor_id, actor_role, actor_dept, action, entity_type, entity_id,
              before_digest, after_digest, details, prev_hash, hash
         from audit_event where id > $1::bigint order by audit_event.id limit $2`,
      [lastId, pageSize],
    );
    for (const r of rows) {
      const id = String(r.id);
      if (r.prev_hash !== prev) {
        return {
          ok: false,
          checked,
          firstBroken: {
            id,
            reason: 'prev_hash does not link to the row before (a row was removed or inserted)',
          },
        };
      }
      const expect = chainHash(prev, {
        at: new Date(r.at as string | Date),
        actorId: r.actor_id as string,
        actorRole: r.actor_role as string,
        actorDept: (r.actor_dept as string | null) ?? null,
        action: r.action as string,
        entityType: r.entity_type as string,
        entityId: r.entity_id as string,
        beforeDigest: (r.before_digest as string | null) ?? null,
        afterDigest: (r.after_digest as string | null) ?? null,
        details: (r.details as Record<string, unknown> | null) ?? null,
      });
      if (expect !== r.hash)
        return {
          ok: false,
          checked,
          firstBroken: { id, reason: 'hash does not match the row content (the row was changed)' },
        };
      prev = r.hash as string;
      lastId = id;
      checked++;
    }
    if (rows.length < pageSize) return { ok: true, checked, firstBroken: null };
  }
}
