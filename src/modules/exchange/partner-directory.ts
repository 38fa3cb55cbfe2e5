import type { EntityManager } from '@mikro-orm/postgresql';
import { createCommerceSink } from '../../../adapters/commerce/client.js';
import { createCreditSink } from '../../../adapters/credit/client.js';
import { createCultureSink } from '../../../adapters/culture/client.js';
import { createPortalSink } from '../../../adapters/portal/client.js';
import type { SignedMessage, SinkResponse } from '../../../adapters/shared/sink-types.js';
import type { MaintenanceWindow } from './exchange-policy.js';

/** One partner row with its health, as the hub uses it. */
export interface PartnerInfo {
  code: string;
  name: string;
  receiverCode: string;
  baseUrl: string | null;
  kind: string;
  timeoutMs: number;
  maintenance: MaintenanceWindow[];
  enabled: boolean;
  consecutiveFailures: number;
  circuitOpenUntil: Date | null;
}

/** One routing rule: business event type × target category (or `*`) → partner + message type. */
export interface RouteRule {
  id: string;
  eventType: string;
  category: string;
  partnerCode: string;
  messageType: string;
  enabled: boolean;
}

type Sender = (m: SignedMessage) => Promise<SinkResponse>;

/**
 * Partners, routes and sink clients, read from the database with a short cache so every replica converges within
 * `ttlMs` after an ADMIN edit (the editing replica invalidates at once).
 */
export class PartnerDirectory {
  private partners: { at: number; rows: PartnerInfo[] } | null = null;
  private routes: { at: number; rows: RouteRule[] } | null = null;
  private readonly sinks = new Map<string, Sender>();

  constructor(private readonly ttlMs = 2000) {}

  invalidate(): void {
    this.partners = null;
    this.routes = null;
  }

  async allPartners(em: EntityManager): Promise<PartnerInfo[]> {
    if (this.partners && Date.now() - this.partners.at < this.ttlMs) return this.partners.rows;
    const rows = await em.getConnection().execute<Record<string, unknown>[]>(
      `select p.code, p.name, p.receiver_code, p.base_url, p.kind, p.timeout_ms, p.maintenance, p.enabled,
         coalesce(h.consecutive_failures, 0) as consecutive_failures, h.circuit_open_until
       from exchange_partner p left join exchange_partner_health h on h.partner_code = p.code order by p.code`,
      [],
      'all',
      em.getTransactionContext(),
    );
    const list = rows.map((r) => ({
      code: r.code as string,
      name: r.name as string,
      receiverCode: r.receiver_code as string,
      baseUrl: (r.base_url as string | null) ?? null,
      kind: r.kind as string,
      timeoutMs: Number(r.timeout_ms),
      maintenance: (r.maintenance as MaintenanceWindow[]) ?? [],
      enabled: r.enabled as boolean,
      consecutiveFailures: Number(r.consecutive_failures),
      circuitOpenUntil: r.circuit_open_until ? new Date(r.circuit_open_until as string) : null,
    }));
    this.partners = { at: Date.now(), rows: list };
    return list;
  }

  async partner(em: EntityManager, code: string): Promise<PartnerInfo | undefined> {
    return (await this.allPartners(em)).find((p) => p.code === code);
  }

  async allRoutes(em: EntityManager): Promise<RouteRule[]> {
    if (this.routes && Date.now() - this.routes.at < this.ttlMs) return this.routes.rows;
    const rows = await em
      .getConnection()
      .execute<Record<string, unknown>[]>(
        'select id::text as id, event_type, category, partner_code, message_type, enabled from exchange_route order by id',
        [],
        'all',
        em.getTransactionContext(),
      );
    const list = rows.map((r) => ({
      id: r.id as string,
      eventType: r.event_type as string,
      category: r.category as string,
      partnerCode: r.partner_code as string,
      messageType: r.message_type as string,
      enabled: r.enabled as boolean,
    }));
    this.routes = { at: Date.now(), rows: list };
    return list;
  }

  /** The sink client for a partner at its configured base URL. */
  sender(p: PartnerInfo): Sender | null {
    if (!p.baseUrl) return null;
    const key = `${p.code}|${p.baseUrl}|${p.timeoutMs}`;
    let s = this.sinks.get(key);
    if (!s) {
      const config = { baseUrl: p.baseUrl, timeoutMs: p.timeoutMs };
      const sink =
        p.kind === 'XML'
          ? createCommerceSink(config)
          : p.kind === 'JSON'
            ? createCultureSink(config)
            : p.kind === 'CREDIT'
              ? createCreditSink(config)
              : createPortalSink(config);
      s = (m) => sink.send(m);
      this.sinks.set(key, s);
    }
    return s;
  }
}
