import { createHash } from 'node:crypto';
import {
  parse,
  validate,
  specifiedRules,
  GraphQLError,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../../config/config.js';
import type { Logger } from '../../shared/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { AuditService } from '../../modules/audit/audit.service.js';
import { sm3Hex } from '../../crypto/sm.js';
import { ValidationError } from '../../shared/errors.js';
import { Role, type Principal } from '../auth.js';
import { operationCost } from './cost.js';
import { introspectionUse } from './introspection.js';
import { protectionError } from './protection.errors.js';
import { TokenBuckets } from './token-bucket.js';
import { TrustedDocument } from './trusted-document.entity.js';
import { UnknownOperation } from './unknown-operation.entity.js';

export type ProtectionConfig = AppConfig['protection'];

/** Everything the admission check needs to know about one operation. */
export interface OperationRequest {
  user: Principal;
  /** Remote address; the rate-limit key of anonymous callers. */
  ip: string;
  clientName: string;
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown>;
  /** sha256 (hex) of the exact document text. */
  sha256: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** sha256 and SM3 (hex) of a document's exact text. */
export function documentHashes(text: string): { sha256: string; sm3: string } {
  return { sha256: createHash('sha256').update(text).digest('hex'), sm3: sm3Hex(Buffer.from(text, 'utf8')) };
}

/**
 * Admission control for GraphQL operations, run after validation and before any resolver:
 * per-token rate limit, introspection by role, the trusted-documents allowlist, the cost ceiling
 * and the per-role cost budget per minute.
 *
 * Why budgets and rates live in memory, per replica: they are a brake on abuse, not a billing
 * quota, and every dashboard read would otherwise pay a database write (and row-lock contention
 * on a hot token) before it could start. With R replicas behind a round-robin balancer a caller
 * gets at most R × the configured figure; set the per-replica figure to the cluster figure / R.
 * The trusted-documents list and the unknown-operation counters are in the database (shared).
 */
export class ProtectionService {
  private readonly rate = new TokenBuckets();
  private readonly budget = new TokenBuckets();
  private readonly trusted = new Set<string>();
  private readonly byId = new Map<string, string>();
  private pending = new Map<
    string,
    { clientName: string; sha256: string; operationName: string | null; n: number; first: Date; last: Date }
  >();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly config: ProtectionConfig,
    /** GRAPHQL_INTROSPECTION: introspection for everyone (development and the conformance test). */
    readonly introspectionForAll: boolean,
    private readonly orm: MikroORM,
    private readonly audit: AuditService,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  /** Whether Apollo must let introspection through validation (the role check happens here). */
  get introspectionEnabled(): boolean {
    return this.introspectionForAll || this.config.introspectionForAdmin;
  }

  /** May this caller introspect the schema? */
  mayIntrospect(user: Principal): boolean {
    return this.introspectionForAll || (this.config.introspectionForAdmin && user.role === Role.ADMIN);
  }

  /**
   * Admits or refuses one operation.
   * @returns the operation's cost.
   * @throws GraphQLError coded RATE_LIMITED, INTROSPECTION_FORBIDDEN, TRUSTED_DOCUMENT_REQUIRED,
   *   QUERY_TOO_COSTLY or COST_BUDGET_EXCEEDED.
   */
  async admit(r: OperationRequest): Promise<number> {
    const key = r.user.role === Role.PUBLIC ? `ip:${r.ip}` : `${r.user.role}:${r.user.sub}`;
    if (this.config.rateLimitPerMinute > 0) {
      const t = this.rate.take(key, this.config.rateLimitPerMinute, 1);
      if (!t.ok)
        throw this.refuse(
          'RATE_LIMITED',
          `more than ${this.config.rateLimitPerMinute} operations per minute; retry in ${t.retryAfterSeconds} s`,
          t.retryAfterSeconds,
        );
    }
    const intro = introspectionUse(r.document, r.operationName);
    if (intro.introspection && !this.mayIntrospect(r.user))
      throw this.refuse('INTROSPECTION_FORBIDDEN', `introspection is not allowed for role ${r.user.role}`);
    if (this.config.trustedDocuments !== 'off' && !intro.only && !(await this.isTrusted(r.sha256))) {
      this.countUnknown(r.clientName, r.sha256, r.operationName ?? null);
      if (this.config.trustedDocuments === 'enforce')
        throw this.refuse(
          'TRUSTED_DOCUMENT_REQUIRED',
          `document ${r.sha256} is not registered for client ${r.clientName}; register it with registerTrustedDocument`,
        );
    }
    const cost = operationCost(r.schema, r.document, r.operationName, r.variables);
    if (cost > this.config.maxCost)
      throw this.refuse(
        'QUERY_TOO_COSTLY',
        `operation cost ${cost} exceeds the limit of ${this.config.maxCost} (lists multiply by first/last)`,
      );
    const capacity = this.config.costBudgets[r.user.role] ?? 0;
    if (capacity > 0) {
      const t = this.budget.take(key, capacity, cost);
      if (!t.ok)
        throw this.refuse(
          'COST_BUDGET_EXCEEDED',
          `cost budget of ${capacity} per minute for role ${r.user.role} is spent; retry in ${t.retryAfterSeconds} s`,
          t.retryAfterSeconds,
        );
    }
    return cost;
  }

  private refuse(code: Parameters<typeof protectionError>[0], message: string, retry?: number): GraphQLError {
    this.metrics.refused.inc({ reason: code });
    return protectionError(code, message, retry);
  }

  /** Is this sha256 registered (by any client)? Positive answers are cached; misses ask the database. */
  async isTrusted(sha256: string): Promise<boolean> {
    if (this.trusted.has(sha256)) return true;
    const row = await this.orm.em.fork().findOne(TrustedDocument, { sha256 }, { fields: ['id'] });
    if (row) this.trusted.add(sha256);
    return row !== null;
  }

  /**
   * The registered text for a `documentId`: `sha256:<hex>`, `sm3:<hex>` or a bare sha256 hex.
   * @returns null when no document has that id.
   */
  async documentById(id: string): Promise<string | null> {
    const cached = this.byId.get(id);
    if (cached !== undefined) return cached;
    const m = /^(?:(sha256|sm3):)?([0-9a-f]{64})$/.exec(id.trim().toLowerCase());
    if (!m) return null;
    const where = m[1] === 'sm3' ? { sm3: m[2]! } : { sha256: m[2]! };
    const row = await this.orm.em.fork().findOne(TrustedDocument, where);
    if (!row) return null;
    this.byId.set(id, row.document);
    this.trusted.add(row.sha256);
    return row.document;
  }

  /**
   * Registers a document for a client (idempotent per client and text); audited.
   * @throws ValidationError naming `clientName`, `name` or `document` when they are unusable.
   */
  async register(
    em: EntityManager,
    user: Principal,
    schema: GraphQLSchema,
    input: { clientName: string; name: string; document: string },
  ): Promise<TrustedDocument> {
    const problems: { field: string; message: string }[] = [];
    if (!/^[A-Za-z0-9._@/-]{1,64}$/.test(input.clientName))
      problems.push({ field: 'clientName', message: 'expected 1–64 of A–Z a–z 0–9 . _ @ / -' });
    if (input.name.trim() === '' || input.name.length > 128)
      problems.push({ field: 'name', message: 'expected 1–128 characters' });
    let doc: DocumentNode | null = null;
    try {
      doc = parse(input.document);
    } catch (e) {
      problems.push({ field: 'document', message: `does not parse: ${(e as Error).message}` });
    }
    if (doc) {
      const errs = validate(schema, doc, specifiedRules);
      if (errs.length)
        problems.push({ field: 'document', message: `does not validate: ${errs[0]!.message}` });
    }
    if (problems.length) throw new ValidationError(problems);
    const { sha256, sm3 } = documentHashes(input.document);
    const saved = await em.transactional(async (tx) => {
      const existing = await tx.findOne(TrustedDocument, { clientName: input.clientName, sha256 });
      if (existing) return existing;
      const row = tx.create(TrustedDocument, {
        clientName: input.clientName,
        name: input.name,
        sha256,
        sm3,
        document: input.document,
        createdBy: user.sub,
      });
      await tx.flush();
      await this.audit.record(tx, user, {
        action: 'trustedDocument.register',
        entityType: 'TrustedDocument',
        entityId: row.id,
        details: { clientName: input.clientName, name: input.name, sha256, sm3 },
      });
      return row;
    });
    this.trusted.add(sha256);
    return saved;
  }

  private countUnknown(clientName: string, sha256: string, operationName: string | null): void {
    if (!HEX64.test(sha256)) return;
    const k = `${clientName}\n${sha256}`;
    const now = new Date();
    const p = this.pending.get(k);
    if (p) {
      p.n++;
      p.last = now;
    } else if (this.pending.size < 10_000) {
      this.pending.set(k, {
        clientName,
        sha256,
        operationName: operationName?.slice(0, 128) ?? null,
        n: 1,
        first: now,
        last: now,
      });
    }
  }

  /** Writes the buffered unknown-operation counts (every 5 s, before listing, and on stop). */
  async flushUnknown(): Promise<void> {
    if (this.pending.size === 0) return;
    const rows = [...this.pending.values()];
    this.pending = new Map();
    const values = rows.map(() => '(?, ?, ?, ?, ?, ?)').join(', ');
    await this.orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into unknown_operation (client_name, sha256, operation_name, count, first_seen, last_seen) values ${values}
       on conflict (client_name, sha256) do update set count = unknown_operation.count + excluded.count,
         last_seen = greatest(unknown_operation.last_seen, excluded.last_seen),
         operation_name = coalesce(excluded.operation_name, unknown_operation.operation_name)`,
        rows.flatMap((r) => [r.clientName, r.sha256, r.operationName, r.n, r.first, r.last]),
      );
  }

  /** Unknown operations per client, most frequent first (after flushing this replica's buffer). */
  async unknownOperations(
    em: EntityManager,
    clientName: string | null,
    limit: number,
  ): Promise<UnknownOperation[]> {
    await this.flushUnknown();
    return em.find(UnknownOperation, clientName ? { clientName } : {}, {
      orderBy: { count: 'desc', lastSeen: 'desc' },
      limit,
    });
  }

  /** Starts the periodic flush of unknown-operation counts; returns the stop function. */
  start(): () => Promise<void> {
    this.timer = setInterval(() => {
      this.flushUnknown().catch((e: unknown) =>
        this.log.warn({ err: e }, 'flushing unknown operations failed'),
      );
    }, 5000);
    this.timer.unref();
    return async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      await this.flushUnknown().catch((e: unknown) =>
        this.log.warn({ err: e }, 'flushing unknown operations failed'),
      );
    };
  }
}
