import type { AppConfig } from './config/config.js';
import { AuditService } from './modules/audit/audit.service.js';
import { EventService } from './modules/events/event.service.js';
import { ItemService } from './modules/items/item.service.js';
import { PiiService } from './modules/pii/pii.service.js';
import { TargetService } from './modules/targets/target.service.js';
import { InspectorService } from './modules/inspectors/inspector.service.js';
import { EventBus } from './modules/events/event-bus.js';
import { Scheduler } from './modules/jobs/scheduler.js';
import type { MikroORM } from '@mikro-orm/core';
import type { Logger } from './shared/logger.js';
import { Metrics } from './observability/metrics.js';
import { ProtectionService } from './graphql/protection/protection.service.js';
import { ExchangeHub } from './modules/exchange/exchange-hub.js';
import type { OutboxService } from './modules/exchange/outbox.service.js';
import { RetentionService } from './modules/pii/retention.service.js';
import { SamplingRulesService } from './modules/sampling/sampling-rules.service.js';
import { CoverageService } from './modules/sampling/coverage.service.js';
import { PlanService } from './modules/sampling/plan.service.js';
import { DrawService } from './modules/sampling/draw.service.js';
import { AggregateService } from './modules/dashboard/aggregate.service.js';
import { SyncService } from './modules/sync/sync.service.js';
import { SyncWriter } from './modules/sync/sync-writer.js';
import { RosterImportService } from './modules/sync/roster-import.service.js';
import { FieldCipher, parseKeyring } from './crypto/sm.js';
import { InspectionService } from './modules/inspections/inspection.service.js';
import { ReferralService } from './modules/inspections/referral.service.js';
import { PublicationService } from './modules/publication/publication.service.js';
import { CreditService } from './modules/credit/credit.service.js';
import { DocumentService, RECUSAL_DECISION_DAYS } from './modules/documents/document.service.js';
import { ScorecardService } from './modules/scorecards/scorecard.service.js';
// @register:service-imports

/** Application services, built once at start; request state lives in the context, not here. */
export interface Services {
  audit: AuditService;
  events: EventService;
  pii: PiiService;
  items: ItemService;
  targets: TargetService;
  inspectors: InspectorService;
  eventBus: EventBus;
  scheduler: Scheduler;
  /** Prometheus registry; modules fill gauges with setOutboxDepth / setSyncLag / setDeadLetters. */
  metrics: Metrics;
  protection: ProtectionService;
  /** The OutboxPort business modules call to queue partner messages in their transaction. */
  outbox: OutboxService;
  exchange: ExchangeHub;
  retention: RetentionService;
  samplingRules: SamplingRulesService;
  coverage: CoverageService;
  plans: PlanService;
  draws: DrawService;
  aggregates: AggregateService;
  sync: SyncService;
  rosterImport: RosterImportService;
  inspections: InspectionService;
  publications: PublicationService;
  referrals: ReferralService;
  credit: CreditService;
  documents: DocumentService;
  scorecards: ScorecardService;
  // @register:service-fields
}

export interface Runtime {
  orm: MikroORM;
  databaseUrl: string;
  log: Logger;
  clock?: () => Date;
}

export function buildServices(config: AppConfig, rt: Runtime): Services {
  const audit = new AuditService();
  const events = new EventService();
  const pii = new PiiService(config.piiKeyring, config.piiIndexKey);
  const metrics = new Metrics(rt.orm, rt.log, { tracing: config.tracing, scrapeToken: config.metricsToken });
  const exchange = new ExchangeHub(config, { orm: rt.orm, log: rt.log, audit, events, pii, clock: rt.clock });
  const samplingRules = new SamplingRulesService(audit);
  const plans = new PlanService(audit, samplingRules);
  const syncCipher = new FieldCipher(parseKeyring(config.piiKeyring));
  const inspClocks = config.inspections.clocks;
  const publications = new PublicationService(audit, events, inspClocks, rt.log, rt.clock);
  const credit = new CreditService(
    audit,
    events,
    {
      objectionWorkingDays: inspClocks.objectionWorkingDays,
      validityDays: config.inspections.blacklistValidityDays,
    },
    rt.log,
    rt.clock,
  );
  const inspections = new InspectionService(
    audit,
    events,
    { ...config.inspections, dataDir: config.dataDir },
    publications,
    credit,
    rt.log,
    rt.clock,
  );
  const documents = new DocumentService(
    audit,
    { objectionWorkingDays: inspClocks.objectionWorkingDays, recusalDecisionDays: RECUSAL_DECISION_DAYS },
    rt.log,
    rt.clock,
  );
  // @register:service-consts
  return {
    audit,
    events,
    pii,
    items: new ItemService(audit),
    targets: new TargetService(audit, pii, events),
    inspectors: new InspectorService(audit, pii),
    eventBus: new EventBus(rt.databaseUrl, rt.log),
    scheduler: new Scheduler(rt.orm, rt.log, rt.clock),
    metrics,
    protection: new ProtectionService(
      config.protection,
      config.introspection,
      rt.orm,
      audit,
      metrics,
      rt.log,
    ),
    outbox: exchange.outbox,
    exchange,
    retention: new RetentionService(audit, config.piiRetentionDays),
    samplingRules,
    coverage: new CoverageService(samplingRules),
    plans,
    draws: new DrawService(audit, events, plans, samplingRules),
    aggregates: new AggregateService(rt.clock),
    sync: new SyncService(rt.orm, audit, events, pii, syncCipher, rt.log, config.sync.writers),
    rosterImport: new RosterImportService(rt.orm, audit, new SyncWriter({ pii, cipher: syncCipher })),
    inspections,
    publications,
    referrals: new ReferralService(audit, events, inspections),
    credit,
    documents,
    scorecards: new ScorecardService(
      { reviewWorkingDays: inspClocks.reviewWorkingDays, thresholdPercent: config.scorecardThresholdPercent },
      rt.clock,
    ),
    // @register:service-builds
  };
}
